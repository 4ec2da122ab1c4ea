import { type Kysely, sql } from 'kysely'
import { inScope, may } from '../policies.ts'

/**
 * Drill-down into the MARAC figures (docs/decisions/0007-report-drill-into-safe-accommodation.md, amendment "MARAC
 * cases recorded in the app").
 *
 * MARAC cases recorded in the app are open to MARAC roles only (marac_case_read), so an analyst drilling from the
 * quarterly report's MARAC figure, the needs assessment's MARAC benchmark or the SafeLives Marac return saw only the
 * imported MARAC records. The lead decided that users with report.drill may read, for the drill only, a de-identified
 * view of the app's MARAC cases. It is enforced here, as migration 202611300600 does for safe accommodation:
 *
 * - hearth_marac_case_records(partnership, from, to): every MARAC case recorded in the app with a meeting date in the
 *   period, one row each, with only the decided columns: the case id, its reference (the referral's), the meeting
 *   date, the referring agency, whether it was withdrawn (the return does not count withdrawn cases), and the flags the
 *   figures count: repeat (as the coordinator confirmed it at listing), children in the household, the victim
 *   racially minoritised, LGBT+ (non-binary: the app records no sexual orientation or trans status on a person), male,
 *   and the age band on the meeting date. Never a name, date of birth, ethnicity or other code, address, contact,
 *   risk narrative, action text, minutes or any free text. Disability is not recorded on the app's MARAC cases (the
 *   return counts none), so there is no column for it. The figures are computed from these rows on the owner
 *   connection; the application role may not execute it.
 * - hearth_report_drill_marac(from, to): the same rows, for the actor's partnership, only when the transaction's
 *   settings give the actor report.drill, and only cases whose referring agency is in their report.drill scope.
 *   SECURITY DEFINER, executable by hearth_app: the one way the application role reaches these cases for a drill.
 *
 * "Racially minoritised" is an inferred rule kept in MARAC_RETURN_DEFINITIONS.notMinoritised (maracReturn.ts); the list
 * is fixed here as it stood when the function was made, and a test checks that the two agree. Changing the rule means
 * changing both: a new migration that makes the functions again.
 */
export const NOT_MINORITISED = ['white-british', 'white-irish', 'white-other'] as const

/** The age bands of the view: the needs assessment's, with 16-17 apart (the Marac return counts victims aged 16-17). */
const AGE_BAND = `CASE WHEN p.date_of_birth IS NULL THEN 'not-known' ELSE (
    SELECT CASE WHEN x.age < 16 THEN 'under-16' WHEN x.age <= 17 THEN '16-17' WHEN x.age <= 24 THEN '18-24' WHEN x.age <= 34 THEN '25-34'
                WHEN x.age <= 44 THEN '35-44' WHEN x.age <= 54 THEN '45-54' WHEN x.age <= 64 THEN '55-64' WHEN x.age <= 74 THEN '65-74' ELSE '75+' END
      FROM (SELECT date_part('year', age(mc.meeting_date, p.date_of_birth))::int AS age) x) END`

const RECORDS = `
  SELECT mc.id, r.reference, mc.meeting_date, mc.referring_agency_id, mc.status = 'withdrawn', mc.is_repeat, mc.children_in_household,
         p.ethnicity IS NOT NULL AND p.ethnicity NOT IN ('not-known', 'declined') AND p.ethnicity <> ALL (ARRAY[${NOT_MINORITISED.map(c => `'${c}'`).join(', ')}]::text[]),
         coalesce(p.gender_identity = 'non-binary', false), coalesce(p.sex = 'male', false), ${AGE_BAND}
    FROM marac_case mc
    JOIN referral r ON r.partnership_id = mc.partnership_id AND r.id = mc.referral_id
    JOIN person p ON p.partnership_id = mc.partnership_id AND p.id = mc.person_id
   WHERE mc.partnership_id = p_partnership AND mc.meeting_date BETWEEN p_from AND p_to`

export const MARAC_DRILL_COLUMNS = ['id', 'reference', 'meeting_date', 'referring_agency_id', 'withdrawn', 'repeat', 'children', 'minoritised', 'lgbt', 'male', 'age_band'] as const

const COLUMNS = `id uuid, reference text, meeting_date date, referring_agency_id uuid, withdrawn boolean, repeat boolean, children integer,
  minoritised boolean, lgbt boolean, male boolean, age_band text`

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`CREATE FUNCTION hearth_marac_case_records(p_partnership uuid, p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SET search_path = public AS $$ ${RECORDS} $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_marac_case_records(uuid, date, date) FROM PUBLIC').execute(db)
  await sql.raw(`CREATE FUNCTION hearth_report_drill_marac(p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
      SELECT r.* FROM hearth_marac_case_records(hearth_partnership(), p_from, p_to) r
       WHERE ${may('report.drill')} AND ${inScope('report.drill', 'r.referring_agency_id', null, null)}
    $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_report_drill_marac(date, date) FROM PUBLIC').execute(db)
  await sql.raw('GRANT EXECUTE ON FUNCTION hearth_report_drill_marac(date, date) TO hearth_app').execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_report_drill_marac(date, date)').execute(db)
  await sql.raw('DROP FUNCTION IF EXISTS hearth_marac_case_records(uuid, date, date)').execute(db)
}
