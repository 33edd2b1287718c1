import type { Role } from './session'
import { session, isStreet } from './session'

export interface NavItem {
  /** The route's name; also the menu item's index. */
  name: string
  labelKey: string
  roles: readonly Role[]
  /** Only staff of a street/township (whistles are blown by streets, answered by departments). */
  when?: (unit: string | null) => boolean
}

const UNIT: readonly Role[] = ['handler', 'unit_leader']
/** The analyses (分析研判) are read by analysts, supervisors and administrators. */
const ANALYSTS: readonly Role[] = ['analyst', 'supervisor', 'admin']

/** The portal's sections, in menu order; a user's home is the first one they may open. */
export const NAV: readonly NavItem[] = [
  { name: 'staff-intake', labelKey: 'staff.common.nav.intake', roles: ['operator'] },
  { name: 'staff-dispatch', labelKey: 'staff.common.nav.dispatch', roles: ['dispatcher'] },
  { name: 'staff-inbox', labelKey: 'staff.common.nav.inbox', roles: UNIT },
  // 考核申诉: the assessment officers' queue, their home.
  { name: 'staff-appeals', labelKey: 'staff.common.nav.appeals', roles: ['assessor'] },
  { name: 'staff-supervision', labelKey: 'staff.common.nav.supervision', roles: ['supervisor', 'analyst', 'dispatcher'] },
  // 办结审核: the reviewer's queue is the order list of the replies in review.
  { name: 'staff-review', labelKey: 'staff.common.nav.review', roles: ['reviewer'] },
  { name: 'staff-orders', labelKey: 'staff.common.nav.orders', roles: ['operator', 'dispatcher', 'supervisor', 'analyst', 'assessor', 'reviewer', ...UNIT] },
  { name: 'staff-whistles', labelKey: 'staff.common.nav.whistles', roles: [...UNIT, 'supervisor', 'dispatcher'] },
  { name: 'staff-admin-users', labelKey: 'staff.common.nav.users', roles: ['admin'] },
  { name: 'staff-admin-units', labelKey: 'staff.common.nav.units', roles: ['admin'] },
  { name: 'staff-admin-catalogue', labelKey: 'staff.common.nav.catalogue', roles: ['admin'] },
  { name: 'staff-admin-time-limits', labelKey: 'staff.common.nav.timeLimits', roles: ['admin'] },
  { name: 'staff-admin-knowledge', labelKey: 'staff.common.nav.knowledge', roles: ['admin', ...UNIT] },
  { name: 'staff-admin-keys', labelKey: 'staff.common.nav.keys', roles: ['admin'] },
  { name: 'staff-admin-audit', labelKey: 'staff.common.nav.audit', roles: ['admin', 'supervisor'] },
  // 分析研判, last so that no one's home changes; a unit's staff see their own warnings.
  { name: 'staff-analytics-topics', labelKey: 'staff.common.nav.analyticsTopics', roles: ANALYSTS },
  { name: 'staff-analytics-trends', labelKey: 'staff.common.nav.analyticsTrends', roles: ANALYSTS },
  { name: 'staff-analytics-rankings', labelKey: 'staff.common.nav.analyticsRankings', roles: ANALYSTS },
  { name: 'staff-analytics-warnings', labelKey: 'staff.common.nav.analyticsWarnings', roles: [...ANALYSTS, ...UNIT] },
  { name: 'staff-analytics-briefing', labelKey: 'staff.common.nav.analyticsBriefing', roles: ANALYSTS },
  { name: 'staff-analytics-models', labelKey: 'staff.common.nav.analyticsModels', roles: ANALYSTS },
]

export function allowed(item: NavItem): boolean {
  const s = session.value
  if (!s || !s.roles.some((r) => item.roles.includes(r))) return false
  return item.when ? item.when(s.unit) : true
}

export function visibleNav(): NavItem[] {
  return NAV.filter(allowed)
}

export function homeRoute(): string {
  return visibleNav()[0]?.name ?? 'staff-orders'
}

export function mayOpen(routeName: string): boolean {
  const item = NAV.find((n) => n.name === routeName)
  return item ? allowed(item) : true
}

export { isStreet }
