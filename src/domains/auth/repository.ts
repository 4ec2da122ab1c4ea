import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { DB } from '../../db/schema.ts'

type Db = Kysely<DB>

export type UserForSignIn = {
  partnershipId: string
  partnershipCode: string
  partnershipName: string
  id: string
  email: string
  displayName: string
  passwordHash: string | null
  isActive: boolean
  failedSignIns: number
  lockedUntil: Date | null
  totpEnabled: boolean
  totpSecret: string | null
}

/** Accounts with this email, in every partnership of the deployment (normally one). */
export async function usersByEmail(db: Db, email: string): Promise<UserForSignIn[]> {
  return db
    .selectFrom('app_user as u')
    .innerJoin('partnership as p', 'p.partnership_id', 'u.partnership_id')
    .where('u.email', '=', email.toLowerCase())
    .select([
      'u.partnership_id as partnershipId',
      'p.code as partnershipCode',
      'p.name as partnershipName',
      'u.id',
      'u.email',
      'u.display_name as displayName',
      'u.password_hash as passwordHash',
      'u.is_active as isActive',
      'u.failed_sign_ins as failedSignIns',
      'u.locked_until as lockedUntil',
      'u.totp_enabled as totpEnabled',
      'u.totp_secret as totpSecret',
    ])
    .execute()
}

export async function recordFailedSignIn(
  db: Db,
  user: { partnershipId: string; id: string },
  change: { failedSignIns: number; lockedUntil: Date | null },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ failed_sign_ins: change.failedSignIns, locked_until: change.lockedUntil })
    .where('partnership_id', '=', user.partnershipId)
    .where('id', '=', user.id)
    .execute()
}

export async function clearFailedSignIns(db: Db, user: { partnershipId: string; id: string }): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ failed_sign_ins: 0, locked_until: null })
    .where('partnership_id', '=', user.partnershipId)
    .where('id', '=', user.id)
    .execute()
}

export async function insertSession(
  db: Db,
  session: { partnershipId: string; id: string; userId: string; secondFactorPending: boolean; now: Date },
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({
      partnership_id: session.partnershipId,
      id: session.id,
      user_id: session.userId,
      second_factor_pending: session.secondFactorPending,
      created_at: session.now,
      last_seen_at: session.now,
    })
    .execute()
}

export type SessionWithUser = {
  partnershipId: string
  partnershipName: string
  partnershipIsDemo: boolean
  sessionId: string
  createdAt: Date
  lastSeenAt: Date
  endedAt: Date | null
  secondFactorPending: boolean
  userId: string
  displayName: string
  email: string
  agencyId: string
  agencyName: string
  teamId: string | null
  isActive: boolean
  totpEnabled: boolean
  totpSecret: string | null
  roles: string[]
}

export async function sessionWithUser(db: Db, partnershipId: string, sessionId: string): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', join => join.onRef('u.partnership_id', '=', 's.partnership_id').onRef('u.id', '=', 's.user_id'))
    .innerJoin('agency as a', join => join.onRef('a.partnership_id', '=', 'u.partnership_id').onRef('a.id', '=', 'u.agency_id'))
    .innerJoin('partnership as p', 'p.partnership_id', 's.partnership_id')
    .where('s.partnership_id', '=', partnershipId)
    .where('s.id', '=', sessionId)
    .select(eb => [
      's.partnership_id as partnershipId',
      'p.name as partnershipName',
      'p.is_demo as partnershipIsDemo',
      's.id as sessionId',
      's.created_at as createdAt',
      's.last_seen_at as lastSeenAt',
      's.ended_at as endedAt',
      's.second_factor_pending as secondFactorPending',
      'u.id as userId',
      'u.display_name as displayName',
      'u.email',
      'u.agency_id as agencyId',
      'a.name as agencyName',
      'u.team_id as teamId',
      'u.is_active as isActive',
      'u.totp_enabled as totpEnabled',
      'u.totp_secret as totpSecret',
      eb
        .selectFrom('user_role as r')
        .whereRef('r.partnership_id', '=', 'u.partnership_id')
        .whereRef('r.user_id', '=', 'u.id')
        .select(sql<string[]>`coalesce(array_agg(r.role), '{}')`.as('roles'))
        .as('roles'),
    ])
    .executeTakeFirst()
  if (!row) return undefined
  return { ...row, roles: row.roles ?? [] }
}

export async function touchSession(db: Db, partnershipId: string, sessionId: string, now: Date): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ last_seen_at: now })
    .where('partnership_id', '=', partnershipId)
    .where('id', '=', sessionId)
    .execute()
}

export async function endSession(db: Db, partnershipId: string, sessionId: string, now: Date, reason: string): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ ended_at: now, end_reason: reason })
    .where('partnership_id', '=', partnershipId)
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute()
}

export async function completeSecondFactor(db: Db, partnershipId: string, sessionId: string, now: Date): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ second_factor_pending: false, last_seen_at: now })
    .where('partnership_id', '=', partnershipId)
    .where('id', '=', sessionId)
    .execute()
}

export async function partnershipCount(db: Db): Promise<number> {
  const row = await db.selectFrom('partnership').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}
