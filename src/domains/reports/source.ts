/**
 * The IDVA referrals every report counts, as one SQL relation: imported `service_episode` rows with
 * service = idva, and referrals entered in the app that became IDVA support cases. Repeats are computed
 * here from the history, never read from a column: a referral is a repeat when the same victim and the same
 * perpetrator had an earlier referral (an earlier date) and this one is within the repeat window in force
 * on its date of the pair's LAST earlier referral (src/domains/referrals/rules.ts, isIdvaRepeat).
 *
 * The victim is the agency's person_ref for imported rows (within the agency) and the person id for app
 * referrals (within the case's agency): until record linkage publishes a mapping of people, the unit counted is the referral (episode).
 */
import { type RawBuilder, sql } from 'kysely'
import { addMonths } from '../partnership/effectiveDated.ts'
import type { PartnershipProfile } from '../partnership/profile.ts'
import { idvaRepeatWindows } from './rules.ts'

export type EpisodeWindow = { partnershipId: string; from: string; to: string; agencyId?: string | null }

/** How far back the history must go for repeats in [from, to]: the longest window in the profile. */
export function historyStart(profile: PartnershipProfile, from: string): string {
  const longest = Math.max(1, ...profile.repeatWindows.map(w => w.idvaMonths))
  return addMonths(from, -longest)
}

/** `prev + the window in force on d` as SQL (a CASE over the profile's effective periods). */
export function repeatCondition(profile: PartnershipProfile, from: string, to: string): RawBuilder<boolean> {
  const first = profile.repeatWindows.map(w => w.effectiveFrom).sort()[0]
  if (first === undefined || first > to) return sql<boolean>`false`
  const segments = idvaRepeatWindows(profile, { from: from < first ? first : from, to })
  const cases = segments.map(s => sql`WHEN f.d BETWEEN ${s.from}::date AND ${s.to}::date THEN f.d <= (f.prev + make_interval(months => ${s.months}::int))::date`)
  return sql<boolean>`(f.perp IS NOT NULL AND f.prev IS NOT NULL AND CASE ${sql.join(cases, sql` `)} ELSE false END)`
}

const unknownRef = sql`('', 'not-known', 'declined')`

/** The columns of an imported IDVA referral (alias e), as both relations below select them. */
const importedColumns = sql`'imported' AS source, 'imported:' || e.agency_id::text || ':' || e.record_id AS key, e.record_id, e.agency_id,
           e.referral_date AS d, e.team, e.district,
           e.person_ref AS victim,
           CASE WHEN coalesce(e.perpetrator_ref, '') IN ${unknownRef} THEN NULL ELSE e.perpetrator_ref END AS perp,
           e.engaged = 'yes' AS engaged,
           e.sex = 'male' AS male,
           coalesce(cardinality(array_remove(array_remove(array_remove(e.disability, 'none'), 'not-known'), 'declined')), 0) > 0 AS disabled,
           (e.sexual_orientation IN ('gay-lesbian', 'bisexual') OR e.trans = 'yes' OR e.gender_identity = 'non-binary') AS lgbt`

/**
 * The relation `ep` (one row per IDVA referral in [from, to], with the columns below) as a CTE body.
 * key: 'imported:<agency id>:<record_id>' or 'app:<support case id>'.
 */
export function idvaEpisodes(w: EpisodeWindow): RawBuilder<unknown> {
  const agencyImported = w.agencyId ? sql`AND e.agency_id = ${w.agencyId}::uuid` : sql``
  const agencyApp = w.agencyId ? sql`AND sc.agency_id = ${w.agencyId}::uuid` : sql``
  return sql`
    SELECT ${importedColumns}
      FROM service_episode e
     WHERE e.partnership_id = ${w.partnershipId}::uuid AND e.service = 'idva'
       AND e.referral_date BETWEEN ${w.from}::date AND ${w.to}::date ${agencyImported}
    UNION ALL
    SELECT 'app', 'app:' || sc.id::text, sc.reference, sc.agency_id,
           r.referral_date, t.code, r.district_code,
           r.victim_id::text, r.perpetrator_id::text,
           coalesce(sc.engaged, false), p.sex = 'male', false,
           coalesce(p.gender_identity = 'non-binary', false)
      FROM support_case sc
      JOIN referral r ON r.partnership_id = sc.partnership_id AND r.id = sc.referral_id
      JOIN person p ON p.partnership_id = r.partnership_id AND p.id = r.victim_id
      JOIN agency a ON a.partnership_id = sc.partnership_id AND a.id = sc.agency_id AND a.kind = 'idva-service'
      LEFT JOIN team t ON t.partnership_id = sc.partnership_id AND t.id = sc.team_id
     WHERE sc.partnership_id = ${w.partnershipId}::uuid
       AND r.referral_date BETWEEN ${w.from}::date AND ${w.to}::date ${agencyApp}`
}

/**
 * `f`: the IDVA referrals dated in any of `periods`, each with `prev`, the date of the same victim and
 * perpetrator's last referral on an earlier date, back to `historyFrom` (the same agency, as `flaggedCte`).
 * Imported referrals look their pair's history up in the index service_episode_idva_pair_idx (one probe per
 * referral, and none without a perpetrator: such a referral is never a repeat), so only the periods'
 * referrals are read and nothing is sorted; app referrals (few) use the window over their own history.
 */
export function flaggedEpisodes(w: { partnershipId: string; agencyId?: string | null; historyFrom: string; periods: readonly { from: string; to: string }[] }): RawBuilder<unknown> {
  const inPeriods = (column: RawBuilder<unknown>) => sql`(${sql.join(w.periods.map(p => sql`${column} BETWEEN ${p.from}::date AND ${p.to}::date`), sql` OR `)})`
  const last = w.periods.map(p => p.to).sort().at(-1)!
  const agencyImported = w.agencyId ? sql`AND e.agency_id = ${w.agencyId}::uuid` : sql``
  const agencyApp = w.agencyId ? sql`AND sc.agency_id = ${w.agencyId}::uuid` : sql``
  return sql`
    SELECT ${importedColumns},
           CASE WHEN coalesce(e.perpetrator_ref, '') IN ${unknownRef} THEN NULL ELSE
             (SELECT max(h.referral_date) FROM service_episode h
               WHERE h.partnership_id = e.partnership_id AND h.service = 'idva' AND h.agency_id = e.agency_id
                 AND h.person_ref = e.person_ref AND h.perpetrator_ref = e.perpetrator_ref
                 AND h.referral_date < e.referral_date AND h.referral_date >= ${w.historyFrom}::date) END AS prev
      FROM service_episode e
     WHERE e.partnership_id = ${w.partnershipId}::uuid AND e.service = 'idva' AND ${inPeriods(sql`e.referral_date`)} ${agencyImported}
    UNION ALL
    SELECT a.* FROM (
      SELECT 'app' AS source, 'app:' || sc.id::text AS key, sc.reference AS record_id, sc.agency_id,
             r.referral_date AS d, t.code AS team, r.district_code AS district,
             r.victim_id::text AS victim, r.perpetrator_id::text AS perp,
             coalesce(sc.engaged, false) AS engaged, p.sex = 'male' AS male, false AS disabled,
             coalesce(p.gender_identity = 'non-binary', false) AS lgbt,
             max(r.referral_date) OVER (PARTITION BY sc.agency_id, r.victim_id::text, r.perpetrator_id::text ORDER BY r.referral_date
                                        RANGE BETWEEN UNBOUNDED PRECEDING AND '1 day'::interval PRECEDING) AS prev
        FROM support_case sc
        JOIN referral r ON r.partnership_id = sc.partnership_id AND r.id = sc.referral_id
        JOIN person p ON p.partnership_id = r.partnership_id AND p.id = r.victim_id
        JOIN agency ag ON ag.partnership_id = sc.partnership_id AND ag.id = sc.agency_id AND ag.kind = 'idva-service'
        LEFT JOIN team t ON t.partnership_id = sc.partnership_id AND t.id = sc.team_id
       WHERE sc.partnership_id = ${w.partnershipId}::uuid
         AND r.referral_date BETWEEN ${w.historyFrom}::date AND ${last}::date ${agencyApp}
    ) a WHERE ${inPeriods(sql`a.d`)}`
}

/** `flagged`: the episodes with `prev`, the pair's last referral on an earlier date. */
export const flaggedCte = sql`
  SELECT ep.*, max(ep.d) OVER (PARTITION BY ep.agency_id, ep.source, ep.victim, ep.perp ORDER BY ep.d
                               RANGE BETWEEN UNBOUNDED PRECEDING AND '1 day'::interval PRECEDING) AS prev
    FROM ep`
