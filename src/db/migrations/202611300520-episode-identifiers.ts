import { type Kysely, sql } from 'kysely'

/**
 * Least privilege for imported episodes' identifiers. Row-level security decides which episodes a reader sees
 * (report.read for figures, import.run for the importer); until now whoever could see an episode's row could also
 * read its name, date of birth and postcode. Reports and the data quality report need none of them.
 *
 * - The application role hearth_app loses SELECT on service_episode's given_name, family_name, date_of_birth and
 *   postcode (column privileges), so a commissioner's or manager's transaction cannot read them, whatever a route
 *   asks for.
 * - A second role, hearth_app_identified, is hearth_app plus those columns. withActor() takes it only for an actor
 *   who imports (import.run) or reviews record linkage (linkage.review): the people whose work is the identifiers.
 * - What the figures need from the identifiers is stored beside them as generated columns: age_at_referral (from
 *   the date of birth, else the recorded age) and whether each identifier was recorded: NULL when blank, the code
 *   when the agency sent not-known or declined, otherwise 'recorded'.
 * - The data quality report's "records another agency also has" compares names across every agency; it is a
 *   security-definer function that returns counts only, for the agencies the reader may report on.
 */
const IDENTIFIERS = ['given_name', 'family_name', 'date_of_birth', 'postcode'] as const

/** NULL when blank; the code when the agency sent not-known or declined; otherwise 'recorded'. */
const recorded = (column: string) => column === 'date_of_birth'
  ? `CASE WHEN ${column} IS NULL THEN NULL ELSE 'recorded' END`
  : `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} IN ('not-known', 'declined') THEN ${column} ELSE 'recorded' END`

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`DO $$ BEGIN
      CREATE ROLE hearth_app_identified NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`).execute(db)
  // Roles are shared by every database on the server, and test databases migrate at the same time: a concurrent
  // grant of the same membership can fail, and is fine if the membership is there afterwards.
  await sql.raw(`DO $$ BEGIN
      IF NOT pg_has_role('hearth_app_identified', 'hearth_app', 'MEMBER') THEN GRANT hearth_app TO hearth_app_identified; END IF;
    EXCEPTION WHEN OTHERS THEN
      IF NOT pg_has_role('hearth_app_identified', 'hearth_app', 'MEMBER') THEN RAISE; END IF;
    END $$`).execute(db)

  await sql.raw(`ALTER TABLE service_episode
    ADD COLUMN age_at_referral integer GENERATED ALWAYS AS (
      CASE WHEN date_of_birth IS NOT NULL THEN date_part('year', age(referral_date::timestamp, date_of_birth::timestamp))::integer ELSE age END) STORED,
    ${IDENTIFIERS.map(c => `ADD COLUMN ${c}_recorded text GENERATED ALWAYS AS (${recorded(c)}) STORED`).join(',\n    ')}`).execute(db)

  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'service_episode' ORDER BY ordinal_position`.execute(db)
  const readable = rows.map(r => r.column_name).filter(c => !(IDENTIFIERS as readonly string[]).includes(c))
  await sql.raw('REVOKE SELECT ON service_episode FROM hearth_app').execute(db)
  await sql.raw(`GRANT SELECT (${readable.map(c => `"${c}"`).join(', ')}) ON service_episode TO hearth_app`).execute(db)
  await sql.raw(`GRANT SELECT (${IDENTIFIERS.join(', ')}) ON service_episode TO hearth_app_identified`).execute(db)

  // Episodes in the period with a name and date of birth, per agency the reader may report on, and how many of
  // those people (same normalised names and date of birth) another agency also has, at any time.
  await sql.raw(`CREATE FUNCTION hearth_quality_shared_people(p_from date, p_to date)
    RETURNS TABLE (agency_id uuid, linkable integer, linked integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
      WITH keyed AS (
        SELECT e.agency_id, lower(btrim(e.given_name)) AS g, lower(btrim(e.family_name)) AS f, e.date_of_birth AS d, e.referral_date
        FROM service_episode e
        WHERE e.partnership_id = hearth_partnership()
          AND e.given_name IS NOT NULL AND e.family_name IS NOT NULL AND e.date_of_birth IS NOT NULL
      ), people AS (
        SELECT g, f, d, count(DISTINCT k.agency_id) AS agencies FROM keyed k GROUP BY g, f, d
      )
      SELECT k.agency_id, count(*)::integer, (count(*) FILTER (WHERE people.agencies > 1))::integer
      FROM keyed k JOIN people ON people.g = k.g AND people.f = k.f AND people.d = k.d
      WHERE k.referral_date BETWEEN p_from AND p_to
        AND (hearth_in_scope('report.read', k.agency_id, NULL, NULL) OR hearth_may_import(k.agency_id))
      GROUP BY k.agency_id
    $$`).execute(db)
  await sql.raw('REVOKE ALL ON FUNCTION hearth_quality_shared_people(date, date) FROM PUBLIC').execute(db)
  await sql.raw('GRANT EXECUTE ON FUNCTION hearth_quality_shared_people(date, date) TO hearth_app').execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_quality_shared_people(date, date)').execute(db)
  await sql.raw(`REVOKE SELECT (${IDENTIFIERS.join(', ')}) ON service_episode FROM hearth_app_identified`).execute(db)
  await sql.raw('GRANT SELECT ON service_episode TO hearth_app').execute(db)
  await sql.raw(`ALTER TABLE service_episode DROP COLUMN age_at_referral, ${IDENTIFIERS.map(c => `DROP COLUMN ${c}_recorded`).join(', ')}`).execute(db)
}
