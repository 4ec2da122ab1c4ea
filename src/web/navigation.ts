import { can, type Permission } from '../access/policy.ts'
import type { Role } from '../access/roles.ts'

type Item = { text: string; href: string; permission?: Permission }

/** The primary navigation: only what the user's roles allow. */
const items: Item[] = [
  { text: 'Home', href: '/' },
  { text: 'Referrals', href: '/referrals', permission: 'referral.read' },
  { text: 'Cases', href: '/cases', permission: 'case.read' },
  { text: 'Allocation', href: '/cases/allocation', permission: 'case.allocate' },
  { text: 'MARAC', href: '/marac', permission: 'marac.read' },
  { text: 'Safe accommodation', href: '/accommodation', permission: 'accommodation.view' },
  { text: 'Additional security', href: '/services/sanctuary', permission: 'wha.deliver' },
  { text: 'Therapeutic support', href: '/services/therapy', permission: 'therapy.deliver' },
  { text: 'Feedback', href: '/feedback', permission: 'feedback.results' },
  { text: 'Linked people', href: '/linkage', permission: 'linkage.review' },
  { text: 'Reports', href: '/reports', permission: 'report.read' },
  { text: 'Data quality', href: '/reports/data-quality', permission: 'report.read' },
  { text: 'Imports', href: '/imports', permission: 'import.run' },
  { text: 'Users', href: '/admin/users', permission: 'user.manage' },
  { text: 'Audit log', href: '/audit', permission: 'audit.read' },
]

export function navigationFor(roles: readonly Role[], currentRoute: string) {
  const visible = items.filter(item => !item.permission || can(roles, item.permission))
  // The most specific item containing the current page is the active one (/cases/allocation, not /cases).
  const active = visible
    .filter(item => (item.href === '/' ? currentRoute === '/' : currentRoute === item.href || currentRoute.startsWith(`${item.href}/`)))
    .sort((a, b) => b.href.length - a.href.length)[0]
  return visible.map(item => ({ text: item.text, href: item.href, active: item === active }))
}
