import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { dateText, nullableDateText } from '../referrals/sqlDates.ts'

type Db = Kysely<DB>

/** The meeting on a date (created when first needed: meetings follow the profile's cadence). */
export async function ensureMeeting(db: Db, partnershipId: string, meetingDate: string, kind: 'regular' | 'plus' = 'regular'): Promise<string> {
  await db.insertInto('marac_meeting')
    .values({ partnership_id: partnershipId, id: randomUUID(), meeting_date: meetingDate, kind })
    .onConflict(oc => oc.columns(['partnership_id', 'meeting_date', 'kind']).doNothing())
    .execute()
  const row = await db.selectFrom('marac_meeting').where('partnership_id', '=', partnershipId)
    .where('meeting_date', '=', meetingDate).where('kind', '=', kind).select('id').executeTakeFirstOrThrow()
  return row.id
}

export type NewMaracCase = {
  referralId: string
  personId: string
  referringAgencyId: string
  meetingId: string
  meetingDate: string
  referredOn: string
  childrenInHousehold: number
  isRepeat: boolean
  lastMaracDate: string | null
  eligibilityReasons: { code: string; text: string }[]
  userId: string
  transfer?: 'in' | 'out' | null
  transferArea?: string | null
}

export async function insertMaracCase(db: Db, partnershipId: string, c: NewMaracCase): Promise<string> {
  const id = randomUUID()
  await db.insertInto('marac_case').values({
    partnership_id: partnershipId,
    id,
    referral_id: c.referralId,
    person_id: c.personId,
    meeting_date: c.meetingDate,
    meeting_id: c.meetingId,
    referred_on: c.referredOn,
    children_in_household: c.childrenInHousehold,
    referring_agency_id: c.referringAgencyId,
    is_repeat: c.isRepeat,
    last_marac_date: c.lastMaracDate,
    eligibility_reasons: JSON.stringify(c.eligibilityReasons),
    transfer: c.transfer ?? null,
    transfer_area: c.transferArea ?? null,
    updated_by: c.userId,
    last_change: 'listed the case',
  }).execute()
  return id
}

/** Meetings on these dates that exist, with how many cases each lists (that the actor may see). */
export async function meetingsOn(db: Db, partnershipId: string, dates: string[]) {
  if (dates.length === 0) return []
  return db.selectFrom('marac_meeting as m')
    .where('m.partnership_id', '=', partnershipId)
    .where('m.meeting_date', 'in', dates)
    .select(eb => [
      'm.id', dateText('m.meeting_date').as('meetingDate'), 'm.kind',
      eb.selectFrom('marac_case as c').whereRef('c.partnership_id', '=', 'm.partnership_id').whereRef('c.meeting_id', '=', 'm.id')
        .where('c.status', '<>', 'withdrawn').select(eb2 => eb2.fn.countAll<number>().as('n')).as('cases'),
    ])
    .orderBy('m.meeting_date').execute()
}

export async function meeting(db: Db, partnershipId: string, meetingDate: string, kind: 'regular' | 'plus') {
  return db.selectFrom('marac_meeting as m')
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'm.partnership_id').onRef('u.id', '=', 'm.updated_by'))
    .where('m.partnership_id', '=', partnershipId).where('m.meeting_date', '=', meetingDate).where('m.kind', '=', kind)
    .select(['m.id', dateText('m.meeting_date').as('meetingDate'), 'm.kind', 'm.notes', 'm.version', 'm.updated_at as updatedAt',
      'm.last_change as lastChange', 'u.display_name as updatedByName'])
    .executeTakeFirst()
}

/**
 * The agenda of a meeting: the cases on it that the actor may see (row-level security decides). Cases
 * recorded before meetings had rows of their own (demo data, imports) carry only a date: they belong to the
 * regular meeting of that date.
 */
export async function agenda(db: Db, partnershipId: string, meeting: { id: string | null; meetingDate: string; kind: 'regular' | 'plus' }) {
  return db.selectFrom('marac_case as c')
    .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'c.partnership_id').onRef('a.id', '=', 'c.referring_agency_id'))
    .where('c.partnership_id', '=', partnershipId)
    .where(eb => {
      const ors = meeting.id ? [eb('c.meeting_id', '=', meeting.id)] : []
      if (meeting.kind === 'regular') ors.push(eb.and([eb('c.meeting_id', 'is', null), eb('c.meeting_date', '=', meeting.meetingDate)]))
      return ors.length ? eb.or(ors) : eb.val(false)
    })
    .select(eb => [
      'c.id', 'c.referral_id as referralId', 'c.person_id as personId', 'c.status', 'c.is_repeat as isRepeat',
      nullableDateText('c.last_marac_date').as('lastMaracDate'), 'c.children_in_household as childrenInHousehold', 'c.is_marac_plus as isMaracPlus',
      'c.transfer', 'c.transfer_area as transferArea', nullableDateText('c.referred_on').as('referredOn'), 'a.name as referringAgency',
      sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'), nullableDateText('p.date_of_birth').as('dateOfBirth'),
      eb.selectFrom('risk_assessment as ra').whereRef('ra.partnership_id', '=', 'c.partnership_id').whereRef('ra.referral_id', '=', 'c.referral_id')
        .select('ra.score').orderBy('ra.assessed_on', 'desc').orderBy('ra.created_at', 'desc').limit(1).as('score'),
      eb.selectFrom('risk_assessment as ra').whereRef('ra.partnership_id', '=', 'c.partnership_id').whereRef('ra.referral_id', '=', 'c.referral_id')
        .select('ra.risk_level').orderBy('ra.assessed_on', 'desc').orderBy('ra.created_at', 'desc').limit(1).as('riskLevel'),
      eb.selectFrom('marac_action as ma').whereRef('ma.partnership_id', '=', 'c.partnership_id').whereRef('ma.marac_case_id', '=', 'c.id')
        .select(eb2 => eb2.fn.countAll<number>().as('n')).as('actions'),
    ])
    .orderBy('c.created_at').orderBy('c.id')
    .execute()
}

export async function maracCase(db: Db, partnershipId: string, id: string) {
  return db.selectFrom('marac_case as c')
    .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'c.partnership_id').onRef('a.id', '=', 'c.referring_agency_id'))
    .leftJoin('marac_meeting as m', j => j.onRef('m.partnership_id', '=', 'c.partnership_id').onRef('m.id', '=', 'c.meeting_id'))
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'c.partnership_id').onRef('u.id', '=', 'c.updated_by'))
    .where('c.partnership_id', '=', partnershipId).where('c.id', '=', id)
    .select([
      'c.id', 'c.referral_id as referralId', 'c.person_id as personId', dateText('c.meeting_date').as('meetingDate'), 'm.kind as meetingKind',
      'c.status', 'c.is_repeat as isRepeat', nullableDateText('c.last_marac_date').as('lastMaracDate'), 'c.children_in_household as childrenInHousehold',
      'c.is_marac_plus as isMaracPlus', 'c.marac_plus_reason as maracPlusReason', 'c.transfer', 'c.transfer_area as transferArea',
      'c.eligibility_reasons as eligibilityReasons', 'c.minutes', nullableDateText('c.referred_on').as('referredOn'), 'c.version',
      'c.updated_at as updatedAt', 'c.last_change as lastChange', 'u.display_name as updatedByName',
      'a.name as referringAgency', 'c.referring_agency_id as referringAgencyId',
      'p.given_name as givenName', 'p.family_name as familyName', nullableDateText('p.date_of_birth').as('dateOfBirth'), 'p.postcode',
    ])
    .executeTakeFirst()
}

export async function caseAgencies(db: Db, partnershipId: string, maracCaseId: string) {
  return db.selectFrom('marac_case_agency as ca')
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'ca.partnership_id').onRef('a.id', '=', 'ca.agency_id'))
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'ca.partnership_id').onRef('u.id', '=', 'ca.updated_by'))
    .where('ca.partnership_id', '=', partnershipId).where('ca.marac_case_id', '=', maracCaseId)
    .select(['ca.agency_id as agencyId', 'a.name as agencyName', 'ca.research', 'ca.version', 'ca.updated_at as updatedAt', 'u.display_name as updatedByName'])
    .orderBy('a.name').execute()
}

export async function ensureCaseAgency(db: Db, partnershipId: string, maracCaseId: string, agencyId: string, userId: string) {
  await db.insertInto('marac_case_agency')
    .values({ partnership_id: partnershipId, marac_case_id: maracCaseId, agency_id: agencyId, updated_by: userId })
    .onConflict(oc => oc.columns(['partnership_id', 'marac_case_id', 'agency_id']).doNothing())
    .execute()
}

/** Actions the actor may see (their agency's, or all for the coordinator), optionally of one case. */
export async function actions(db: Db, partnershipId: string, filter: { maracCaseId?: string; openOnly?: boolean } = {}) {
  let query = db.selectFrom('marac_action as ma')
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'ma.partnership_id').onRef('a.id', '=', 'ma.owner_agency_id'))
    .innerJoin('marac_case as c', j => j.onRef('c.partnership_id', '=', 'ma.partnership_id').onRef('c.id', '=', 'ma.marac_case_id'))
    .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'ma.partnership_id').onRef('u.id', '=', 'ma.updated_by'))
    .where('ma.partnership_id', '=', partnershipId)
  if (filter.maracCaseId) query = query.where('ma.marac_case_id', '=', filter.maracCaseId)
  if (filter.openOnly) query = query.where('ma.status', '=', 'open')
  return query.select([
    'ma.id', 'ma.marac_case_id as maracCaseId', 'ma.owner_agency_id as ownerAgencyId', 'a.name as ownerAgency', 'ma.description',
    dateText('ma.due_on').as('dueOn'), 'ma.status', nullableDateText('ma.completed_on').as('completedOn'), 'ma.update_note as updateNote', 'ma.version',
    'ma.updated_at as updatedAt', 'ma.last_change as lastChange', 'u.display_name as updatedByName', 'c.person_id as personId',
    sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'), dateText('c.meeting_date').as('meetingDate'),
  ]).orderBy('ma.due_on').orderBy('a.name').orderBy('ma.id').execute()
}

/**
 * Referrals whose latest risk assessment is MARAC-eligible but which are on no agenda (the coordinator's
 * list to build agendas from): re-assessments that became eligible, and older referrals.
 */
export async function eligibleNotListed(db: Db, partnershipId: string, limit = 100) {
  return db.selectFrom('referral as r')
    .innerJoin('person as v', j => j.onRef('v.partnership_id', '=', 'r.partnership_id').onRef('v.id', '=', 'r.victim_id'))
    .innerJoin('risk_assessment as ra', j => j.onRef('ra.partnership_id', '=', 'r.partnership_id').onRef('ra.referral_id', '=', 'r.id'))
    .where('r.partnership_id', '=', partnershipId)
    .where('ra.marac_eligible', '=', true)
    .where(eb => eb.not(eb.exists(eb.selectFrom('risk_assessment as later')
      .whereRef('later.partnership_id', '=', 'ra.partnership_id').whereRef('later.referral_id', '=', 'ra.referral_id')
      .where(eb2 => eb2.or([eb2('later.assessed_on', '>', eb2.ref('ra.assessed_on')),
        eb2.and([eb2('later.assessed_on', '=', eb2.ref('ra.assessed_on')), eb2('later.created_at', '>', eb2.ref('ra.created_at'))])]))
      .select('later.id'))))
    .where(eb => eb.not(eb.exists(eb.selectFrom('marac_case as c').whereRef('c.partnership_id', '=', 'r.partnership_id')
      .whereRef('c.referral_id', '=', 'r.id').where('c.status', '<>', 'withdrawn').select('c.id'))))
    .select(['r.id', 'r.reference', dateText('r.referral_date').as('referralDate'), 'r.victim_id as victimId', 'ra.score', 'ra.risk_level as riskLevel',
      dateText('ra.assessed_on').as('assessedOn'), sql<string>`concat_ws(' ', v.given_name, v.family_name)`.as('victimName')])
    .orderBy('r.referral_date', 'desc').limit(limit).execute()
}
