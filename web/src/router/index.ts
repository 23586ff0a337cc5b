// Console routes, each page its own chunk. Which pages a user reaches comes
// from the server's menu (GET /api/v1/console/menu); the citizen page and the
// sign-in page need no session.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session, loadSession, clearSession, menuPaths } from '@/store/user'
import { setUnauthenticatedHandler, ApiError } from '@/api/http'

// Each operational module's pages are listed in its own views/<module>/routes.ts
// (a default export of console child routes), so adding a module touches no
// shared file here.
const moduleRoutes = Object.values(
  import.meta.glob<{ default: RouteRecordRaw[] }>('@/views/*/routes.ts', { eager: true }),
).flatMap((m) => m.default)

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', component: () => import('@/views/login/index.vue'), meta: { public: true, title: '登录' } },
    { path: '/citizen', component: () => import('@/views/citizen/index.vue'), meta: { public: true, title: '养老顾问' } },
    { path: '/public', component: () => import('@/views/public/index.vue'), meta: { public: true, title: '信息公开' } },
    {
      path: '/',
      component: () => import('@/views/layout/index.vue'),
      redirect: '/dashboard',
      children: [
        { path: 'dashboard', component: () => import('@/views/dashboard/index.vue'), meta: { title: '首页' } },
        { path: 'persons', component: () => import('@/views/persons/index.vue'), meta: { title: '老年人信息' } },
        { path: 'persons/:ref', component: () => import('@/views/persons/detail.vue'), meta: { title: '老年人档案', menu: '/persons' } },
        { path: 'lists', component: () => import('@/views/lists/index.vue'), meta: { title: '服务清单' } },
        { path: 'imports', component: () => import('@/views/imports/index.vue'), meta: { title: '数据导入' } },
        { path: 'runs', component: () => import('@/views/runs/index.vue'), meta: { title: '月度核定' } },
        { path: 'runs/:id', component: () => import('@/views/runs/detail.vue'), meta: { title: '核定结果', menu: '/runs' } },
        { path: 'whatif', component: () => import('@/views/whatif/index.vue'), meta: { title: '政策测算' } },
        { path: 'conflicts', component: () => import('@/views/conflicts/index.vue'), meta: { title: '数据冲突' } },
        { path: 'assessments/new', component: () => import('@/views/assessments/form.vue'), meta: { title: '录入能力评估', menu: '/assessments' } },
        { path: 'assessments', component: () => import('@/views/assessments/index.vue'), meta: { title: '能力评估' } },
        { path: 'system/users', component: () => import('@/views/system/users.vue'), meta: { title: '用户管理' } },
        { path: 'system/roles', component: () => import('@/views/system/roles.vue'), meta: { title: '角色管理' } },
        { path: 'system/audit', component: () => import('@/views/system/audit.vue'), meta: { title: '审计日志' } },
        ...moduleRoutes,
        { path: 'forbidden', component: () => import('@/views/layout/forbidden.vue'), meta: { title: '无权访问' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/dashboard' },
  ],
})

setUnauthenticatedHandler(() => {
  if (router.currentRoute.value.meta.public) return
  clearSession()
  router.replace({ path: '/login', query: { expired: '1', redirect: router.currentRoute.value.fullPath } })
})

router.beforeEach(async (to) => {
  document.title = `${(to.meta.title as string) ?? ''} - 养老服务平台`
  if (to.meta.public) return true
  if (!session.loaded) {
    try {
      await loadSession()
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return { path: '/login', query: { redirect: to.fullPath } }
      throw e
    }
  }
  const menuPath = (to.meta.menu as string) ?? to.path
  if (to.path === '/forbidden' || menuPath === '/dashboard' || menuPaths().includes(menuPath)) return true
  return { path: '/forbidden' }
})

export default router
