import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'oversight', component: () => import('./index.vue'), meta: { title: '任务与报表' } },
]
export default routes
