import { type Kysely, sql, type Transaction } from 'kysely'
import type { Actor } from '../access/actor.ts'
import { scopesFor } from '../access/policy.ts'
import type { DB } from './schema.ts'

export type Tx = Transaction<DB>

export type ScopeOptions = {
  /** A break-glass read of sealed fields: the reason is required and recorded in the audit log by the caller. */
  breakGlassReason?: string
  /**
   * Plan every prepared statement in the transaction once, with a generic plan, instead of for its values: for
   * queries whose plan does not depend on the values, such as a page of cases, where planning the row-level security
   * policies costs more than running them. Only where statements are prepared and kept (a PostgreSQL server,
   * src/db/preparedStatements.ts); on PGlite a generic plan would be planned every time and is worse.
   */
  genericPlans?: boolean
}

/**
 * The database role an actor's transactions run as. Both are subject to row-level security; only
 * hearth_app_identified may read imported episodes' names, dates of birth and postcodes (column privileges,
 * migration 202611300520), and only those who import or review record linkage get it.
 */
export function applicationRole(actor: Pick<Actor, 'roles'>, scopes = scopesFor(actor.roles)): 'hearth_app' | 'hearth_app_identified' {
  return scopes['import.run'] || scopes['linkage.review'] ? 'hearth_app_identified' : 'hearth_app'
}

/**
 * Runs fn in a transaction as the application role, with the actor's partnership, identity and
 * permission scopes set for row-level security. Everything a request does to personal data goes
 * through here; repositories are handed the transaction, never the unscoped connection.
 */
export async function withActor<T>(
  db: Kysely<DB>,
  actor: Actor,
  fn: (tx: Tx) => Promise<T>,
  options: ScopeOptions = {},
): Promise<T> {
  return db.transaction().execute(async tx => {
    const scopes = scopesFor(actor.roles)
    const settings: [string, string][] = [
      ['partnership_id', actor.partnershipId],
      ['user_id', actor.userId],
      ['agency_id', actor.agencyId],
      ['team_id', actor.teamId ?? ''],
      ['roles', actor.roles.join(',')],
      ['sealed', actor.mayReadSealed ? 'on' : 'off'],
      ['break_glass_reason', options.breakGlassReason ?? ''],
      ...Object.entries(scopes).map(([permission, scope]): [string, string] => [`scope.${permission}`, scope]),
    ]
    // One round trip: the role (as SET LOCAL ROLE would), every setting and the plan cache mode, all local to the
    // transaction.
    const planCache = options.genericPlans ? [sql`set_config('plan_cache_mode', 'force_generic_plan', true)`] : []
    await sql`SELECT set_config('role', ${applicationRole(actor, scopes)}, true), ${sql.join([...settings.map(([name, value]) => sql`set_config(${'hearth.' + name}, ${value}, true)`), ...planCache])}`.execute(tx)
    return fn(tx)
  })
}

/** Runs fn in a transaction scoped to one partnership but with no user: for sign-in and other pre-session work. */
export async function withPartnership<T>(db: Kysely<DB>, partnershipId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async tx => {
    await sql`SET LOCAL ROLE hearth_app`.execute(tx)
    await sql`SELECT set_config('hearth.partnership_id', ${partnershipId}, true)`.execute(tx)
    return fn(tx)
  })
}
