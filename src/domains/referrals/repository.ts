import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { canonicalForename, normaliseName } from '../linkage/names.ts'
import { normalisePostcode } from '../linkage/postcodes.ts'
import { dateText, nullableDateText } from './sqlDates.ts'

type Db = Kysely<DB>

export type KnownPerson = {
  id: string
  givenName: string | null
  familyName: string | null
  dateOfBirth: string | null
  postcode: string | null
  sex: string | null
}

/**
 * People the actor may see who could be the person described: same date of birth, same postcode, or a
 * family or given name starting with the same letter as either name or the given name's formal form
 * ("Gosia" also looks under M for "Małgorzata"). Row-level security limits it to the actor's scope; the
 * scoring is linkage's (linkage/intake.ts). At most 500 candidates are scored.
 */
export async function matchCandidates(db: Db, partnershipId: string, probe: { givenName?: string | null; familyName?: string | null; dateOfBirth?: string | null; postcode?: string | null; sex?: string | null }, excludeIds: string[]) {
  const given = normaliseName(probe.givenName)
  const initials = [...new Set([normaliseName(probe.familyName).slice(0, 1), given.slice(0, 1), given ? canonicalForename(given).slice(0, 1) : ''].filter(Boolean))]
  const postcode = normalisePostcode(probe.postcode)
  let query = db
    .selectFrom('person as p')
    .where('p.partnership_id', '=', partnershipId)
    .where('p.date_of_birth_is_expected', '=', false)
    .where(eb => {
      const ors = []
      if (probe.dateOfBirth) ors.push(eb('p.date_of_birth', '=', probe.dateOfBirth))
      if (postcode) ors.push(eb(sql<string>`upper(replace(p.postcode, ' ', ''))`, '=', postcode))
      for (const initial of initials) {
        ors.push(eb(sql<string>`lower(left(p.family_name, 1))`, '=', initial))
        ors.push(eb(sql<string>`lower(left(p.given_name, 1))`, '=', initial))
      }
      return ors.length ? eb.or(ors) : eb.val(false)
    })
  if (excludeIds.length) query = query.where('p.id', 'not in', excludeIds)
  return query
    .select(['p.id', 'p.given_name as givenName', 'p.family_name as familyName', nullableDateText('p.date_of_birth').as('dateOfBirth'), 'p.postcode', 'p.sex'])
    .limit(500)
    .execute() as Promise<KnownPerson[]>
}

/** What is known about a person the actor may see, to show beside a possible match. */
export async function personSummaries(db: Db, partnershipId: string, ids: string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('person as p')
    .where('p.partnership_id', '=', partnershipId)
    .where('p.id', 'in', ids)
    .select(eb => [
      'p.id',
      eb.selectFrom('referral as r').whereRef('r.partnership_id', '=', 'p.partnership_id').whereRef('r.victim_id', '=', 'p.id')
        .select(eb2 => sql<string | null>`max(r.referral_date)::text`.as('d')).as('lastReferredAsVictim'),
      eb.selectFrom('referral_perpetrator as rp').innerJoin('referral as r', j => j.onRef('r.partnership_id', '=', 'rp.partnership_id').onRef('r.id', '=', 'rp.referral_id'))
        .whereRef('rp.partnership_id', '=', 'p.partnership_id').whereRef('rp.person_id', '=', 'p.id')
        .select(eb2 => sql<string | null>`max(r.referral_date)::text`.as('d')).as('lastNamedAsPerpetrator'),
    ])
    .execute()
}

export async function visiblePersonIds(db: Db, partnershipId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('person').where('partnership_id', '=', partnershipId).where('id', 'in', ids).select('id').execute()
  return new Set(rows.map(r => r.id))
}

export async function referralByIdempotencyKey(db: Db, partnershipId: string, key: string) {
  return db.selectFrom('referral').where('partnership_id', '=', partnershipId).where('idempotency_key', '=', key)
    .select(['id', 'intake_outcome']).executeTakeFirst()
}

/** A referral with the people it names, as the actor may see it. */
export async function referralById(db: Db, partnershipId: string, id: string) {
  const referral = await db
    .selectFrom('referral as r')
    .innerJoin('person as v', j => j.onRef('v.partnership_id', '=', 'r.partnership_id').onRef('v.id', '=', 'r.victim_id'))
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'r.partnership_id').onRef('a.id', '=', 'r.referring_agency_id'))
    .leftJoin('district as d', j => j.onRef('d.partnership_id', '=', 'r.partnership_id').onRef('d.code', '=', 'r.district_code'))
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'r.partnership_id').onRef('u.id', '=', 'r.created_by'))
    .where('r.partnership_id', '=', partnershipId)
    .where('r.id', '=', id)
    .select([
      'r.id', 'r.reference', dateText('r.referral_date').as('referralDate'), 'r.referral_source as referralSource', 'r.stalking',
      'r.consent_to_share as consent', 'r.lawful_basis as lawfulBasis', 'r.relationship', 'r.district_code as districtCode',
      'd.name as districtName', 'r.demographics', 'r.household', 'r.additional_needs as additionalNeeds',
      'r.is_idva_repeat as isIdvaRepeat', nullableDateText('r.idva_repeat_last_date').as('idvaRepeatLastDate'),
      'r.is_marac_repeat as isMaracRepeat', nullableDateText('r.marac_repeat_last_date').as('maracRepeatLastDate'),
      nullableDateText('r.marac_listed_on').as('maracListedOn'), 'r.intake_outcome as intakeOutcome', 'r.is_synthetic as isSynthetic',
      'r.created_at as createdAt', 'u.display_name as createdByName', 'r.referring_agency_id as referringAgencyId',
      'a.name as referringAgency', 'a.kind as referringAgencyKind',
      'v.id as victimId', 'v.given_name as victimGivenName', 'v.family_name as victimFamilyName',
      nullableDateText('v.date_of_birth').as('victimDateOfBirth'), 'v.sex as victimSex', 'v.gender_identity as victimGenderIdentity',
      'v.ethnicity as victimEthnicity', 'v.nationality as victimNationality', 'v.main_language as victimMainLanguage',
      'v.postcode as victimPostcode',
    ])
    .executeTakeFirst()
  if (!referral) return undefined
  const [perpetrators, children, assessments, links] = await Promise.all([
    perpetratorsOf(db, partnershipId, referral.id, referral.relationship),
    db.selectFrom('referral_child as rc')
      .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'rc.partnership_id').onRef('p.id', '=', 'rc.child_id'))
      .where('rc.partnership_id', '=', partnershipId).where('rc.referral_id', '=', id)
      .select(['p.id', 'p.given_name as givenName', 'p.family_name as familyName', nullableDateText('p.date_of_birth').as('dateOfBirth'),
        'p.date_of_birth_is_expected as unborn', 'p.sex', 'rc.lives_in_household as livesInHousehold'])
      .orderBy('p.date_of_birth').execute(),
    riskAssessments(db, partnershipId, id),
    db.selectFrom('person_link as l')
      .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'l.partnership_id').onRef('u.id', '=', 'l.linked_by'))
      .where('l.partnership_id', '=', partnershipId)
      .where('l.person_id', 'in', [referral.victimId])
      .select(['l.id', 'l.person_id as personId', 'l.linked_person_id as linkedPersonId', 'l.status', 'l.linked_at as linkedAt',
        'l.unlinked_at as unlinkedAt', 'l.unlink_reason as unlinkReason', 'l.version', 'l.linked_by as linkedBy', 'u.display_name as linkedByName'])
      .execute(),
  ])
  const perpetratorLinks = perpetrators.length
    ? await db.selectFrom('person_link as l')
      .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'l.partnership_id').onRef('u.id', '=', 'l.linked_by'))
      .where('l.partnership_id', '=', partnershipId).where('l.person_id', 'in', perpetrators.map(p => p.id))
      .select(['l.id', 'l.person_id as personId', 'l.linked_person_id as linkedPersonId', 'l.status', 'l.linked_at as linkedAt',
        'l.unlinked_at as unlinkedAt', 'l.unlink_reason as unlinkReason', 'l.version', 'l.linked_by as linkedBy', 'u.display_name as linkedByName'])
      .execute()
    : []
  return { ...referral, perpetrators, children, assessments, links: [...links, ...perpetratorLinks] }
}

export async function perpetratorsOf(db: Db, partnershipId: string, referralId: string, fallbackRelationship: string | null) {
  const rows = await db.selectFrom('referral_perpetrator as rp')
    .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'rp.partnership_id').onRef('p.id', '=', 'rp.person_id'))
    .where('rp.partnership_id', '=', partnershipId).where('rp.referral_id', '=', referralId)
    .select(['p.id', 'p.given_name as givenName', 'p.family_name as familyName', nullableDateText('p.date_of_birth').as('dateOfBirth'), 'p.sex', 'rp.relationship'])
    .orderBy('rp.position').execute()
  if (rows.length > 0) return rows
  // Referrals from before perpetrators had their own table (demo data, imports) name one on the referral.
  return db.selectFrom('referral as r')
    .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'r.partnership_id').onRef('p.id', '=', 'r.perpetrator_id'))
    .where('r.partnership_id', '=', partnershipId).where('r.id', '=', referralId)
    .select(['p.id', 'p.given_name as givenName', 'p.family_name as familyName', nullableDateText('p.date_of_birth').as('dateOfBirth'), 'p.sex',
      sql<string>`coalesce(${fallbackRelationship}, 'not-known')`.as('relationship')])
    .execute()
}

export async function riskAssessments(db: Db, partnershipId: string, referralId: string) {
  return db.selectFrom('risk_assessment as ra')
    .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'ra.partnership_id').onRef('u.id', '=', 'ra.assessed_by'))
    .where('ra.partnership_id', '=', partnershipId).where('ra.referral_id', '=', referralId)
    .select(['ra.id', dateText('ra.assessed_on').as('assessedOn'), 'ra.answers', 'ra.comments', 'ra.score', 'ra.risk_level as riskLevel',
      'ra.professional_judgement_reason as professionalJudgementReason', 'ra.police_call_outs_12_months as policeCallOuts12Months',
      'ra.escalation_reason as escalationReason', 'ra.marac_eligible as maracEligible', 'ra.marac_reasons as maracReasons',
      'ra.created_at as createdAt', 'u.display_name as assessedBy'])
    .orderBy('ra.assessed_on', 'desc').orderBy('ra.created_at', 'desc')
    .execute()
}

/** The referrals the actor may see, newest first (a referrer sees their own). */
export async function referralList(db: Db, partnershipId: string, limit = 50) {
  return db.selectFrom('referral as r')
    .innerJoin('person as v', j => j.onRef('v.partnership_id', '=', 'r.partnership_id').onRef('v.id', '=', 'r.victim_id'))
    .where('r.partnership_id', '=', partnershipId)
    .select(eb => [
      'r.id', 'r.reference', dateText('r.referral_date').as('referralDate'), 'r.victim_id as victimId',
      sql<string>`concat_ws(' ', v.given_name, v.family_name)`.as('victimName'),
      'r.is_idva_repeat as isIdvaRepeat', 'r.is_marac_repeat as isMaracRepeat', nullableDateText('r.marac_listed_on').as('maracListedOn'),
      eb.selectFrom('risk_assessment as ra').whereRef('ra.partnership_id', '=', 'r.partnership_id').whereRef('ra.referral_id', '=', 'r.id')
        .select('ra.risk_level').orderBy('ra.assessed_on', 'desc').orderBy('ra.created_at', 'desc').limit(1).as('riskLevel'),
    ])
    .orderBy('r.created_at', 'desc').orderBy('r.id')
    .limit(limit)
    .execute()
}
