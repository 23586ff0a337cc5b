import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'waitlist', component: () => import('./index.vue'), meta: { title: '机构入住轮候' } },
]
export default routes
