// The signed-in user, their permissions and menu, all from the server
// (GET /api/v1/console/menu); nothing here decides access on its own.
import { reactive } from 'vue'
import type { Principal } from '@/api/auth'
import type { MenuItem } from '@/api/console'
import { menu } from '@/api/console'

export const session = reactive({
  loaded: false,
  user: null as Principal | null,
  permissions: [] as string[],
  menus: [] as MenuItem[],
})

export async function loadSession() {
  const m = await menu()
  session.user = m.user
  session.permissions = m.permissions
  session.menus = m.menus
  session.loaded = true
}

export function clearSession() {
  session.loaded = false
  session.user = null
  session.permissions = []
  session.menus = []
}

/** Whether the user holds a permission (`module:entity:action`, or `*`). */
export function hasPerm(p: string): boolean {
  return session.permissions.includes('*') || session.permissions.includes(p)
}

/** The console paths the server's menu offers. */
export function menuPaths(): string[] {
  const out: string[] = []
  const walk = (items: MenuItem[]) => {
    for (const i of items) {
      if (i.path) out.push(i.path)
      if (i.children) walk(i.children)
    }
  }
  walk(session.menus)
  return out
}
