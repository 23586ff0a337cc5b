import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'visits/phone', component: () => import('./phone.vue'), meta: { title: '探访登记' } },
  { path: 'visits', component: () => import('./index.vue'), meta: { title: '探访督导' } },
]
export default routes
