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
 * A deferred join: the page's 25 case ids are chosen first from support_case alone, then joined to the
 * person, team, worker and latest risk level. With a plain OFFSET, PostgreSQL would join (and run the
 * person table's security policy and the risk sub-query for) every row before the page, only to discard them.
 */
export async function casePage(db: Db, partnershipId: string, page: { offset: number; limit: number; status?: string | undefined }) {
  const rows = await db
    .with('page', qb => {
      let cases = qb.selectFrom('support_case').where('partnership_id', '=', partnershipId)
      if (page.status) cases = cases.where('status', '=', page.status as 'open')
      return cases
        .select(['partnership_id', 'id', 'reference', 'person_id', 'referral_id', 'team_id', 'allocated_user_id', 'status', 'opened_on'])
        .orderBy('opened_on', 'desc').orderBy('id').offset(page.offset)
        // The page size is written into the SQL (it is a number we choose, never user input) so that the prepared statement's
        // generic plan knows it reads 25 rows and walks the (opened_on, id) index instead of sorting every case.
        .limit(sql.lit(Math.trunc(page.limit)))
    })
    .selectFrom('page')
    .innerJoin('person as p', join => join.onRef('p.partnership_id', '=', 'page.partnership_id').onRef('p.id', '=', 'page.person_id'))
    .leftJoin('team as t', join => join.onRef('t.partnership_id', '=', 'page.partnership_id').onRef('t.id', '=', 'page.team_id'))
    .leftJoin('app_user as u', join => join.onRef('u.partnership_id', '=', 'page.partnership_id').onRef('u.id', '=', 'page.allocated_user_id'))
    .select(eb => [
      'page.id',
      'page.reference',
      'page.person_id as personId',
      sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'),
      't.name as teamName',
      'u.display_name as allocatedTo',
      'page.status',
      sql<string>`to_char(page.opened_on, 'YYYY-MM-DD')`.as('openedOn'),
      eb
        .selectFrom('risk_assessment as ra')
        .whereRef('ra.partnership_id', '=', 'page.partnership_id')
        .whereRef('ra.referral_id', '=', 'page.referral_id')
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
