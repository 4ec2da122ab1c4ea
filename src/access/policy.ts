import type { Role } from './roles.ts'

/**
 * The one access policy: role × permission → record scope.
 *
 * The scopes are enforced by PostgreSQL row-level security (see the foundation migration):
 * withActor() puts the actor's scope for each permission into the transaction's settings,
 * and the policies on each table compare rows with them. A route or service that forgets a
 * check therefore still cannot read a row outside the actor's scope.
 */
export const permissions = [
  'referral.create',
  'referral.read',
  'referral.write',
  'risk.assess',
  'case.read',
  'case.write',
  'case.allocate',
  'person.read-all',
  'person.write',
  'marac.read',
  'marac.write',
  /** Contribute to MARAC for one's own agency: research for a case, and the status of the agency's actions. */
  'marac.contribute',
  'report.read',
  'report.drill',
  'audit.read',
  'user.manage',
  'partnership.configure',
  /** Survivor feedback: issue anonymous feedback links for a service (exit questionnaires): one's own agency's. */
  'feedback.issue',
  /** Survivor feedback: see suppressed aggregate results (a provider: its own service only). */
  'feedback.results',
  /** Survivor feedback: read individual anonymous responses (the independent evaluator only). */
  'feedback.responses',
  /** Survivor feedback: tag free-text themes; manage open links and themes (the independent evaluator). */
  'feedback.evaluate',
  /** Safe accommodation: see the inventory (never addresses) and the vacancy board. */
  'accommodation.view',
  /** Search for a place, refer to a provider; the scope decides whose searches and referrals one sees. */
  'accommodation.search',
  /** Keep a provider's inventory, decide referrals, record placements (the provider's staff: agency scope). */
  'accommodation.manage',
  /** Read unit addresses: the provider's staff (agency); the safe accommodation manager (partnership). */
  'accommodation.address',
  /** Whole Housing Approach: refer to sanctuary, flexible funding, reciprocals, therapy; record housing approaches. */
  'wha.refer',
  /** Whole Housing Approach: fit additional security (a sanctuary scheme) for one's own agency. */
  'wha.deliver',
  /** Provide therapeutic support (waiting list, sessions) for one's own agency. */
  'therapy.deliver',
  /** Record linkage: review uncertain pairs of records and decide "same person" or "different people". */
  'linkage.review',
  /**
   * Import agency files (upload, preview, fix the mapping, confirm) and save mappings. The analyst imports
   * for every agency (partnership); an IDVA manager, the agency lead for its data, for their own agency.
   */
  'import.run',
] as const

export type Permission = (typeof permissions)[number]

/** own < team < agency < partnership. 'team' includes the actor's own records. */
export const scopes = ['own', 'team', 'agency', 'partnership'] as const
export type Scope = (typeof scopes)[number]

type Grants = Partial<Record<Permission, Scope>>

export const policy: Record<Role, Grants> = {
  referrer: {
    'referral.create': 'own', 'referral.read': 'own', 'referral.write': 'own', 'risk.assess': 'own',
    'accommodation.view': 'partnership', 'accommodation.search': 'own',
  },
  idva: {
    'referral.create': 'own',
    'referral.read': 'own',
    'risk.assess': 'team',
    'case.read': 'team',
    'case.write': 'team',
    'person.write': 'team',
    'accommodation.view': 'partnership',
    'accommodation.search': 'team',
    'wha.refer': 'team',
    'feedback.issue': 'agency',
    'feedback.results': 'agency',
  },
  'idva-manager': {
    'referral.create': 'own',
    'referral.read': 'agency',
    'risk.assess': 'agency',
    'case.read': 'agency',
    'case.write': 'agency',
    'case.allocate': 'agency',
    'person.write': 'agency',
    'report.read': 'agency',
    'linkage.review': 'agency',
    'import.run': 'agency',
    'accommodation.view': 'partnership',
    'accommodation.search': 'agency',
    'wha.refer': 'agency',
    'feedback.issue': 'agency',
    'feedback.results': 'agency',
  },
  'marac-coordinator': {
    'referral.read': 'partnership',
    'marac.read': 'partnership',
    'marac.write': 'partnership',
    'marac.contribute': 'partnership',
    'report.read': 'partnership',
    'linkage.review': 'partnership',
  },
  // A representative sees the agenda items and actions of their own agency only (never IDVA case notes).
  'marac-representative': { 'marac.read': 'agency', 'marac.contribute': 'agency' },
  // The provider's staff: their own agency's units, addresses, referrals and placements.
  'safe-accommodation-worker': {
    'referral.create': 'own', 'referral.read': 'own',
    'accommodation.view': 'partnership', 'accommodation.search': 'agency', 'accommodation.manage': 'agency',
    'accommodation.address': 'agency', 'wha.refer': 'agency',
    'feedback.issue': 'agency',
    'feedback.results': 'agency',
  },
  // The partnership's safe accommodation manager (the Part 4 lead): every provider's units, addresses and referrals.
  'safe-accommodation-manager': {
    'accommodation.view': 'partnership', 'accommodation.search': 'partnership', 'accommodation.manage': 'partnership',
    'accommodation.address': 'partnership', 'wha.refer': 'partnership', 'report.read': 'partnership',
  },
  'housing-officer': {
    'referral.create': 'own', 'referral.read': 'own',
    'accommodation.view': 'partnership', 'accommodation.search': 'agency', 'wha.refer': 'agency',
  },
  'sanctuary-provider': { 'wha.deliver': 'agency', 'feedback.issue': 'agency', 'feedback.results': 'agency' },
  // A therapeutic support service (counselling, play and art therapy, group programmes): its own waiting list and sessions.
  'therapy-provider': { 'therapy.deliver': 'agency', 'feedback.issue': 'agency', 'feedback.results': 'agency' },
  analyst: {
    'report.read': 'partnership', 'report.drill': 'partnership', 'accommodation.view': 'partnership', 'feedback.results': 'partnership',
    'linkage.review': 'partnership', 'import.run': 'partnership',
  },
  commissioner: { 'report.read': 'partnership', 'accommodation.view': 'partnership', 'feedback.results': 'partnership' },
  // Independent of the commissioned services: reads anonymous responses (never identities) and tags themes.
  'independent-evaluator': {
    'feedback.issue': 'partnership', 'feedback.results': 'partnership', 'feedback.responses': 'partnership',
    'feedback.evaluate': 'partnership',
  },
  administrator: { 'user.manage': 'partnership', 'audit.read': 'partnership', 'partnership.configure': 'partnership' },
}

const rank = (scope: Scope) => scopes.indexOf(scope)

/** The widest scope any of the roles grants for a permission, or null when none does. */
export function scopeFor(roles: readonly Role[], permission: Permission): Scope | null {
  let best: Scope | null = null
  for (const role of roles) {
    const granted = policy[role][permission]
    if (granted && (best === null || rank(granted) > rank(best))) best = granted
  }
  return best
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return scopeFor(roles, permission) !== null
}

/** Every permission's scope for these roles: what withActor() hands to row-level security. */
export function scopesFor(roles: readonly Role[]): Partial<Record<Permission, Scope>> {
  const result: Partial<Record<Permission, Scope>> = {}
  for (const permission of permissions) {
    const scope = scopeFor(roles, permission)
    if (scope) result[permission] = scope
  }
  return result
}
