import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'devices', component: () => import('./index.vue'), meta: { title: '报警看板' } },
]
export default routes
