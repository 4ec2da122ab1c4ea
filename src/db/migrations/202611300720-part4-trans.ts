import { type Kysely, sql } from 'kysely'
import { inScope, may } from '../policies.ts'

/**
 * The Part 4 records (migration 202611300600, ADR 0007) gain one column: a placement adult's trans status as recorded
 * at move-in (migration 202611300710), so that the return counts trans adults (P4-C2) and the drill lists them. The
 * code only (yes, no, not-known, declined; NULL when not asked); the rest of the de-identified view is unchanged.
 * A function's result type cannot be altered, so both functions are made again, with the same grants.
 */
const RECORDS = `
  WITH spaces AS (
    SELECT 'space'::text AS kind, s.id::text AS id, u.provider_agency_id, NULL::uuid AS referring_agency_id, u.accommodation_type,
           NULL::text AS status, NULL::text AS reason, NULL::date AS started_on, NULL::date AS ended_on, NULL::text AS role,
           NULL::text AS gender, NULL::integer AS age, NULL::text AS ethnicity, NULL::text[] AS needs, u.by_and_for, NULL::text AS source, NULL::text AS trans
      FROM accommodation_space s JOIN accommodation_unit u ON u.partnership_id = s.partnership_id AND u.id = s.unit_id
     WHERE s.partnership_id = p_partnership AND u.is_active
  ), sanctuary AS (
    SELECT 'sanctuary', j.id::text, j.provider_agency_id, j.referring_agency_id, NULL, j.status, NULL, j.fitted_on, NULL::date, NULL,
           NULL, NULL::integer, NULL, NULL::text[], NULL::text[], NULL, NULL
      FROM sanctuary_job j
     WHERE j.partnership_id = p_partnership AND j.status = 'fitted' AND j.fitted_on BETWEEN p_from AND p_to
  ), stays AS (
    SELECT pl.* FROM accommodation_placement pl
     WHERE pl.partnership_id = p_partnership AND pl.moved_in_on <= p_to AND (pl.moved_out_on IS NULL OR pl.moved_out_on >= p_from)
  ), members AS (
    SELECT 'member', pl.id::text || '#' || m.member_no, pl.provider_agency_id, NULL::uuid, u.accommodation_type, NULL, NULL, pl.moved_in_on, pl.moved_out_on,
           m.member_role, m.gender, NULL::integer, NULL, NULL::text[], NULL::text[], NULL, m.trans
      FROM stays pl
      JOIN accommodation_unit u ON u.partnership_id = pl.partnership_id AND u.id = pl.unit_id
      JOIN accommodation_placement_member m ON m.partnership_id = pl.partnership_id AND m.placement_id = pl.id
  ), households AS (
    -- Each household's lead adult (the first adult member), the linked person's ethnicity code, and the support needs
    -- on the household's referral as codes (NULL: no referral).
    SELECT 'household', pl.id::text, pl.provider_agency_id, r.referring_agency_id, u.accommodation_type, NULL, NULL, pl.moved_in_on, pl.moved_out_on,
           'adult', m.gender, m.age_at_move_in, per.ethnicity,
           CASE WHEN r.id IS NULL THEN NULL ELSE array_remove(ARRAY[
             CASE WHEN r.household -> 'mentalHealthSupport' = 'true'::jsonb THEN 'mental-health' END,
             CASE WHEN r.household -> 'substanceUseSupport' = 'true'::jsonb THEN 'substance-use' END,
             CASE WHEN r.household -> 'nrpf' = 'true'::jsonb THEN 'nrpf' END,
             CASE WHEN jsonb_typeof(r.household -> 'communities') = 'array' AND r.household -> 'communities' @> '["lgbt-plus"]'::jsonb THEN 'lgbt-plus' END,
             CASE WHEN jsonb_typeof(r.household -> 'communities') = 'array' AND r.household -> 'communities' @> '["deaf"]'::jsonb THEN 'deaf' END
           ]::text[], NULL) END,
           NULL::text[], NULL, m.trans
      FROM stays pl
      JOIN accommodation_unit u ON u.partnership_id = pl.partnership_id AND u.id = pl.unit_id
      LEFT JOIN LATERAL (SELECT * FROM accommodation_placement_member m WHERE m.partnership_id = pl.partnership_id AND m.placement_id = pl.id AND m.member_role = 'adult' ORDER BY m.member_no LIMIT 1) m ON true
      LEFT JOIN person per ON per.partnership_id = pl.partnership_id AND per.id = coalesce(m.person_id, pl.person_id)
      LEFT JOIN accommodation_referral r ON r.partnership_id = pl.partnership_id AND r.id = pl.referral_id
  ), referrals AS (
    SELECT 'referral', r.id::text, r.provider_agency_id, r.referring_agency_id, u.accommodation_type, r.status, r.decline_reason, r.referred_on,
           (r.decided_at AT TIME ZONE 'Europe/London')::date, NULL, NULL, NULL::integer, NULL, NULL::text[], NULL::text[], a.kind, NULL
      FROM accommodation_referral r
      JOIN accommodation_unit u ON u.partnership_id = r.partnership_id AND u.id = r.unit_id
      JOIN agency a ON a.partnership_id = r.partnership_id AND a.id = r.referring_agency_id
     WHERE r.partnership_id = p_partnership AND r.referred_on BETWEEN p_from AND p_to
  ), declined AS (
    SELECT 'declined', r.id::text, r.provider_agency_id, r.referring_agency_id, u.accommodation_type, r.status, r.decline_reason, r.referred_on,
           (r.decided_at AT TIME ZONE 'Europe/London')::date, NULL, NULL, NULL::integer, NULL, NULL::text[], NULL::text[], NULL, NULL
      FROM accommodation_referral r
      JOIN accommodation_unit u ON u.partnership_id = r.partnership_id AND u.id = r.unit_id
     WHERE r.partnership_id = p_partnership AND r.status = 'declined' AND (r.decided_at AT TIME ZONE 'Europe/London')::date BETWEEN p_from AND p_to
  ), ended AS (
    SELECT 'ended', pl.id::text, pl.provider_agency_id, NULL::uuid, u.accommodation_type, NULL, coalesce(pl.move_on_destination, 'not-known'), pl.moved_in_on,
           pl.moved_out_on, NULL, NULL, NULL::integer, NULL, NULL::text[], NULL::text[], NULL, NULL
      FROM accommodation_placement pl JOIN accommodation_unit u ON u.partnership_id = pl.partnership_id AND u.id = pl.unit_id
     WHERE pl.partnership_id = p_partnership AND pl.moved_out_on BETWEEN p_from AND p_to
  )
  SELECT * FROM spaces UNION ALL SELECT * FROM sanctuary UNION ALL SELECT * FROM members UNION ALL SELECT * FROM households
  UNION ALL SELECT * FROM referrals UNION ALL SELECT * FROM declined UNION ALL SELECT * FROM ended`

const COLUMNS = `kind text, id text, provider_agency_id uuid, referring_agency_id uuid, accommodation_type text, status text, reason text,
  started_on date, ended_on date, role text, gender text, age integer, ethnicity text, needs text[], by_and_for text[], source text, trans text`

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION hearth_report_drill_part4(date, date)').execute(db)
  await sql.raw('DROP FUNCTION hearth_part4_records(uuid, date, date)').execute(db)
  await sql.raw(`CREATE FUNCTION hearth_part4_records(p_partnership uuid, p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SET search_path = public AS $$ ${RECORDS} $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_part4_records(uuid, date, date) FROM PUBLIC').execute(db)
  await sql.raw(`CREATE FUNCTION hearth_report_drill_part4(p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
      SELECT r.* FROM hearth_part4_records(hearth_partnership(), p_from, p_to) r
       WHERE ${may('report.drill')}
         AND (${inScope('report.drill', 'r.provider_agency_id', null, null)} OR ${inScope('report.drill', 'r.referring_agency_id', null, null)})
    $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_report_drill_part4(date, date) FROM PUBLIC').execute(db)
  await sql.raw('GRANT EXECUTE ON FUNCTION hearth_report_drill_part4(date, date) TO hearth_app').execute(db)
}

export async function down(): Promise<void> {
  throw new Error('Forward only: restore the functions of migration 202611300600 by hand if ever needed.')
}
