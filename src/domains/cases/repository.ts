import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'

type Db = Kysely<DB>

export type CaseListRow = {
  id: string
  reference: string
  personId: string
  personName: string
  teamName: string | null
  allocatedTo: string | null
  status: string
  openedOn: string
  riskLevel: string | null
}

/**
 * A page of cases, newest first. Row-level security limits it to the actor's scope.
 *
 * A deferred join: the page's 25 case ids are chosen first from support_case alone (an index-only scan of
 * support_case_page_idx, which carries the columns the security policy looks at), then joined to the case, person,
 * team, worker and latest risk level. With a plain OFFSET, PostgreSQL would join (and run the person table's
 * security policy and the risk sub-query for) every row before the page, only to discard them.
 *
 * When the caller knows the total (it counts first), a page in the second half is read from the other end of the
 * index, so no page walks more than half of the cases.
 */
/** Where a keyset page starts: after this case in the list's order (newest first, then by id). */
export type CaseCursor = { openedOn: string; id: string }

/**
 * A page of cases, newest first, either by position (offset, optionally read from the other end when the total is
 * known) or after a cursor (keyset: the index is entered at the cursor, so every page costs the same and nothing is
 * counted).
 */
export async function casePage(db: Db, partnershipId: string, page: { offset: number; limit: number; status?: string | undefined; total?: number; after?: CaseCursor | undefined }) {
  const limit = Math.trunc(page.limit)
  const after = page.after
  const fromEnd = !after && page.total !== undefined && page.offset > page.total / 2 && page.offset < page.total
  // From the end: the page's rows are the `take` oldest after skipping the `skip` oldest.
  const take = fromEnd ? Math.min(limit, page.total! - page.offset) : limit
  const skip = fromEnd ? Math.max(0, page.total! - page.offset - limit) : page.offset
  // On a server the caller asks withActor for generic plans (ScopeOptions.genericPlans): the plan of this query does
  // not depend on the values (partnership, offset, cursor), and planning its row-level security again for every page
  // costs about 6 ms of server CPU.
  const rows = await db
    .with('page', qb => {
      let ids = qb.selectFrom('support_case').where('partnership_id', '=', partnershipId)
      if (page.status) ids = ids.where('status', '=', page.status as 'open')
      // After the cursor in (opened_on DESC, id ASC) order. "opened_on <= the cursor's date" bounds the index scan;
      // the rest of the condition only sorts out the cases opened on the same day.
      if (after) {
        ids = ids
          .where('opened_on', '<=', sql<string>`${after.openedOn}::date`)
          .where(eb => eb.or([eb('opened_on', '<', sql<string>`${after.openedOn}::date`), eb('id', '>', after.id)]))
      }
      ids = fromEnd ? ids.orderBy('opened_on', 'asc').orderBy('id', 'desc') : ids.orderBy('opened_on', 'desc').orderBy('id')
      // The page size is written into the SQL (a number we choose, never user input) so that the prepared statement's
      // generic plan knows it reads a page, and walks the index instead of sorting every case.
      const chosen = ids.select(['id', 'opened_on'])
      return (after ? chosen : chosen.offset(skip)).limit(sql.lit(take))
    })
    .selectFrom('page')
    .innerJoin('support_case as c', join => join.on('c.partnership_id', '=', partnershipId).onRef('c.id', '=', 'page.id'))
    .innerJoin('person as p', join => join.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
    .leftJoin('team as t', join => join.onRef('t.partnership_id', '=', 'c.partnership_id').onRef('t.id', '=', 'c.team_id'))
    .leftJoin('app_user as u', join => join.onRef('u.partnership_id', '=', 'c.partnership_id').onRef('u.id', '=', 'c.allocated_user_id'))
    .select(eb => [
      'c.id',
      'c.reference',
      'c.person_id as personId',
      sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'),
      't.name as teamName',
      'u.display_name as allocatedTo',
      'c.status',
      sql<string>`to_char(c.opened_on, 'YYYY-MM-DD')`.as('openedOn'),
      eb
        .selectFrom('risk_assessment as ra')
        .whereRef('ra.partnership_id', '=', 'c.partnership_id')
        .whereRef('ra.referral_id', '=', 'c.referral_id')
        .select('ra.risk_level')
        .orderBy('ra.assessed_on', 'desc')
        .orderBy('ra.created_at', 'desc')
        .limit(1)
        .as('riskLevel'),
    ])
    .orderBy('page.opened_on', 'desc')
    .orderBy('page.id')
    .execute()
  return rows as CaseListRow[]
}

export async function caseCount(db: Db, partnershipId: string, status?: string): Promise<number> {
  let query = db.selectFrom('support_case as c').where('c.partnership_id', '=', partnershipId)
  if (status) query = query.where('c.status', '=', status as 'open')
  const row = await query.select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function caseById(db: Db, partnershipId: string, caseId: string) {
  return db
    .selectFrom('support_case as c')
    .innerJoin('person as p', join => join.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
    .innerJoin('referral as r', join => join.onRef('r.partnership_id', '=', 'c.partnership_id').onRef('r.id', '=', 'c.referral_id'))
    .innerJoin('agency as ra', join => join.onRef('ra.partnership_id', '=', 'r.partnership_id').onRef('ra.id', '=', 'r.referring_agency_id'))
    .leftJoin('team as t', join => join.onRef('t.partnership_id', '=', 'c.partnership_id').onRef('t.id', '=', 'c.team_id'))
    .leftJoin('app_user as u', join => join.onRef('u.partnership_id', '=', 'c.partnership_id').onRef('u.id', '=', 'c.allocated_user_id'))
    .where('c.partnership_id', '=', partnershipId)
    .where('c.id', '=', caseId)
    .select([
      'c.id',
      'c.reference',
      'c.status',
      'c.opened_on as openedOn',
      'c.closed_on as closedOn',
      'c.engaged',
      'c.version',
      'p.id as personId',
      'p.given_name as givenName',
      'p.family_name as familyName',
      'p.date_of_birth as dateOfBirth',
      'p.sex',
      'p.postcode',
      'p.is_synthetic as isSynthetic',
      'r.referral_date as referralDate',
      'ra.name as referringAgency',
      'r.district_code as districtCode',
      't.name as teamName',
      'u.display_name as allocatedTo',
    ])
    .executeTakeFirst()
}

export async function sealedDetailsFor(db: Db, partnershipId: string, subjectType: string, subjectId: string) {
  return db
    .selectFrom('sealed_detail')
    .where('partnership_id', '=', partnershipId)
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .select(['id', 'kind', 'value', 'created_at as createdAt'])
    .orderBy('created_at', 'desc')
    .execute()
}

/** Which kinds of sealed detail a record has, without their content (a security-definer function answers). */
export async function sealedDetailKinds(db: Db, subjectType: string, subjectId: string): Promise<string[]> {
  const result = await sql<{ kind: string }>`SELECT hearth_sealed_kinds(${subjectType}, ${subjectId}::uuid) AS kind`.execute(db)
  return result.rows.map(r => r.kind)
}
