import { type Kysely, sql } from 'kysely'
import { inScope, may } from '../policies.ts'

/**
 * Drill-down into the needs assessment's safe accommodation section (docs/decisions/0007-report-drill-into-safe-
 * accommodation.md, amendment "The needs assessment's safe accommodation figures").
 *
 * The section counts the same kinds of record as the Part 4 return, over any period and with other rules: rooms of the
 * units that were active or had a household in during the period (the Part 4 return: active units only); every stay
 * that overlapped the period, with its move-on destination (the Part 4 return: households, and apart the stays ended);
 * and the units themselves, so that a type with no rooms still has its row. So it has functions of its own, a sibling
 * pair of migration 202611300600's, with a subset of the same de-identified columns: the record's id, the provider,
 * the referring agency (referrals only), the accommodation type, status, reason code (decline reason; a stay's
 * move-on destination) and dates. Never a name, date of birth, address, contact detail or free text.
 *
 * - hearth_needs_accommodation_records(partnership, from, to): every such record, one row each. Not executable by the
 *   application role: the needs assessment computes the section from it on the owner connection.
 * - hearth_report_drill_needs_accommodation(from, to): the same rows for the actor's partnership, only with report.drill,
 *   and only records whose provider or referring agency is in the actor's report.drill scope. SECURITY DEFINER,
 *   executable by hearth_app.
 */
const RECORDS = `
  WITH units AS (
    SELECT u.* FROM accommodation_unit u
     WHERE u.partnership_id = p_partnership
       AND (u.is_active OR EXISTS (SELECT 1 FROM accommodation_placement pl WHERE pl.partnership_id = u.partnership_id AND pl.unit_id = u.id
                                      AND pl.moved_in_on <= p_to AND (pl.moved_out_on IS NULL OR pl.moved_out_on >= p_from)))
  )
  SELECT 'unit'::text AS kind, u.id::text AS id, u.provider_agency_id, NULL::uuid AS referring_agency_id, u.accommodation_type,
         NULL::text AS status, NULL::text AS reason, NULL::date AS started_on, NULL::date AS ended_on
    FROM units u
  UNION ALL
  SELECT 'space', s.id::text, u.provider_agency_id, NULL::uuid, u.accommodation_type, NULL, NULL, NULL::date, NULL::date
    FROM accommodation_space s JOIN units u ON u.partnership_id = s.partnership_id AND u.id = s.unit_id
  UNION ALL
  SELECT 'stay', pl.id::text, pl.provider_agency_id, NULL::uuid, u.accommodation_type, NULL, pl.move_on_destination, pl.moved_in_on, pl.moved_out_on
    FROM accommodation_placement pl JOIN accommodation_unit u ON u.partnership_id = pl.partnership_id AND u.id = pl.unit_id
   WHERE pl.partnership_id = p_partnership AND pl.moved_in_on <= p_to AND (pl.moved_out_on IS NULL OR pl.moved_out_on >= p_from)
  UNION ALL
  SELECT 'referral', r.id::text, r.provider_agency_id, r.referring_agency_id, u.accommodation_type, r.status, r.decline_reason, r.referred_on,
         (r.decided_at AT TIME ZONE 'Europe/London')::date
    FROM accommodation_referral r JOIN accommodation_unit u ON u.partnership_id = r.partnership_id AND u.id = r.unit_id
   WHERE r.partnership_id = p_partnership AND r.referred_on BETWEEN p_from AND p_to
  UNION ALL
  SELECT 'declined', r.id::text, r.provider_agency_id, r.referring_agency_id, u.accommodation_type, r.status, coalesce(r.decline_reason, 'other'), r.referred_on,
         (r.decided_at AT TIME ZONE 'Europe/London')::date
    FROM accommodation_referral r JOIN accommodation_unit u ON u.partnership_id = r.partnership_id AND u.id = r.unit_id
   WHERE r.partnership_id = p_partnership AND r.status = 'declined' AND (r.decided_at AT TIME ZONE 'Europe/London')::date BETWEEN p_from AND p_to`

const COLUMNS = `kind text, id text, provider_agency_id uuid, referring_agency_id uuid, accommodation_type text, status text, reason text,
  started_on date, ended_on date`

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`CREATE FUNCTION hearth_needs_accommodation_records(p_partnership uuid, p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SET search_path = public AS $$ ${RECORDS} $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_needs_accommodation_records(uuid, date, date) FROM PUBLIC').execute(db)
  await sql.raw(`CREATE FUNCTION hearth_report_drill_needs_accommodation(p_from date, p_to date) RETURNS TABLE (${COLUMNS})
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
      SELECT r.* FROM hearth_needs_accommodation_records(hearth_partnership(), p_from, p_to) r
       WHERE ${may('report.drill')}
         AND (${inScope('report.drill', 'r.provider_agency_id', null, null)} OR ${inScope('report.drill', 'r.referring_agency_id', null, null)})
    $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_report_drill_needs_accommodation(date, date) FROM PUBLIC').execute(db)
  await sql.raw('GRANT EXECUTE ON FUNCTION hearth_report_drill_needs_accommodation(date, date) TO hearth_app').execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_report_drill_needs_accommodation(date, date)').execute(db)
  await sql.raw('DROP FUNCTION IF EXISTS hearth_needs_accommodation_records(uuid, date, date)').execute(db)
}
