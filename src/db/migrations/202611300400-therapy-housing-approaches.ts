import { type Kysely, sql } from 'kysely'

/**
 * Whole Housing Approach: therapeutic support and housing approaches get their workflows.
 *
 * - Therapeutic support (children and adults): the referral gains the kind of support, a link to the
 *   household's support case where one exists, and its sessions (attended, did not attend, cancelled), recorded
 *   by the providing agency. The waiting list is the referrals still waiting; the waiting time runs from the
 *   referral to the first attended session.
 * - Housing approaches (H-CLIC style): the prevention and relief duties with their start and end dates, the
 *   main duty decision with its date and a link to the support case where one exists; temporary accommodation
 *   episodes keep who recorded them.
 * - Tighter insert policies: a referral or an approach is recorded as oneself, for one's own agency.
 * - Matching: the occupancy function reads placements through an index holding the room (index-only scans),
 *   and an occupancy counter (bumped by triggers on placements and referrals) lets a process keep who is in
 *   each room and check it is current with the one-row query it already makes for the inventory.
 */
const statements: string[] = [
  `ALTER TABLE therapeutic_referral
     ADD COLUMN support_case_id uuid,
     ADD COLUMN support_kind text NOT NULL DEFAULT 'counselling'
       CHECK (support_kind IN ('counselling', 'play-therapy', 'art-therapy', 'group-programme', 'trauma-therapy', 'other')),
     ADD COLUMN closure_note text,
     ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
     ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
     ADD COLUMN updated_by uuid,
     ADD CONSTRAINT therapeutic_referral_case_fk FOREIGN KEY (partnership_id, support_case_id) REFERENCES support_case (partnership_id, id),
     ADD CONSTRAINT therapeutic_referral_started CHECK (started_on IS NULL OR started_on >= referred_on),
     ADD CONSTRAINT therapeutic_referral_ended CHECK (ended_on IS NULL OR ended_on >= referred_on),
     ADD CONSTRAINT therapeutic_referral_in_support CHECK (status <> 'in-support' OR started_on IS NOT NULL)`,
  `CREATE INDEX therapeutic_referral_provider_idx ON therapeutic_referral (partnership_id, provider_agency_id, status, referred_on)`,
  `CREATE INDEX therapeutic_referral_referrer_idx ON therapeutic_referral (partnership_id, referring_agency_id, referred_on)`,

  `CREATE TABLE therapeutic_session (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     referral_id uuid NOT NULL,
     session_on date NOT NULL,
     attendance text NOT NULL CHECK (attendance IN ('attended', 'did-not-attend', 'cancelled')),
     recorded_by uuid NOT NULL,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     is_synthetic boolean NOT NULL DEFAULT false,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES therapeutic_referral (partnership_id, id),
     FOREIGN KEY (partnership_id, recorded_by) REFERENCES app_user (partnership_id, id)
   )`,
  `CREATE INDEX therapeutic_session_referral_idx ON therapeutic_session (partnership_id, referral_id, session_on)`,

  `ALTER TABLE housing_approach
     ADD COLUMN support_case_id uuid,
     ADD COLUMN prevention_started_on date,
     ADD COLUMN prevention_ended_on date,
     ADD COLUMN relief_started_on date,
     ADD COLUMN relief_ended_on date,
     ADD COLUMN main_duty_decided_on date,
     ADD COLUMN main_duty_decision text CHECK (main_duty_decision IN ('main-duty-owed', 'intentionally-homeless', 'no-priority-need',
       'not-homeless', 'not-eligible')),
     ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
     ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
     ADD COLUMN updated_by uuid,
     ADD CONSTRAINT housing_approach_case_fk FOREIGN KEY (partnership_id, support_case_id) REFERENCES support_case (partnership_id, id),
     ADD CONSTRAINT housing_approach_prevention CHECK ((prevention_started_on IS NULL OR prevention_started_on >= approached_on)
       AND (prevention_ended_on IS NULL OR (prevention_started_on IS NOT NULL AND prevention_ended_on >= prevention_started_on))),
     ADD CONSTRAINT housing_approach_relief CHECK ((relief_started_on IS NULL OR relief_started_on >= approached_on)
       AND (relief_ended_on IS NULL OR (relief_started_on IS NOT NULL AND relief_ended_on >= relief_started_on))),
     ADD CONSTRAINT housing_approach_main_duty CHECK ((main_duty_decided_on IS NULL) = (main_duty_decision IS NULL)
       AND (main_duty_decided_on IS NULL OR (relief_started_on IS NOT NULL AND main_duty_decided_on >= relief_started_on)))`,
  `CREATE INDEX housing_approach_agency_idx ON housing_approach (partnership_id, agency_id, approached_on)`,

  `ALTER TABLE temporary_accommodation_episode
     ADD COLUMN recorded_by uuid,
     ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now(),
     ADD CONSTRAINT temporary_accommodation_episode_recorded_by_fk FOREIGN KEY (partnership_id, recorded_by) REFERENCES app_user (partnership_id, id)`,
  `CREATE INDEX temporary_accommodation_episode_approach_idx ON temporary_accommodation_episode (partnership_id, approach_id, placed_on)`,

  // Row-level security for the sessions: seen with the referral; recorded by the providing agency only.
  `ALTER TABLE therapeutic_session ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY therapeutic_session_partnership ON therapeutic_session AS RESTRICTIVE USING (partnership_id = hearth_partnership())
     WITH CHECK (partnership_id = hearth_partnership())`,
  `CREATE POLICY therapeutic_session_read ON therapeutic_session FOR SELECT
     USING (EXISTS (SELECT 1 FROM therapeutic_referral r WHERE r.partnership_id = therapeutic_session.partnership_id
            AND r.id = therapeutic_session.referral_id))`,
  `CREATE POLICY therapeutic_session_insert ON therapeutic_session FOR INSERT
     WITH CHECK (recorded_by = hearth_setting('user_id')::uuid
       AND EXISTS (SELECT 1 FROM therapeutic_referral r WHERE r.partnership_id = therapeutic_session.partnership_id
            AND r.id = therapeutic_session.referral_id AND hearth_in_scope('wha.deliver', r.provider_agency_id, NULL, NULL)))`,
  `GRANT SELECT, INSERT ON therapeutic_session TO hearth_app`,

  // A referral or an approach is recorded as oneself, for one's own agency.
  `DROP POLICY therapeutic_referral_insert ON therapeutic_referral`,
  `CREATE POLICY therapeutic_referral_insert ON therapeutic_referral FOR INSERT
     WITH CHECK (hearth_may('wha.refer') AND referred_by = hearth_setting('user_id')::uuid
       AND referring_agency_id = hearth_setting('agency_id')::uuid)`,
  `DROP POLICY housing_approach_insert ON housing_approach`,
  `CREATE POLICY housing_approach_insert ON housing_approach FOR INSERT
     WITH CHECK (hearth_may('wha.refer') AND recorded_by = hearth_setting('user_id')::uuid
       AND agency_id = hearth_setting('agency_id')::uuid)`,
  // Episodes are written only by those who may update the approach (its recorder's scope under wha.refer).
  `DROP POLICY temporary_accommodation_episode_all ON temporary_accommodation_episode`,
  `CREATE POLICY temporary_accommodation_episode_read ON temporary_accommodation_episode FOR SELECT
     USING (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
            AND a.id = temporary_accommodation_episode.approach_id))`,
  `CREATE POLICY temporary_accommodation_episode_write ON temporary_accommodation_episode FOR INSERT
     WITH CHECK (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
            AND a.id = temporary_accommodation_episode.approach_id AND hearth_in_scope('wha.refer', a.agency_id, NULL, a.recorded_by)))`,
  `CREATE POLICY temporary_accommodation_episode_update ON temporary_accommodation_episode FOR UPDATE
     USING (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
            AND a.id = temporary_accommodation_episode.approach_id AND hearth_in_scope('wha.refer', a.agency_id, NULL, a.recorded_by)))`,

  // Matching reads who is in each room now. An index holding the room lets the occupancy function read only the
  // index (the open placements and the few that end after the day asked about), whatever the history; the
  // function is rewritten as two index-only scans (an OR of the two cannot be one).
  `CREATE INDEX accommodation_placement_in_now_idx ON accommodation_placement (partnership_id, moved_out_on, moved_in_on) INCLUDE (space_id)`,
  `CREATE OR REPLACE FUNCTION hearth_accommodation_space_state(p_on date)
   RETURNS TABLE (occupied uuid[], held uuid[])
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT
       coalesce((SELECT array_agg(DISTINCT x.space_id) FROM (
                   SELECT p.space_id FROM accommodation_placement p
                   WHERE p.partnership_id = hearth_partnership() AND p.moved_out_on IS NULL AND p.moved_in_on <= p_on
                   UNION ALL
                   SELECT p.space_id FROM accommodation_placement p
                   WHERE p.partnership_id = hearth_partnership() AND p.moved_out_on > p_on AND p.moved_in_on <= p_on) x), '{}'),
       coalesce((SELECT array_agg(DISTINCT r.space_id) FROM accommodation_referral r
                 WHERE r.partnership_id = hearth_partnership() AND r.status = 'accepted' AND r.space_id IS NOT NULL), '{}')
     WHERE hearth_may('accommodation.view')
   $$`,
  // A second counter beside the inventory's, bumped by every change to placements and to referrals' status or
  // room: a process can keep who is in each room (no personal data: room ids) and know with the same tiny query
  // as the inventory's whether it is still current, so a search reads one row instead of every open placement.
  `ALTER TABLE accommodation_inventory_version ADD COLUMN occupancy_version bigint NOT NULL DEFAULT 0`,
  `CREATE FUNCTION accommodation_occupancy_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
   BEGIN
     INSERT INTO accommodation_inventory_version AS v (partnership_id, occupancy_version)
       VALUES (coalesce(NEW.partnership_id, OLD.partnership_id), 1)
       ON CONFLICT (partnership_id) DO UPDATE SET occupancy_version = v.occupancy_version + 1;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER accommodation_placement_occupancy_bump AFTER INSERT OR UPDATE OR DELETE ON accommodation_placement
     FOR EACH ROW EXECUTE FUNCTION accommodation_occupancy_bump()`,
  `CREATE TRIGGER accommodation_referral_occupancy_bump AFTER INSERT OR DELETE OR UPDATE OF status, space_id ON accommodation_referral
     FOR EACH ROW EXECUTE FUNCTION accommodation_occupancy_bump()`,
  // A search keeps every unit's reasons (about 40 kB for 500 units). Kept as json, not jsonb: it is only ever
  // read back whole, never queried inside, and storing jsonb cost the server about 2.5 ms a search against
  // 0.5 ms for json compressed with lz4 (where the server has lz4; otherwise its default compression).
  `ALTER TABLE accommodation_search ALTER COLUMN results TYPE json USING results::json`,
  `DO $$ BEGIN
     ALTER TABLE accommodation_search ALTER COLUMN results SET COMPRESSION lz4;
   EXCEPTION WHEN OTHERS THEN
     NULL; -- built without lz4 (PGlite): keep the default compression
   END $$`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  const undo = [
    `ALTER TABLE accommodation_search ALTER COLUMN results SET COMPRESSION default`,
    `ALTER TABLE accommodation_search ALTER COLUMN results TYPE jsonb USING results::jsonb`,
    `DROP TRIGGER IF EXISTS accommodation_placement_occupancy_bump ON accommodation_placement`,
    `DROP TRIGGER IF EXISTS accommodation_referral_occupancy_bump ON accommodation_referral`,
    `DROP FUNCTION IF EXISTS accommodation_occupancy_bump()`,
    `ALTER TABLE accommodation_inventory_version DROP COLUMN occupancy_version`,
    `CREATE OR REPLACE FUNCTION hearth_accommodation_space_state(p_on date)
     RETURNS TABLE (occupied uuid[], held uuid[])
     LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
       SELECT
         coalesce((SELECT array_agg(DISTINCT p.space_id) FROM accommodation_placement p
                   WHERE p.partnership_id = hearth_partnership() AND (p.moved_out_on IS NULL OR p.moved_out_on > p_on)
                     AND p.moved_in_on <= p_on), '{}'),
         coalesce((SELECT array_agg(DISTINCT r.space_id) FROM accommodation_referral r
                   WHERE r.partnership_id = hearth_partnership() AND r.status = 'accepted' AND r.space_id IS NOT NULL), '{}')
       WHERE hearth_may('accommodation.view')
     $$`,
    `DROP INDEX IF EXISTS accommodation_placement_in_now_idx`,
    `DROP POLICY IF EXISTS temporary_accommodation_episode_read ON temporary_accommodation_episode`,
    `DROP POLICY IF EXISTS temporary_accommodation_episode_write ON temporary_accommodation_episode`,
    `DROP POLICY IF EXISTS temporary_accommodation_episode_update ON temporary_accommodation_episode`,
    `CREATE POLICY temporary_accommodation_episode_all ON temporary_accommodation_episode FOR ALL
       USING (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
              AND a.id = temporary_accommodation_episode.approach_id))
       WITH CHECK (EXISTS (SELECT 1 FROM housing_approach a WHERE a.partnership_id = temporary_accommodation_episode.partnership_id
              AND a.id = temporary_accommodation_episode.approach_id))`,
    `DROP POLICY housing_approach_insert ON housing_approach`,
    `CREATE POLICY housing_approach_insert ON housing_approach FOR INSERT WITH CHECK (hearth_may('wha.refer'))`,
    `DROP POLICY therapeutic_referral_insert ON therapeutic_referral`,
    `CREATE POLICY therapeutic_referral_insert ON therapeutic_referral FOR INSERT WITH CHECK (hearth_may('wha.refer'))`,
    `DROP TABLE IF EXISTS therapeutic_session`,
    `DROP INDEX IF EXISTS temporary_accommodation_episode_approach_idx`,
    `ALTER TABLE temporary_accommodation_episode DROP COLUMN recorded_by, DROP COLUMN recorded_at`,
    `DROP INDEX IF EXISTS housing_approach_agency_idx`,
    `ALTER TABLE housing_approach DROP COLUMN support_case_id, DROP COLUMN prevention_started_on, DROP COLUMN prevention_ended_on,
       DROP COLUMN relief_started_on, DROP COLUMN relief_ended_on, DROP COLUMN main_duty_decided_on, DROP COLUMN main_duty_decision,
       DROP COLUMN created_at, DROP COLUMN updated_at, DROP COLUMN updated_by`,
    `DROP INDEX IF EXISTS therapeutic_referral_provider_idx`,
    `DROP INDEX IF EXISTS therapeutic_referral_referrer_idx`,
    `ALTER TABLE therapeutic_referral DROP CONSTRAINT therapeutic_referral_started, DROP CONSTRAINT therapeutic_referral_ended,
       DROP CONSTRAINT therapeutic_referral_in_support, DROP COLUMN support_case_id, DROP COLUMN support_kind, DROP COLUMN closure_note,
       DROP COLUMN created_at, DROP COLUMN updated_at, DROP COLUMN updated_by`,
  ]
  for (const statement of undo) await sql.raw(statement).execute(db)
}
