import type { Role } from './roles.ts'

/** Who is acting: a signed-in user, in one partnership, at one agency and maybe one team. */
export type Actor = {
  partnershipId: string
  userId: string
  agencyId: string
  teamId: string | null
  roles: Role[]
  displayName: string
  /** May this actor read sealed fields? Decided by the partnership profile's named roles. */
  mayReadSealed: boolean
  correlationId?: string
}

/** A command-line or system operation, recorded in the audit log under this label. */
export type SystemActor = { label: string; partnershipId: string; correlationId?: string }
