import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import { z } from 'zod'
import type { Actor } from '../../access/actor.ts'
import { roles } from '../../access/roles.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { hashPassword, passwordProblems } from './passwords.ts'

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter an email address in the correct format, like name@example.org'),
  displayName: z.string().trim().min(1, 'Enter the person’s name').max(200, 'Name must be 200 characters or fewer'),
  agencyCode: z.string().trim().min(1, 'Select an agency'),
  teamCode: z.string().trim().optional().transform(v => v || undefined),
  roles: z.array(z.enum(roles)).min(1, 'Select at least one role'),
  password: z.string().optional(),
})
export type NewUser = z.infer<typeof newUserSchema>

export class UserInputError extends Error {
  readonly problems: { field: string; message: string }[]
  constructor(problems: { field: string; message: string }[]) {
    super(problems.map(p => `${p.field}: ${p.message}`).join('; '))
    this.problems = problems
  }
}

export class ConcurrentEditError extends Error {
  readonly current: { version: number; updatedAt: Date }
  constructor(current: { version: number; updatedAt: Date }) {
    super('Someone else changed this record after you opened it')
    this.current = current
  }
}

type Db = Kysely<DB>

async function resolveAgencyAndTeam(db: Db, partnershipId: string, input: { agencyCode: string; teamCode?: string | undefined }) {
  const agency = await db
    .selectFrom('agency')
    .where('partnership_id', '=', partnershipId)
    .where('code', '=', input.agencyCode)
    .select('id')
    .executeTakeFirst()
  const problems: { field: string; message: string }[] = []
  if (!agency) problems.push({ field: 'agencyCode', message: `There is no agency with code “${input.agencyCode}”` })
  let teamId: string | null = null
  if (input.teamCode) {
    const team = await db
      .selectFrom('team')
      .where('partnership_id', '=', partnershipId)
      .where('code', '=', input.teamCode)
      .select('id')
      .executeTakeFirst()
    if (!team) problems.push({ field: 'teamCode', message: `There is no team with code “${input.teamCode}”` })
    else teamId = team.id
  }
  if (problems.length) throw new UserInputError(problems)
  return { agencyId: agency!.id, teamId }
}

/** Inserts a user. `db` is either the owner connection (CLI) or an actor-scoped transaction (web). */
async function insertUser(db: Db, partnershipId: string, input: NewUser, options: { synthetic?: boolean } = {}): Promise<string> {
  const { agencyId, teamId } = await resolveAgencyAndTeam(db, partnershipId, input)
  if (input.password !== undefined) {
    const problems = passwordProblems(input.password, input.email)
    if (problems.length) throw new UserInputError(problems.map(message => ({ field: 'password', message })))
  }
  const existing = await db
    .selectFrom('app_user')
    .where('partnership_id', '=', partnershipId)
    .where('email', '=', input.email)
    .select('id')
    .executeTakeFirst()
  if (existing) throw new UserInputError([{ field: 'email', message: `A user with email ${input.email} already exists` }])
  const id = randomUUID()
  await db
    .insertInto('app_user')
    .values({
      partnership_id: partnershipId,
      id,
      email: input.email,
      display_name: input.displayName,
      agency_id: agencyId,
      team_id: teamId,
      password_hash: input.password === undefined ? null : await hashPassword(input.password),
      is_synthetic: options.synthetic ?? false,
    })
    .execute()
  await db.insertInto('user_role').values(input.roles.map(role => ({ partnership_id: partnershipId, user_id: id, role }))).execute()
  return id
}

/** Creates a user from the command line (no actor yet: used for the first administrator). */
export async function createUserAsOperator(
  db: Db,
  partnershipCode: string,
  raw: unknown,
  options: { operator: string; synthetic?: boolean },
): Promise<{ userId: string; partnershipId: string }> {
  const parsed = newUserSchema.safeParse(raw)
  if (!parsed.success) {
    throw new UserInputError(parsed.error.issues.map(i => ({ field: i.path.join('.'), message: i.message })))
  }
  return db.transaction().execute(async tx => {
    const partnership = await tx.selectFrom('partnership').where('code', '=', partnershipCode).select('partnership_id').executeTakeFirst()
    if (!partnership) throw new UserInputError([{ field: 'partnership', message: `There is no partnership with code “${partnershipCode}”` }])
    const userId = await insertUser(tx, partnership.partnership_id, parsed.data, { synthetic: options.synthetic ?? false })
    await recordAudit(tx, { partnershipId: partnership.partnership_id, label: options.operator }, {
      action: 'USER_CREATE',
      subjectType: 'user',
      subjectId: userId,
      fields: ['email', 'displayName', 'agency', 'team', 'roles'],
    })
    return { userId, partnershipId: partnership.partnership_id }
  })
}

export type UserListItem = {
  id: string
  email: string
  displayName: string
  agencyName: string
  teamName: string | null
  roles: string[]
  isActive: boolean
  lockedUntil: Date | null
  totpEnabled: boolean
  version: number
  updatedAt: Date
}

export function createUserAdminService(deps: { db: Db }) {
  const { db } = deps

  const listQuery = (tx: Db, partnershipId: string) =>
    tx
      .selectFrom('app_user as u')
      .innerJoin('agency as a', join => join.onRef('a.partnership_id', '=', 'u.partnership_id').onRef('a.id', '=', 'u.agency_id'))
      .leftJoin('team as t', join => join.onRef('t.partnership_id', '=', 'u.partnership_id').onRef('t.id', '=', 'u.team_id'))
      .where('u.partnership_id', '=', partnershipId)
      .select(eb => [
        'u.id',
        'u.email',
        'u.display_name as displayName',
        'a.name as agencyName',
        't.name as teamName',
        'u.is_active as isActive',
        'u.locked_until as lockedUntil',
        'u.totp_enabled as totpEnabled',
        'u.version',
        'u.updated_at as updatedAt',
        sql<string[]>`coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM user_role r
          WHERE r.partnership_id = u.partnership_id AND r.user_id = u.id), '{}')`.as('roles'),
      ])

  return {
    async list(actor: Actor): Promise<UserListItem[]> {
      return withActor(db, actor, async tx => {
        if (!(await sql<{ ok: boolean }>`SELECT hearth_may('user.manage') AS ok`.execute(tx)).rows[0]?.ok) return []
        const rows = await listQuery(tx, actor.partnershipId).orderBy('u.display_name').execute()
        await recordAudit(tx, actor, { action: 'USER_LIST_VIEW', subjectType: 'user-list' })
        return rows
      })
    },
    async get(actor: Actor, userId: string): Promise<UserListItem | undefined> {
      return withActor(db, actor, async tx => {
        if (!(await sql<{ ok: boolean }>`SELECT hearth_may('user.manage') AS ok`.execute(tx)).rows[0]?.ok) return undefined
        return listQuery(tx, actor.partnershipId).where('u.id', '=', userId).executeTakeFirst()
      })
    },
    async create(actor: Actor, raw: unknown): Promise<string> {
      const parsed = newUserSchema.safeParse(raw)
      if (!parsed.success) throw new UserInputError(parsed.error.issues.map(i => ({ field: i.path.join('.'), message: i.message })))
      return withActor(db, actor, async tx => {
        const id = await insertUser(tx, actor.partnershipId, parsed.data)
        await recordAudit(tx, actor, { action: 'USER_CREATE', subjectType: 'user', subjectId: id, fields: ['email', 'displayName', 'agency', 'team', 'roles'] })
        return id
      })
    },
    /** Updates roles and status, refusing if the record changed since `version` was read. */
    async update(
      actor: Actor,
      userId: string,
      change: { roles: string[]; isActive: boolean; unlock: boolean; version: number },
    ): Promise<void> {
      const parsedRoles = z.array(z.enum(roles)).min(1, 'Select at least one role').safeParse(change.roles)
      if (!parsedRoles.success) throw new UserInputError([{ field: 'roles', message: parsedRoles.error.issues[0]!.message }])
      await withActor(db, actor, async tx => {
        const updated = await tx
          .updateTable('app_user')
          .set(eb => ({
            is_active: change.isActive,
            version: eb('version', '+', 1),
            updated_at: new Date(),
            ...(change.unlock ? { locked_until: null, failed_sign_ins: 0 } : {}),
          }))
          .where('partnership_id', '=', actor.partnershipId)
          .where('id', '=', userId)
          .where('version', '=', change.version)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) === 0) {
          const current = await tx
            .selectFrom('app_user')
            .where('partnership_id', '=', actor.partnershipId)
            .where('id', '=', userId)
            .select(['version', 'updated_at'])
            .executeTakeFirst()
          if (!current) throw new UserInputError([{ field: 'user', message: 'User not found' }])
          throw new ConcurrentEditError({ version: current.version, updatedAt: current.updated_at })
        }
        await tx.deleteFrom('user_role').where('partnership_id', '=', actor.partnershipId).where('user_id', '=', userId).execute()
        await tx
          .insertInto('user_role')
          .values(parsedRoles.data.map(role => ({ partnership_id: actor.partnershipId, user_id: userId, role })))
          .execute()
        if (!change.isActive) {
          await tx.updateTable('user_session').set({ ended_at: new Date(), end_reason: 'deactivated' })
            .where('partnership_id', '=', actor.partnershipId).where('user_id', '=', userId).where('ended_at', 'is', null).execute()
        }
        await recordAudit(tx, actor, {
          action: 'USER_UPDATE',
          subjectType: 'user',
          subjectId: userId,
          fields: ['roles', 'isActive', ...(change.unlock ? ['lockedUntil'] : [])],
        })
      })
    },
    async agenciesAndTeams(actor: Actor) {
      return withActor(db, actor, async tx => ({
        agencies: await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).select(['code', 'name']).orderBy('name').execute(),
        teams: await tx.selectFrom('team').where('partnership_id', '=', actor.partnershipId).select(['code', 'name']).orderBy('name').execute(),
      }))
    },
  }
}

export type UserAdminService = ReturnType<typeof createUserAdminService>
