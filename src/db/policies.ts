/**
 * Row-level security expressions that read the actor's settings ONCE per query, not once per row.
 *
 * The first migrations wrote policies as `hearth_in_scope('case.read', agency_id, team_id, allocated_user_id)` and
 * `hearth_may('user.manage')`. PostgreSQL inlines those SQL functions into every policy, so every row a query looks
 * at re-reads four or five settings with current_setting() and parses a uuid from text: counting 10,000 cases took
 * 10 ms. Written with scalar sub-selects, `(SELECT hearth_setting('agency_id')::uuid)`, each setting becomes an
 * InitPlan that PostgreSQL evaluates once per query; the per-row test is then a plain comparison (1.4 ms for the
 * same count). The meaning is identical: a NULL setting or a NULL column never matches, and a policy that comes out
 * NULL denies, exactly as before.
 *
 * New migrations write policies with inScope() and may(); migration 202611300500 rewrote the existing ones with
 * rewritePolicyExpression(), which turns the old calls into the same text these produce.
 */

const setting = (name: string, cast = '') => `(SELECT hearth_setting('${name}')${cast})`

const COLUMN = /^(?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/
const PERMISSION = /^[a-z][a-z0-9.-]*$/

function checked(permission: string, columns: (string | null)[]) {
  if (!PERMISSION.test(permission)) throw new Error(`Not a permission name: ${permission}`)
  for (const c of columns) if (c !== null && !COLUMN.test(c)) throw new Error(`Not a column reference: ${c}`)
}

/**
 * Is a row with this agency, team and owner within the actor's scope for a permission? The scope for each
 * permission is set per transaction by withActor() from the one access policy (src/access/policy.ts):
 * partnership, agency, team (the team's rows and the actor's own), own, or none.
 */
export function inScope(permission: string, agency: string | null, team: string | null, owner: string | null): string {
  checked(permission, [agency, team, owner])
  // `column IS NOT NULL AND column = setting`, as hearth_in_scope() had it, so the result is the same in every case
  // (false, not NULL, for a row without an owner), even under NOT.
  const is = (column: string, name: string) => `(${column} IS NOT NULL AND ${column} = ${setting(name, '::uuid')})`
  const own = owner ? is(owner, 'user_id') : null
  const byTeam = [team ? is(team, 'team_id') : null, own].filter(Boolean).join(' OR ')
  return `(CASE ${setting(`scope.${permission}`)}`
    + ` WHEN 'partnership' THEN true`
    + ` WHEN 'agency' THEN ${agency ? is(agency, 'agency_id') : 'false'}`
    + ` WHEN 'team' THEN ${byTeam ? `(${byTeam})` : 'false'}`
    + ` WHEN 'own' THEN ${own ?? 'false'}`
    + ` ELSE false END)`
}

/** Does the actor hold a permission at all (in any scope)? */
export function may(permission: string): string {
  checked(permission, [])
  return `(${setting(`scope.${permission}`)} IS NOT NULL)`
}

// How pg_get_expr prints the old calls: hearth_in_scope('case.read'::text, c.agency_id, NULL::uuid, created_by)
const ARG = String.raw`((?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*|NULL::uuid)`
const IN_SCOPE_CALL = new RegExp(String.raw`hearth_in_scope\('([a-z0-9.-]+)'::text, ${ARG}, ${ARG}, ${ARG}\)`, 'g')
const MAY_CALL = /hearth_may\('([a-z0-9.-]+)'::text\)/g

/** Rewrites a policy expression as printed by PostgreSQL, replacing every hearth_in_scope() and hearth_may() call. */
export function rewritePolicyExpression(expression: string): string {
  const column = (arg: string) => (arg === 'NULL::uuid' ? null : arg)
  return expression
    .replace(IN_SCOPE_CALL, (_all, permission: string, agency: string, team: string, owner: string) =>
      inScope(permission, column(agency), column(team), column(owner)))
    .replace(MAY_CALL, (_all, permission: string) => may(permission))
}

/** Whether an expression still calls the per-row functions. */
export const callsPerRowFunctions = (expression: string | null) => expression !== null && /hearth_in_scope\(|hearth_may\(/.test(expression)
