import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'facility', component: () => import('./index.vue'), meta: { title: '设施与规划' } },
]
export default routes
