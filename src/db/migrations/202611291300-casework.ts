import { type Kysely, sql } from 'kysely'

/**
 * Referral intake, DASH history, IDVA casework and MARAC (issue 4).
 *
 * Same rules as the foundation: partnership_id leads every primary key, unique key and foreign key, and
 * row-level security isolates partnerships (RESTRICTIVE) while permissive policies grant by scope through
 * hearth_in_scope / hearth_may, computed from the one access policy (src/access/policy.ts).
 *
 * What is new:
 * - referral: reference, demographics and household as recorded at referral, repeat flags (computed at
 *   submission by security-definer functions that see every referral, including imported ones, but return
 *   only a date), and the MARAC listing date.
 * - referral_perpetrator: one or more perpetrators, each with their relationship to the victim.
 * - person_link: "this person is the same as that one", made at intake; reversible, never a merge.
 * - referral_draft: a referral in progress, private to the user who is writing it.
 * - risk_assessment: comments per question, escalation reason, the MARAC eligibility worked out at the time.
 * - support_case: team suggestion, engagement, safety plan, support needs, outcome measures.
 * - case_note, case_action, contact_attempt: casework records, visible only with the case.
 * - marac_meeting, marac_case (extended), marac_case_agency (each agency's research), marac_action:
 *   a MARAC representative sees only the agenda items and actions of their own agency.
 */
const statements: string[] = [
  // --- Referral additions ---------------------------------------------------------------------------
  `ALTER TABLE referral
     ADD COLUMN reference text,
     ADD COLUMN demographics jsonb,
     ADD COLUMN household jsonb,
     ADD COLUMN additional_needs boolean,
     ADD COLUMN is_idva_repeat boolean NOT NULL DEFAULT false,
     ADD COLUMN idva_repeat_last_date date,
     ADD COLUMN is_marac_repeat boolean NOT NULL DEFAULT false,
     ADD COLUMN marac_repeat_last_date date,
     ADD COLUMN marac_listed_on date,
     ADD COLUMN intake_outcome jsonb,
     ADD COLUMN updated_at timestamptz,
     ADD COLUMN updated_by uuid`,
  `CREATE UNIQUE INDEX referral_reference_key ON referral (partnership_id, reference)`,
  `CREATE INDEX referral_perpetrator_idx ON referral (partnership_id, perpetrator_id, referral_date)`,

  `CREATE TABLE referral_perpetrator (
     partnership_id uuid NOT NULL,
     referral_id uuid NOT NULL,
     person_id uuid NOT NULL,
     relationship text NOT NULL,
     position integer NOT NULL,
     PRIMARY KEY (partnership_id, referral_id, person_id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES referral (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id)
   )`,
  `CREATE INDEX referral_perpetrator_person_idx ON referral_perpetrator (partnership_id, person_id)`,

  `CREATE TABLE person_link (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     person_id uuid NOT NULL,
     linked_person_id uuid NOT NULL,
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unlinked')),
     match_score numeric,
     linked_by uuid,
     linked_at timestamptz NOT NULL DEFAULT now(),
     unlinked_by uuid,
     unlinked_at timestamptz,
     unlink_reason text,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, linked_person_id) REFERENCES person (partnership_id, id),
     CHECK (person_id <> linked_person_id)
   )`,
  `CREATE INDEX person_link_person_idx ON person_link (partnership_id, person_id)`,
  `CREATE INDEX person_link_linked_idx ON person_link (partnership_id, linked_person_id)`,

  `CREATE TABLE referral_draft (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     user_id uuid NOT NULL,
     answers jsonb NOT NULL DEFAULT '{}',
     idempotency_key text NOT NULL,
     submitted_referral_id uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, user_id) REFERENCES app_user (partnership_id, id)
   )`,

  // --- Risk assessment additions --------------------------------------------------------------------
  `ALTER TABLE risk_assessment
     ADD COLUMN comments jsonb,
     ADD COLUMN tool text NOT NULL DEFAULT 'safelives-dash-ric',
     ADD COLUMN escalation_reason text,
     ADD COLUMN marac_eligible boolean,
     ADD COLUMN marac_reasons jsonb`,

  // --- IDVA casework --------------------------------------------------------------------------------
  `ALTER TABLE support_case
     ADD COLUMN suggested_team_id uuid,
     ADD COLUMN suggestion_reason text,
     ADD COLUMN allocated_at timestamptz,
     ADD COLUMN allocated_by uuid,
     ADD COLUMN engaged_on date,
     ADD COLUMN engagement_activities text[],
     ADD COLUMN engagement_definition text,
     ADD COLUMN safety_plan text,
     ADD COLUMN safety_plan_reviewed_on date,
     ADD COLUMN support_needs text[],
     ADD COLUMN intake_outcomes jsonb,
     ADD COLUMN exit_outcomes jsonb,
     ADD COLUMN last_change text,
     ADD CONSTRAINT support_case_suggested_team_fk FOREIGN KEY (partnership_id, suggested_team_id) REFERENCES team (partnership_id, id)`,
  `CREATE INDEX support_case_allocated_idx ON support_case (partnership_id, allocated_user_id, opened_on)`,

  `CREATE TABLE case_note (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     case_id uuid NOT NULL,
     body text NOT NULL,
     created_by uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, case_id) REFERENCES support_case (partnership_id, id)
   )`,
  `CREATE INDEX case_note_case_idx ON case_note (partnership_id, case_id, created_at)`,

  `CREATE TABLE case_action (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     case_id uuid NOT NULL,
     description text NOT NULL,
     due_on date NOT NULL,
     status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
     completed_on date,
     created_by uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     updated_at timestamptz NOT NULL DEFAULT now(),
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, case_id) REFERENCES support_case (partnership_id, id)
   )`,
  `CREATE INDEX case_action_case_idx ON case_action (partnership_id, case_id, due_on)`,
  `CREATE INDEX case_action_due_idx ON case_action (partnership_id, status, due_on)`,

  `CREATE TABLE contact_attempt (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     case_id uuid NOT NULL,
     attempted_on date NOT NULL,
     method text NOT NULL,
     outcome text NOT NULL,
     notes text,
     recorded_by uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, case_id) REFERENCES support_case (partnership_id, id)
   )`,
  `CREATE INDEX contact_attempt_case_idx ON contact_attempt (partnership_id, case_id, attempted_on)`,

  // --- MARAC ----------------------------------------------------------------------------------------
  `CREATE TABLE marac_meeting (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     meeting_date date NOT NULL,
     kind text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'plus')),
     notes text,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     last_change text,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, meeting_date, kind)
   )`,

  `ALTER TABLE marac_case
     ADD COLUMN meeting_id uuid,
     ADD COLUMN referred_on date,
     ADD COLUMN status text NOT NULL DEFAULT 'listed',
     ADD COLUMN is_repeat boolean NOT NULL DEFAULT false,
     ADD COLUMN last_marac_date date,
     ADD COLUMN is_marac_plus boolean NOT NULL DEFAULT false,
     ADD COLUMN marac_plus_reason text,
     ADD COLUMN transfer text,
     ADD COLUMN transfer_area text,
     ADD COLUMN eligibility_reasons jsonb,
     ADD COLUMN minutes text,
     ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
     ADD COLUMN updated_by uuid,
     ADD COLUMN last_change text,
     ADD COLUMN version integer NOT NULL DEFAULT 1,
     ADD CONSTRAINT marac_case_status_check CHECK (status IN ('listed', 'discussed', 'withdrawn')),
     ADD CONSTRAINT marac_case_transfer_check CHECK (transfer IS NULL OR transfer IN ('in', 'out')),
     ADD CONSTRAINT marac_case_meeting_fk FOREIGN KEY (partnership_id, meeting_id) REFERENCES marac_meeting (partnership_id, id)`,
  `CREATE INDEX marac_case_meeting_idx ON marac_case (partnership_id, meeting_id)`,
  `CREATE INDEX marac_case_referral_idx ON marac_case (partnership_id, referral_id)`,

  // Each agency's research for a case, and which agencies are involved in it.
  `CREATE TABLE marac_case_agency (
     partnership_id uuid NOT NULL,
     marac_case_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     research text,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, marac_case_id, agency_id),
     FOREIGN KEY (partnership_id, marac_case_id) REFERENCES marac_case (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX marac_case_agency_agency_idx ON marac_case_agency (partnership_id, agency_id)`,

  `CREATE TABLE marac_action (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     marac_case_id uuid NOT NULL,
     owner_agency_id uuid NOT NULL,
     description text NOT NULL,
     due_on date NOT NULL,
     status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
     completed_on date,
     update_note text,
     created_by uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     updated_at timestamptz NOT NULL DEFAULT now(),
     last_change text,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, marac_case_id) REFERENCES marac_case (partnership_id, id),
     FOREIGN KEY (partnership_id, owner_agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX marac_action_agency_idx ON marac_action (partnership_id, owner_agency_id, status, due_on)`,
  `CREATE INDEX marac_action_case_idx ON marac_action (partnership_id, marac_case_id)`,

  // --- Functions that see across scopes but return only what they must --------------------------------
  // Every person the partnership knows to be the same as p (itself included), through active links either way.
  `CREATE FUNCTION hearth_person_cluster(p uuid) RETURNS SETOF uuid
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     WITH RECURSIVE cluster(id) AS (
       SELECT p
       UNION
       SELECT CASE WHEN l.person_id = c.id THEN l.linked_person_id ELSE l.person_id END
       FROM person_link l JOIN cluster c ON (l.person_id = c.id OR l.linked_person_id = c.id)
       WHERE l.partnership_id = hearth_partnership() AND l.status = 'active'
     )
     SELECT id FROM cluster
   $$`,
  // The date of the last referral, before p_before, of this victim with this perpetrator (as any of its
  // perpetrators), whoever made it and however it arrived (form, API or import). Returns only the date.
  `CREATE FUNCTION hearth_last_pair_referral(p_victim uuid, p_perpetrator uuid, p_before date) RETURNS date
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT max(r.referral_date) FROM referral r
     WHERE r.partnership_id = hearth_partnership()
       AND r.referral_date < p_before
       AND r.victim_id IN (SELECT hearth_person_cluster(p_victim))
       AND (r.perpetrator_id IN (SELECT hearth_person_cluster(p_perpetrator))
            OR EXISTS (SELECT 1 FROM referral_perpetrator rp
                       WHERE rp.partnership_id = r.partnership_id AND rp.referral_id = r.id
                         AND rp.person_id IN (SELECT hearth_person_cluster(p_perpetrator))))
   $$`,
  // The date of the victim's last referral to MARAC before p_before. Returns only the date.
  `CREATE FUNCTION hearth_last_marac_referral(p_person uuid, p_before date) RETURNS date
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT max(coalesce(m.referred_on, m.meeting_date)) FROM marac_case m
     WHERE m.partnership_id = hearth_partnership()
       AND m.status <> 'withdrawn'
       AND coalesce(m.referred_on, m.meeting_date) < p_before
       AND m.person_id IN (SELECT hearth_person_cluster(p_person))
   $$`,
  // The safe-contact RULES (no voicemail, never write home) of a person, without the sealed number or times:
  // whoever logs a contact must be able to obey them. Only to an actor who may write cases.
  `CREATE FUNCTION hearth_safe_contact_rules(p_person uuid) RETURNS jsonb
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT jsonb_build_object(
       'held', true,
       'noVoicemail', coalesce((value ->> 'noVoicemail')::boolean, false),
       'neverWriteHome', coalesce((value ->> 'neverWriteHome')::boolean, false))
     FROM sealed_detail
     WHERE partnership_id = hearth_partnership() AND subject_type = 'person' AND subject_id = p_person
       AND kind = 'safe-contact' AND hearth_may('case.write')
     ORDER BY created_at DESC LIMIT 1
   $$`,
  // Did the current user make this referral? (A function, so the marac_case policy need not read referral,
  // whose own policy reads marac_case: PostgreSQL refuses such a cycle of policies.)
  `CREATE FUNCTION hearth_referral_is_mine(p_referral uuid) RETURNS boolean
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT EXISTS (SELECT 1 FROM referral WHERE partnership_id = hearth_partnership() AND id = p_referral
                    AND created_by = hearth_setting('user_id')::uuid)
   $$`,
  `REVOKE ALL ON FUNCTION hearth_referral_is_mine(uuid) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_referral_is_mine(uuid) TO hearth_app`,
  `REVOKE ALL ON FUNCTION hearth_person_cluster(uuid) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION hearth_last_pair_referral(uuid, uuid, date) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION hearth_last_marac_referral(uuid, date) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION hearth_safe_contact_rules(uuid) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_person_cluster(uuid) TO hearth_app`,
  `GRANT EXECUTE ON FUNCTION hearth_last_pair_referral(uuid, uuid, date) TO hearth_app`,
  `GRANT EXECUTE ON FUNCTION hearth_last_marac_referral(uuid, date) TO hearth_app`,
  `GRANT EXECUTE ON FUNCTION hearth_safe_contact_rules(uuid) TO hearth_app`,
]

const newTables = [
  'referral_perpetrator', 'person_link', 'referral_draft', 'case_note', 'case_action', 'contact_attempt',
  'marac_meeting', 'marac_case_agency', 'marac_action',
]

const caseVisible = (alias: string) =>
  `EXISTS (SELECT 1 FROM support_case c WHERE c.partnership_id = ${alias}.partnership_id AND c.id = ${alias}.case_id)`
const caseWritable = (alias: string) =>
  `EXISTS (SELECT 1 FROM support_case c WHERE c.partnership_id = ${alias}.partnership_id AND c.id = ${alias}.case_id
           AND hearth_in_scope('case.write', c.agency_id, c.team_id, c.allocated_user_id))`

const security: string[] = [
  ...newTables.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
    `GRANT SELECT, INSERT, UPDATE ON ${table} TO hearth_app`,
  ]),
  `GRANT DELETE ON referral_draft TO hearth_app`,

  // Drafts: only their writer.
  `CREATE POLICY referral_draft_own ON referral_draft FOR ALL
     USING (user_id = hearth_setting('user_id')::uuid) WITH CHECK (user_id = hearth_setting('user_id')::uuid)`,

  // Perpetrators: with the referral; people named as perpetrators are visible with it.
  `CREATE POLICY referral_perpetrator_read ON referral_perpetrator FOR SELECT USING (
     EXISTS (SELECT 1 FROM referral r WHERE r.partnership_id = referral_perpetrator.partnership_id AND r.id = referral_perpetrator.referral_id))`,
  `CREATE POLICY referral_perpetrator_insert ON referral_perpetrator FOR INSERT WITH CHECK (hearth_may('referral.create'))`,
  `CREATE POLICY person_read_perpetrator ON person FOR SELECT USING (
     EXISTS (SELECT 1 FROM referral_perpetrator rp WHERE rp.partnership_id = person.partnership_id AND rp.person_id = person.id))`,

  // Links: seen with the person they were made for; made at intake; undone by whoever made them or may correct people.
  `CREATE POLICY person_link_read ON person_link FOR SELECT USING (
     EXISTS (SELECT 1 FROM person p WHERE p.partnership_id = person_link.partnership_id AND p.id = person_link.person_id))`,
  `CREATE POLICY person_link_insert ON person_link FOR INSERT WITH CHECK (hearth_may('referral.create') OR hearth_may('person.write'))`,
  `CREATE POLICY person_link_update ON person_link FOR UPDATE USING (
     hearth_may('person.write') OR linked_by = hearth_setting('user_id')::uuid)`,

  // A submitted referral opens an unallocated case at the IDVA service: the referrer may create only that.
  `CREATE POLICY support_case_insert_intake ON support_case FOR INSERT WITH CHECK (
     hearth_may('referral.create') AND status = 'awaiting-allocation' AND allocated_user_id IS NULL)`,

  // Casework records: only with a case the actor may see; written with a case the actor may write.
  ...['case_note', 'case_action', 'contact_attempt'].flatMap(table => [
    `CREATE POLICY ${table}_read ON ${table} FOR SELECT USING (hearth_may('case.read') AND ${caseVisible(table)})`,
    `CREATE POLICY ${table}_insert ON ${table} FOR INSERT WITH CHECK (hearth_may('case.write') AND ${caseWritable(table)})`,
  ]),
  `CREATE POLICY case_action_update ON case_action FOR UPDATE USING (hearth_may('case.write') AND ${caseWritable('case_action')})`,

  // MARAC meetings: dates and cadence, no personal data in the row. Referrers list eligible referrals on one.
  `CREATE POLICY marac_meeting_read ON marac_meeting FOR SELECT USING (hearth_may('marac.read') OR hearth_may('referral.create'))`,
  `CREATE POLICY marac_meeting_insert ON marac_meeting FOR INSERT WITH CHECK (hearth_may('marac.write') OR hearth_may('referral.create'))`,
  `CREATE POLICY marac_meeting_update ON marac_meeting FOR UPDATE USING (hearth_may('marac.write'))`,

  // MARAC cases: also visible to an agency involved in the case; listed at intake by the referral's own referrer.
  `CREATE POLICY marac_case_read_involved ON marac_case FOR SELECT USING (
     EXISTS (SELECT 1 FROM marac_case_agency a WHERE a.partnership_id = marac_case.partnership_id
             AND a.marac_case_id = marac_case.id AND hearth_in_scope('marac.read', a.agency_id, NULL, NULL)))`,
  `CREATE POLICY marac_case_insert_intake ON marac_case FOR INSERT WITH CHECK (
     hearth_may('referral.create') AND status = 'listed' AND hearth_referral_is_mine(referral_id))`,
  `CREATE POLICY marac_case_update ON marac_case FOR UPDATE USING (hearth_in_scope('marac.write', referring_agency_id, NULL, NULL))`,

  // Research and actions: each agency sees its own; the coordinator (partnership scope) sees all.
  `CREATE POLICY marac_case_agency_read ON marac_case_agency FOR SELECT USING (hearth_in_scope('marac.read', agency_id, NULL, NULL))`,
  `CREATE POLICY marac_case_agency_insert ON marac_case_agency FOR INSERT WITH CHECK (hearth_may('marac.write'))`,
  `CREATE POLICY marac_case_agency_update ON marac_case_agency FOR UPDATE USING (hearth_in_scope('marac.contribute', agency_id, NULL, NULL))`,
  `CREATE POLICY marac_action_read ON marac_action FOR SELECT USING (hearth_in_scope('marac.read', owner_agency_id, NULL, NULL))`,
  `CREATE POLICY marac_action_insert ON marac_action FOR INSERT WITH CHECK (hearth_may('marac.write'))`,
  `CREATE POLICY marac_action_update ON marac_action FOR UPDATE USING (hearth_in_scope('marac.contribute', owner_agency_id, NULL, NULL))`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  const drops = [
    'DROP POLICY IF EXISTS person_read_perpetrator ON person',
    'DROP POLICY IF EXISTS support_case_insert_intake ON support_case',
    'DROP POLICY IF EXISTS marac_case_read_involved ON marac_case',
    'DROP POLICY IF EXISTS marac_case_insert_intake ON marac_case',
    'DROP POLICY IF EXISTS marac_case_update ON marac_case',
    ...['marac_action', 'marac_case_agency', 'contact_attempt', 'case_action', 'case_note', 'referral_draft', 'person_link', 'referral_perpetrator']
      .map(t => `DROP TABLE IF EXISTS ${t} CASCADE`),
    'ALTER TABLE marac_case DROP CONSTRAINT IF EXISTS marac_case_meeting_fk',
    'DROP TABLE IF EXISTS marac_meeting CASCADE',
    'DROP FUNCTION IF EXISTS hearth_safe_contact_rules(uuid)',
    'DROP FUNCTION IF EXISTS hearth_referral_is_mine(uuid)',
    'DROP FUNCTION IF EXISTS hearth_last_marac_referral(uuid, date)',
    'DROP FUNCTION IF EXISTS hearth_last_pair_referral(uuid, uuid, date)',
    'DROP FUNCTION IF EXISTS hearth_person_cluster(uuid)',
    `ALTER TABLE marac_case DROP COLUMN IF EXISTS meeting_id, DROP COLUMN IF EXISTS referred_on, DROP COLUMN IF EXISTS status,
       DROP COLUMN IF EXISTS is_repeat, DROP COLUMN IF EXISTS last_marac_date, DROP COLUMN IF EXISTS is_marac_plus,
       DROP COLUMN IF EXISTS marac_plus_reason, DROP COLUMN IF EXISTS transfer, DROP COLUMN IF EXISTS transfer_area,
       DROP COLUMN IF EXISTS eligibility_reasons, DROP COLUMN IF EXISTS minutes, DROP COLUMN IF EXISTS updated_at,
       DROP COLUMN IF EXISTS updated_by, DROP COLUMN IF EXISTS last_change, DROP COLUMN IF EXISTS version`,
    `ALTER TABLE support_case DROP CONSTRAINT IF EXISTS support_case_suggested_team_fk, DROP COLUMN IF EXISTS suggested_team_id,
       DROP COLUMN IF EXISTS suggestion_reason, DROP COLUMN IF EXISTS allocated_at, DROP COLUMN IF EXISTS allocated_by,
       DROP COLUMN IF EXISTS engaged_on, DROP COLUMN IF EXISTS engagement_activities, DROP COLUMN IF EXISTS engagement_definition,
       DROP COLUMN IF EXISTS safety_plan, DROP COLUMN IF EXISTS safety_plan_reviewed_on, DROP COLUMN IF EXISTS support_needs,
       DROP COLUMN IF EXISTS intake_outcomes, DROP COLUMN IF EXISTS exit_outcomes, DROP COLUMN IF EXISTS last_change`,
    `ALTER TABLE risk_assessment DROP COLUMN IF EXISTS comments, DROP COLUMN IF EXISTS tool, DROP COLUMN IF EXISTS escalation_reason,
       DROP COLUMN IF EXISTS marac_eligible, DROP COLUMN IF EXISTS marac_reasons`,
    'DROP INDEX IF EXISTS referral_reference_key',
    'DROP INDEX IF EXISTS referral_perpetrator_idx',
    `ALTER TABLE referral DROP COLUMN IF EXISTS reference, DROP COLUMN IF EXISTS demographics, DROP COLUMN IF EXISTS household,
       DROP COLUMN IF EXISTS additional_needs, DROP COLUMN IF EXISTS is_idva_repeat, DROP COLUMN IF EXISTS idva_repeat_last_date,
       DROP COLUMN IF EXISTS is_marac_repeat, DROP COLUMN IF EXISTS marac_repeat_last_date, DROP COLUMN IF EXISTS marac_listed_on, DROP COLUMN IF EXISTS intake_outcome,
       DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS updated_by`,
  ]
  for (const statement of drops) await sql.raw(statement).execute(db)
}
