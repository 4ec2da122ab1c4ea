import { type Kysely, sql } from 'kysely'

/**
 * The foundation schema. Frozen: never edit after it has shipped; add a new migration instead.
 *
 * Rules that hold for every table (checked by test/schema.medium.test.ts):
 * - it has partnership_id, and partnership_id leads every primary key, unique key and foreign key,
 *   so a national deployment can distribute every table by partnership (Citus) without a redesign;
 * - row-level security isolates partnerships for the application role hearth_app.
 */
const statements: string[] = [
  // The application role. Requests run as this role (SET LOCAL ROLE) so row-level security applies.
  `DO $$ BEGIN
     CREATE ROLE hearth_app NOLOGIN;
   EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
   END $$`,

  // Settings of the current request, set by withActor() for each transaction.
  `CREATE FUNCTION hearth_setting(name text) RETURNS text LANGUAGE sql STABLE AS
   $$ SELECT nullif(current_setting('hearth.' || name, true), '') $$`,
  `CREATE FUNCTION hearth_partnership() RETURNS uuid LANGUAGE sql STABLE AS
   $$ SELECT hearth_setting('partnership_id')::uuid $$`,
  // Is a row with this agency, team and owner within the actor's scope for a permission?
  // The scope for each permission is computed from the one access policy (src/access/policy.ts).
  `CREATE FUNCTION hearth_in_scope(permission text, row_agency uuid, row_team uuid, row_owner uuid)
   RETURNS boolean LANGUAGE sql STABLE AS $$
     SELECT CASE hearth_setting('scope.' || permission)
       WHEN 'partnership' THEN true
       WHEN 'agency' THEN row_agency IS NOT NULL AND row_agency = hearth_setting('agency_id')::uuid
       WHEN 'team' THEN (row_team IS NOT NULL AND row_team = hearth_setting('team_id')::uuid)
                     OR (row_owner IS NOT NULL AND row_owner = hearth_setting('user_id')::uuid)
       WHEN 'own' THEN row_owner IS NOT NULL AND row_owner = hearth_setting('user_id')::uuid
       ELSE false
     END $$`,
  `CREATE FUNCTION hearth_may(permission text) RETURNS boolean LANGUAGE sql STABLE AS
   $$ SELECT hearth_setting('scope.' || permission) IS NOT NULL $$`,

  `CREATE TABLE partnership (
     partnership_id uuid PRIMARY KEY,
     code text NOT NULL,
     name text NOT NULL,
     is_demo boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT partnership_code_format CHECK (code ~ '^[a-z0-9-]+$')
   )`,
  // partnership is the distribution root (a Citus reference table): its code is unique across the deployment.
  `CREATE UNIQUE INDEX partnership_code_key ON partnership (code)`,

  `CREATE TABLE partnership_profile (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     version integer NOT NULL,
     profile_version text NOT NULL,
     profile jsonb NOT NULL,
     checksum text NOT NULL,
     loaded_at timestamptz NOT NULL DEFAULT now(),
     loaded_by text NOT NULL,
     PRIMARY KEY (partnership_id, version)
   )`,

  `CREATE TABLE district (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     code text NOT NULL,
     name text NOT NULL,
     population_all integer NOT NULL,
     population_16plus integer NOT NULL,
     population_females_16plus integer NOT NULL,
     population_source text NOT NULL,
     PRIMARY KEY (partnership_id, code)
   )`,

  `CREATE TABLE agency (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     code text NOT NULL,
     name text NOT NULL,
     kind text NOT NULL,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, code)
   )`,

  `CREATE TABLE team (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     code text NOT NULL,
     name text NOT NULL,
     agency_id uuid NOT NULL,
     kind text NOT NULL,
     district_codes text[] NOT NULL DEFAULT '{}',
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, code),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,

  `CREATE TABLE app_user (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     email text NOT NULL CHECK (email = lower(email)),
     display_name text NOT NULL,
     agency_id uuid NOT NULL,
     team_id uuid,
     password_hash text,
     is_active boolean NOT NULL DEFAULT true,
     failed_sign_ins integer NOT NULL DEFAULT 0,
     locked_until timestamptz,
     totp_secret text,
     totp_enabled boolean NOT NULL DEFAULT false,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, email),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, team_id) REFERENCES team (partnership_id, id)
   )`,
  `CREATE INDEX app_user_email_idx ON app_user (email)`,

  `CREATE TABLE user_role (
     partnership_id uuid NOT NULL,
     user_id uuid NOT NULL,
     role text NOT NULL,
     PRIMARY KEY (partnership_id, user_id, role),
     FOREIGN KEY (partnership_id, user_id) REFERENCES app_user (partnership_id, id)
   )`,

  `CREATE TABLE user_session (
     partnership_id uuid NOT NULL,
     id text NOT NULL,
     user_id uuid NOT NULL,
     second_factor_pending boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     last_seen_at timestamptz NOT NULL DEFAULT now(),
     ended_at timestamptz,
     end_reason text,
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, user_id) REFERENCES app_user (partnership_id, id)
   )`,

  // Audit: append-only and hash-chained per partnership.
  `CREATE TABLE audit_chain (
     partnership_id uuid PRIMARY KEY REFERENCES partnership (partnership_id),
     last_seq bigint NOT NULL,
     last_hash text NOT NULL
   )`,
  `CREATE TABLE audit_event (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     seq bigint NOT NULL,
     at timestamptz NOT NULL,
     actor_user_id uuid,
     actor_label text NOT NULL,
     action text NOT NULL,
     subject_type text,
     subject_id text,
     fields text[],
     reason text,
     correlation_id text,
     details jsonb,
     prev_hash text NOT NULL,
     hash text NOT NULL,
     PRIMARY KEY (partnership_id, seq)
   )`,
  `CREATE INDEX audit_event_subject_idx ON audit_event (partnership_id, subject_type, subject_id, seq)`,
  `CREATE INDEX audit_event_actor_idx ON audit_event (partnership_id, actor_user_id, seq)`,
  // List views record the people they showed in details.personIds: "who looked at this person?" searches them too.
  `CREATE INDEX audit_event_people_idx ON audit_event USING gin ((details -> 'personIds'))`,
  // The text an entry's hash covers. Fields are joined with the unit separator (U+001F).
  `CREATE FUNCTION audit_event_canonical(e audit_event) RETURNS text LANGUAGE sql STABLE AS $$
     SELECT concat_ws(chr(31), e.prev_hash, e.partnership_id::text, e.seq::text,
       to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       coalesce(e.actor_user_id::text, ''), e.actor_label, e.action,
       coalesce(e.subject_type, ''), coalesce(e.subject_id, ''),
       coalesce(array_to_string(e.fields, ','), ''), coalesce(e.reason, ''),
       coalesce(e.correlation_id, ''), coalesce(e.details::text, ''))
   $$`,
  `CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
   DECLARE head audit_chain%ROWTYPE;
   BEGIN
     INSERT INTO audit_chain (partnership_id, last_seq, last_hash)
       VALUES (NEW.partnership_id, 0, repeat('0', 64)) ON CONFLICT (partnership_id) DO NOTHING;
     SELECT * INTO head FROM audit_chain WHERE partnership_id = NEW.partnership_id FOR UPDATE;
     NEW.seq := head.last_seq + 1;
     NEW.prev_hash := head.last_hash;
     NEW.at := date_trunc('milliseconds', clock_timestamp());
     NEW.hash := encode(sha256(convert_to(audit_event_canonical(NEW), 'UTF8')), 'hex');
     UPDATE audit_chain SET last_seq = NEW.seq, last_hash = NEW.hash WHERE partnership_id = NEW.partnership_id;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_chain()`,
  `CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP; END $$`,
  `CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
     FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()`,
  `CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
     FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()`,

  // People: victims/survivors, perpetrators and children. One row per person as this partnership knows them.
  `CREATE TABLE person (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     given_name text,
     family_name text,
     date_of_birth date,
     date_of_birth_is_expected boolean NOT NULL DEFAULT false,
     sex text,
     gender_identity text,
     ethnicity text,
     nationality text,
     main_language text,
     postcode text,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid,
     updated_at timestamptz NOT NULL DEFAULT now(),
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id)
   )`,

  `CREATE TABLE referral (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     victim_id uuid NOT NULL,
     perpetrator_id uuid,
     relationship text,
     referral_date date NOT NULL,
     referring_agency_id uuid NOT NULL,
     referral_source text NOT NULL,
     district_code text,
     stalking boolean NOT NULL DEFAULT false,
     consent_to_share text,
     lawful_basis text,
     created_by uuid,
     idempotency_key text,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, idempotency_key),
     FOREIGN KEY (partnership_id, victim_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, perpetrator_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, referring_agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, district_code) REFERENCES district (partnership_id, code)
   )`,
  `CREATE INDEX referral_victim_idx ON referral (partnership_id, victim_id, referral_date)`,
  `CREATE INDEX referral_date_idx ON referral (partnership_id, referral_date)`,

  `CREATE TABLE referral_child (
     partnership_id uuid NOT NULL,
     referral_id uuid NOT NULL,
     child_id uuid NOT NULL,
     lives_in_household boolean,
     PRIMARY KEY (partnership_id, referral_id, child_id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES referral (partnership_id, id),
     FOREIGN KEY (partnership_id, child_id) REFERENCES person (partnership_id, id)
   )`,

  `CREATE TABLE risk_assessment (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     referral_id uuid NOT NULL,
     assessed_on date NOT NULL,
     answers jsonb NOT NULL,
     score integer NOT NULL CHECK (score BETWEEN 0 AND 24),
     risk_level text NOT NULL,
     professional_judgement_reason text,
     police_call_outs_12_months integer,
     assessed_by uuid,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES referral (partnership_id, id)
   )`,
  `CREATE INDEX risk_assessment_referral_idx ON risk_assessment (partnership_id, referral_id, assessed_on)`,

  // A case: a referral taken on by a service (IDVA team), allocated to a worker.
  `CREATE TABLE support_case (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     reference text NOT NULL,
     referral_id uuid NOT NULL,
     person_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     team_id uuid,
     allocated_user_id uuid,
     status text NOT NULL DEFAULT 'open' CHECK (status IN ('awaiting-allocation', 'open', 'closed')),
     opened_on date NOT NULL,
     closed_on date,
     engaged boolean,
     closure_reason text,
     is_synthetic boolean NOT NULL DEFAULT false,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     PRIMARY KEY (partnership_id, id),
     UNIQUE (partnership_id, reference),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES referral (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, team_id) REFERENCES team (partnership_id, id),
     FOREIGN KEY (partnership_id, allocated_user_id) REFERENCES app_user (partnership_id, id)
   )`,
  `CREATE INDEX support_case_list_idx ON support_case (partnership_id, opened_on DESC, id)`,
  `CREATE INDEX support_case_team_idx ON support_case (partnership_id, team_id, opened_on DESC)`,
  `CREATE INDEX support_case_referral_idx ON support_case (partnership_id, referral_id)`,
  `CREATE INDEX support_case_person_idx ON support_case (partnership_id, person_id)`,

  `CREATE TABLE marac_case (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     referral_id uuid NOT NULL,
     person_id uuid NOT NULL,
     meeting_date date NOT NULL,
     children_in_household integer NOT NULL DEFAULT 0,
     referring_agency_id uuid NOT NULL,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, referral_id) REFERENCES referral (partnership_id, id),
     FOREIGN KEY (partnership_id, person_id) REFERENCES person (partnership_id, id),
     FOREIGN KEY (partnership_id, referring_agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX marac_case_person_idx ON marac_case (partnership_id, person_id, meeting_date)`,

  // Sealed details: safe contact details, refuge addresses, new addresses. Readable only by the roles
  // the profile names (hearth.sealed = 'on'), or through an audited break-glass read.
  `CREATE TABLE sealed_detail (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     subject_type text NOT NULL,
     subject_id uuid NOT NULL,
     kind text NOT NULL CHECK (kind IN ('safe-contact', 'refuge-address', 'new-address')),
     value jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid,
     PRIMARY KEY (partnership_id, id)
   )`,
  `CREATE INDEX sealed_detail_subject_idx ON sealed_detail (partnership_id, subject_type, subject_id)`,
  // Which kinds of sealed detail a record has, without their content: lets a page say "a safe contact is held".
  `CREATE FUNCTION hearth_sealed_kinds(p_subject_type text, p_subject_id uuid) RETURNS SETOF text
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT DISTINCT kind FROM sealed_detail
     WHERE partnership_id = hearth_partnership() AND subject_type = p_subject_type AND subject_id = p_subject_id
   $$`,
]

/** Row-level security: partnership isolation on every table, and scope rules on personal data. */
const isolated = [
  'partnership', 'partnership_profile', 'district', 'agency', 'team', 'app_user', 'user_role', 'user_session',
  'audit_chain', 'audit_event', 'person', 'referral', 'referral_child', 'risk_assessment', 'support_case',
  'marac_case', 'sealed_detail',
]

const referralVisible = (alias: string) =>
  `EXISTS (SELECT 1 FROM referral r WHERE r.partnership_id = ${alias}.partnership_id AND r.id = ${alias}.referral_id)`

const security: string[] = [
  ...isolated.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
  ]),
  // Reference data of the partnership: readable by every signed-in user of it.
  ...['partnership', 'partnership_profile', 'district', 'agency', 'team'].map(
    table => `CREATE POLICY ${table}_read ON ${table} FOR SELECT USING (true)`,
  ),
  // Users: everyone may read names of colleagues (allocation, audit); managing them needs user.manage.
  `CREATE POLICY app_user_read ON app_user FOR SELECT USING (true)`,
  `CREATE POLICY app_user_manage ON app_user FOR ALL USING (hearth_may('user.manage')) WITH CHECK (hearth_may('user.manage'))`,
  `CREATE POLICY app_user_self ON app_user FOR UPDATE USING (id = hearth_setting('user_id')::uuid)`,
  `CREATE POLICY user_role_read ON user_role FOR SELECT USING (true)`,
  `CREATE POLICY user_role_manage ON user_role FOR ALL USING (hearth_may('user.manage')) WITH CHECK (hearth_may('user.manage'))`,
  `CREATE POLICY user_session_self ON user_session FOR ALL USING (user_id = hearth_setting('user_id')::uuid OR hearth_may('user.manage'))`,
  // Audit: anyone's action is recorded; only those with audit.read may read the log.
  `CREATE POLICY audit_event_write ON audit_event FOR INSERT WITH CHECK (true)`,
  `CREATE POLICY audit_event_read ON audit_event FOR SELECT USING (hearth_may('audit.read'))`,
  // Cases: by role scope (own, team, agency, partnership).
  `CREATE POLICY support_case_read ON support_case FOR SELECT
     USING (hearth_in_scope('case.read', agency_id, team_id, allocated_user_id))`,
  `CREATE POLICY support_case_insert ON support_case FOR INSERT WITH CHECK (hearth_may('case.write'))`,
  `CREATE POLICY support_case_update ON support_case FOR UPDATE
     USING (hearth_in_scope('case.write', agency_id, team_id, allocated_user_id))`,
  // Referrals: the referring agency's scope, or through a case the actor may see.
  `CREATE POLICY referral_read ON referral FOR SELECT USING (
     hearth_in_scope('referral.read', referring_agency_id, NULL, created_by)
     OR EXISTS (SELECT 1 FROM support_case c WHERE c.partnership_id = referral.partnership_id AND c.referral_id = referral.id)
     OR EXISTS (SELECT 1 FROM marac_case m WHERE m.partnership_id = referral.partnership_id AND m.referral_id = referral.id))`,
  `CREATE POLICY referral_insert ON referral FOR INSERT WITH CHECK (hearth_may('referral.create'))`,
  `CREATE POLICY referral_update ON referral FOR UPDATE USING (hearth_in_scope('referral.write', referring_agency_id, NULL, created_by))`,
  `CREATE POLICY referral_child_read ON referral_child FOR SELECT USING (${referralVisible('referral_child')})`,
  `CREATE POLICY referral_child_insert ON referral_child FOR INSERT WITH CHECK (hearth_may('referral.create'))`,
  `CREATE POLICY risk_assessment_read ON risk_assessment FOR SELECT USING (${referralVisible('risk_assessment')})`,
  `CREATE POLICY risk_assessment_insert ON risk_assessment FOR INSERT WITH CHECK (hearth_may('risk.assess'))`,
  `CREATE POLICY marac_case_read ON marac_case FOR SELECT
     USING (hearth_in_scope('marac.read', referring_agency_id, NULL, NULL))`,
  `CREATE POLICY marac_case_insert ON marac_case FOR INSERT WITH CHECK (hearth_may('marac.write'))`,
  // People: visible when a referral, case or MARAC case the actor may see names them.
  `CREATE POLICY person_read ON person FOR SELECT USING (
     hearth_may('person.read-all')
     OR EXISTS (SELECT 1 FROM referral r WHERE r.partnership_id = person.partnership_id
                AND (r.victim_id = person.id OR r.perpetrator_id = person.id))
     OR EXISTS (SELECT 1 FROM referral_child rc WHERE rc.partnership_id = person.partnership_id AND rc.child_id = person.id))`,
  `CREATE POLICY person_insert ON person FOR INSERT WITH CHECK (hearth_may('referral.create'))`,
  `CREATE POLICY person_update ON person FOR UPDATE USING (hearth_may('person.write'))`,
  // Sealed details: written by whoever records them; read only with the sealed setting or break-glass.
  `CREATE POLICY sealed_detail_read ON sealed_detail FOR SELECT USING (
     hearth_setting('sealed') = 'on' OR hearth_setting('break_glass_reason') IS NOT NULL)`,
  `CREATE POLICY sealed_detail_insert ON sealed_detail FOR INSERT WITH CHECK (true)`,
  `GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO hearth_app`,
  `REVOKE UPDATE ON audit_event, audit_chain FROM hearth_app`,
  `REVOKE INSERT ON audit_chain FROM hearth_app`,
  `GRANT DELETE ON user_role TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...isolated].reverse()) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db)
  for (const fn of ['audit_event_chain()', 'audit_event_refuse_change()', 'hearth_in_scope(text, uuid, uuid, uuid)',
    'hearth_may(text)', 'hearth_sealed_kinds(text, uuid)', 'hearth_partnership()', 'hearth_setting(text)']) {
    await sql.raw(`DROP FUNCTION IF EXISTS ${fn}`).execute(db)
  }
}
