import { can, type Permission } from '../access/policy.ts'
import type { Role } from '../access/roles.ts'

type Item = { text: string; href: string; permission?: Permission }

/** The primary navigation: only what the user's roles allow. */
const items: Item[] = [
  { text: 'Home', href: '/' },
  { text: 'Cases', href: '/cases', permission: 'case.read' },
  { text: 'Users', href: '/admin/users', permission: 'user.manage' },
  { text: 'Audit log', href: '/audit', permission: 'audit.read' },
]

export function navigationFor(roles: readonly Role[], currentRoute: string) {
  return items
    .filter(item => !item.permission || can(roles, item.permission))
    .map(item => ({
      text: item.text,
      href: item.href,
      active: item.href === '/' ? currentRoute === '/' : currentRoute.startsWith(item.href),
    }))
}
