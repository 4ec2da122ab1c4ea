import { type Kysely, sql } from 'kysely'

/**
 * Repeat detection over linked people (issues 4 and 7). Frozen once shipped.
 *
 * An IDVA repeat is the same victim with the same perpetrator within the window of that pair's last referral;
 * a MARAC repeat is the same victim within the window of their last MARAC. "The same person" now means the
 * same person-cluster: people linked at intake (person_link), AND people record linkage put in one cluster
 * (linkage_record, latest plaintext run, reviewers' decisions applied), AND the people of the agencies'
 * imported episodes in that cluster. So a repeat is found when the earlier referral was imported, or was
 * recorded under a differently spelt person record.
 *
 * - hearth_person_cluster(p) is replaced: people in the app the same as p (p included), through active
 *   person_link rows either way and linkage clusters, transitively. Still returns ids only.
 * - hearth_cluster_key(p): an opaque key of p's cluster (a hash, not anybody's id), equal for everyone in it.
 * - hearth_agency_person_cluster_key(agency, ref): the same key for an agency's person (person_ref or
 *   perpetrator_ref of an imported episode): the key of the app people in its linkage cluster, else a key of
 *   its linkage cluster, else its own.
 * - hearth_repeat_history(victim, before): the earlier referrals that can make this victim's referral a repeat,
 *   whoever made them and however they arrived: app referrals, app MARAC cases, imported IDVA and MARAC
 *   episodes of the victim's cluster, each with its date, agency, the cluster keys of its victim and
 *   perpetrators, and the referral id (the caller shows the reference only if the user may see the referral).
 *   No names, dates of birth or any other field of the earlier record.
 *
 * All are SECURITY DEFINER (they must see across scopes to find a repeat), limited to the transaction's
 * partnership, executable by hearth_app only.
 */
const statements: string[] = [
  `CREATE OR REPLACE FUNCTION hearth_person_cluster(p uuid) RETURNS SETOF uuid
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     WITH RECURSIVE cluster(id) AS (
       SELECT p
       UNION
       SELECT n.id FROM cluster c CROSS JOIN LATERAL (
         SELECT CASE WHEN l.person_id = c.id THEN l.linked_person_id ELSE l.person_id END AS id
           FROM person_link l
          WHERE l.partnership_id = hearth_partnership() AND l.status = 'active'
            AND (l.person_id = c.id OR l.linked_person_id = c.id)
         UNION ALL
         SELECT o.person_id
           FROM linkage_record r
           JOIN linkage_record o ON o.partnership_id = r.partnership_id AND o.cluster_id = r.cluster_id
          WHERE r.partnership_id = hearth_partnership() AND r.mode = 'plaintext' AND r.person_id = c.id
            AND o.person_id IS NOT NULL
       ) n
     )
     SELECT id FROM cluster
   $$`,

  `CREATE FUNCTION hearth_cluster_key(p uuid) RETURNS text
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT md5('person:' || hearth_partnership()::text || ':' || min(c.id::text)) FROM hearth_person_cluster(p) AS c(id)
   $$`,

  `CREATE FUNCTION hearth_agency_person_cluster_key(p_agency uuid, p_ref text) RETURNS text
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT coalesce(
       (SELECT min(hearth_cluster_key(o.person_id))
          FROM linkage_record r
          JOIN linkage_record o ON o.partnership_id = r.partnership_id AND o.cluster_id = r.cluster_id
         WHERE r.partnership_id = hearth_partnership() AND r.record_key = 'e:' || p_agency::text || ':' || p_ref
           AND o.person_id IS NOT NULL),
       (SELECT md5('cluster:' || hearth_partnership()::text || ':' || min(r.cluster_id::text))
          FROM linkage_record r
         WHERE r.partnership_id = hearth_partnership()
           AND r.record_key IN ('e:' || p_agency::text || ':' || p_ref, 'x:' || p_agency::text || ':' || p_ref)
        HAVING count(*) > 0),
       md5('agency:' || hearth_partnership()::text || ':' || p_agency::text || ':' || p_ref))
   $$`,

  `CREATE FUNCTION hearth_repeat_history(p_victim uuid, p_before date)
   RETURNS TABLE (kind text, source text, on_date date, agency_id uuid, agency_name text, referral_id uuid,
                  victim_cluster text, perpetrator_clusters text[])
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     WITH people AS (SELECT c.id FROM hearth_person_cluster(p_victim) AS c(id)),
     agency_people AS (
       SELECT DISTINCT o.agency_id, o.person_ref
         FROM linkage_record r
         JOIN linkage_record o ON o.partnership_id = r.partnership_id AND o.cluster_id = r.cluster_id
        WHERE r.partnership_id = hearth_partnership() AND r.mode = 'plaintext' AND r.person_id IN (SELECT id FROM people)
          AND o.agency_id IS NOT NULL AND o.person_ref IS NOT NULL
     )
     SELECT 'idva', 'referral', r.referral_date, r.referring_agency_id, a.name, r.id, hearth_cluster_key(r.victim_id),
            ARRAY(SELECT DISTINCT hearth_cluster_key(x.id) FROM (
                    SELECT r.perpetrator_id AS id WHERE r.perpetrator_id IS NOT NULL
                    UNION
                    SELECT rp.person_id FROM referral_perpetrator rp WHERE rp.partnership_id = r.partnership_id AND rp.referral_id = r.id) x)
       FROM referral r
       JOIN agency a ON a.partnership_id = r.partnership_id AND a.id = r.referring_agency_id
      WHERE r.partnership_id = hearth_partnership() AND r.referral_date < p_before AND r.victim_id IN (SELECT id FROM people)
     UNION ALL
     SELECT 'marac', 'marac-case', coalesce(m.referred_on, m.meeting_date), m.referring_agency_id, a.name, m.referral_id,
            hearth_cluster_key(m.person_id), ARRAY[]::text[]
       FROM marac_case m
       LEFT JOIN agency a ON a.partnership_id = m.partnership_id AND a.id = m.referring_agency_id
      WHERE m.partnership_id = hearth_partnership() AND m.status <> 'withdrawn'
        AND coalesce(m.referred_on, m.meeting_date) < p_before AND m.person_id IN (SELECT id FROM people)
     UNION ALL
     SELECT e.service, 'import', e.referral_date, e.agency_id, a.name, NULL::uuid,
            hearth_agency_person_cluster_key(e.agency_id, e.person_ref),
            CASE WHEN coalesce(e.perpetrator_ref, '') IN ('', 'not-known', 'declined') THEN ARRAY[]::text[]
                 ELSE ARRAY[hearth_agency_person_cluster_key(e.agency_id, e.perpetrator_ref)] END
       FROM service_episode e
       JOIN agency_people ap ON ap.agency_id = e.agency_id AND ap.person_ref = e.person_ref
       JOIN agency a ON a.partnership_id = e.partnership_id AND a.id = e.agency_id
      WHERE e.partnership_id = hearth_partnership() AND e.service IN ('idva', 'marac') AND e.referral_date < p_before
   $$`,

  `REVOKE ALL ON FUNCTION hearth_cluster_key(uuid) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION hearth_agency_person_cluster_key(uuid, text) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION hearth_repeat_history(uuid, date) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_cluster_key(uuid) TO hearth_app`,
  `GRANT EXECUTE ON FUNCTION hearth_agency_person_cluster_key(uuid, text) TO hearth_app`,
  `GRANT EXECUTE ON FUNCTION hearth_repeat_history(uuid, date) TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP FUNCTION IF EXISTS hearth_repeat_history(uuid, date)',
    'DROP FUNCTION IF EXISTS hearth_agency_person_cluster_key(uuid, text)',
    'DROP FUNCTION IF EXISTS hearth_cluster_key(uuid)',
  ]) await sql.raw(statement).execute(db)
  // hearth_person_cluster as 202611291300-casework made it: intake links only.
  await sql.raw(`CREATE OR REPLACE FUNCTION hearth_person_cluster(p uuid) RETURNS SETOF uuid
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     WITH RECURSIVE cluster(id) AS (
       SELECT p
       UNION
       SELECT CASE WHEN l.person_id = c.id THEN l.linked_person_id ELSE l.person_id END
       FROM person_link l JOIN cluster c ON (l.person_id = c.id OR l.linked_person_id = c.id)
       WHERE l.partnership_id = hearth_partnership() AND l.status = 'active'
     )
     SELECT id FROM cluster
   $$`).execute(db)
}
