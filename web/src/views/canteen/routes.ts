import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'canteen', component: () => import('./index.vue'), meta: { title: '助餐柜台' } },
]
export default routes
