import { type Kysely, sql } from 'kysely'
import { callsPerRowFunctions, rewritePolicyExpression } from '../policies.ts'

/**
 * Rewrites every row-level security policy that calls hearth_in_scope() or hearth_may() so that the actor's
 * settings are read once per query (InitPlans) instead of once per row: see src/db/policies.ts. Same meaning,
 * same names, same commands and roles; only the expressions change. Policies are found in the catalogue, so this
 * covers every table that exists when it runs; later migrations write policies with inScope() and may().
 *
 * Forward only: the old expressions are the ones the earlier migrations wrote, and the functions they called are
 * kept, so there is nothing to undo for correctness.
 */
type PolicyRow = { tablename: string; policyname: string; permissive: string; roles: string[] | string; cmd: string; qual: string | null; with_check: string | null }

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`
const rolesOf = (roles: string[] | string) =>
  (Array.isArray(roles) ? roles : roles.replace(/^\{|\}$/g, '').split(',')).map(r => (r === 'public' ? 'PUBLIC' : ident(r))).join(', ')

export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<PolicyRow>`
    SELECT tablename, policyname, permissive, roles::text[] AS roles, cmd, qual, with_check
    FROM pg_policies WHERE schemaname = current_schema()
    ORDER BY tablename, policyname`.execute(db)
  for (const p of rows) {
    if (!callsPerRowFunctions(p.qual) && !callsPerRowFunctions(p.with_check)) continue
    const using = p.qual === null ? '' : ` USING (${rewritePolicyExpression(p.qual)})`
    const check = p.with_check === null ? '' : ` WITH CHECK (${rewritePolicyExpression(p.with_check)})`
    await sql.raw(`DROP POLICY ${ident(p.policyname)} ON ${ident(p.tablename)}`).execute(db)
    await sql.raw(`CREATE POLICY ${ident(p.policyname)} ON ${ident(p.tablename)} AS ${p.permissive} FOR ${p.cmd}`
      + ` TO ${rolesOf(p.roles)}${using}${check}`).execute(db)
  }
}
