import { type Kysely, sql } from 'kysely'

/**
 * Record linkage (issue 7): counting people, not records. Frozen once shipped.
 *
 * - linkage_settings: the partnership's thresholds (join at, review from, conflict below, count at).
 * - linkage_run: each run: when, how many records, pairs and people (a range across thresholds), the
 *   trained model as JSON (auditable), blocking statistics, timings. No personal data.
 * - linkage_record: the records of the latest run (a person in the app, or an agency's person_ref from its
 *   episodes, plaintext or encoded) and the person-cluster each belongs to. Keys and ids only.
 * - linkage_pair: scored pairs of the latest run at or above the review threshold, with their agreement
 *   levels (never values), for the review queue and for re-clustering after a decision.
 * - linkage_decision: a reviewer's "same person" or "different people" for a pair of records. Link, never
 *   merge: a decision is withdrawn, never deleted, and clustering is recomputed with what is active.
 * - linkage_encoded_record: the keyed encodings of an agency's people from an encoded file. Hearth never
 *   holds their plaintext; the application role cannot read this table at all (linkage runs as the owner).
 *
 * hearth_linked_people(p): every person in the app in the same person-cluster as p (p included), for repeat
 * detection; it returns only ids.
 *
 * As everywhere: partnership_id leads every key; row-level security isolates partnerships (restrictive)
 * and permissive policies grant by permission (linkage.review, report.read, partnership.configure).
 */
const statements: string[] = [
  `CREATE TABLE linkage_settings (
     partnership_id uuid PRIMARY KEY REFERENCES partnership (partnership_id),
     match_threshold numeric NOT NULL DEFAULT 0.8 CHECK (match_threshold > 0 AND match_threshold < 1),
     review_threshold numeric NOT NULL DEFAULT 0.5 CHECK (review_threshold > 0 AND review_threshold < 1),
     conflict_below numeric NOT NULL DEFAULT 0.05 CHECK (conflict_below >= 0 AND conflict_below < 1),
     count_thresholds numeric[] NOT NULL DEFAULT '{0.5,0.8,0.9,0.95,0.99}',
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid,
     version integer NOT NULL DEFAULT 1,
     CHECK (review_threshold <= match_threshold)
   )`,

  `CREATE TABLE linkage_run (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     mode text NOT NULL CHECK (mode IN ('plaintext', 'encoded')),
     status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
     started_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     run_by text NOT NULL,
     records integer NOT NULL DEFAULT 0,
     candidate_pairs bigint NOT NULL DEFAULT 0,
     pairs_kept integer NOT NULL DEFAULT 0,
     people integer,
     people_by_threshold jsonb,
     match_threshold numeric,
     review_threshold numeric,
     blocking jsonb,
     model jsonb,
     timings jsonb,
     error text,
     PRIMARY KEY (partnership_id, id)
   )`,
  `CREATE INDEX linkage_run_recent_idx ON linkage_run (partnership_id, mode, started_at DESC)`,

  `CREATE TABLE linkage_record (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     record_key text NOT NULL,
     mode text NOT NULL CHECK (mode IN ('plaintext', 'encoded')),
     source text NOT NULL,
     agency_id uuid,
     person_id uuid,
     person_ref text,
     cluster_id uuid NOT NULL,
     run_id uuid NOT NULL,
     PRIMARY KEY (partnership_id, record_key),
     FOREIGN KEY (partnership_id, run_id) REFERENCES linkage_run (partnership_id, id)
   )`,
  `CREATE INDEX linkage_record_person_idx ON linkage_record (partnership_id, person_id)`,
  `CREATE INDEX linkage_record_cluster_idx ON linkage_record (partnership_id, cluster_id)`,
  `CREATE INDEX linkage_record_ref_idx ON linkage_record (partnership_id, agency_id, person_ref)`,

  `CREATE TABLE linkage_pair (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     record_a text NOT NULL,
     record_b text NOT NULL,
     run_id uuid NOT NULL,
     weight real NOT NULL,
     probability real NOT NULL,
     levels smallint[] NOT NULL,
     agency_a uuid,
     agency_b uuid,
     PRIMARY KEY (partnership_id, record_a, record_b),
     FOREIGN KEY (partnership_id, run_id) REFERENCES linkage_run (partnership_id, id),
     CHECK (record_a < record_b)
   )`,
  `CREATE INDEX linkage_pair_review_idx ON linkage_pair (partnership_id, probability DESC)`,

  `CREATE TABLE linkage_decision (
     partnership_id uuid NOT NULL REFERENCES partnership (partnership_id),
     id uuid NOT NULL,
     record_a text NOT NULL,
     record_b text NOT NULL,
     decision text NOT NULL CHECK (decision IN ('same', 'different')),
     reason text,
     probability real,
     decided_by uuid,
     decided_at timestamptz NOT NULL DEFAULT now(),
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
     withdrawn_by uuid,
     withdrawn_at timestamptz,
     withdraw_reason text,
     PRIMARY KEY (partnership_id, id),
     CHECK (record_a < record_b)
   )`,
  `CREATE UNIQUE INDEX linkage_decision_active_key ON linkage_decision (partnership_id, record_a, record_b) WHERE status = 'active'`,

  `CREATE TABLE linkage_encoded_record (
     partnership_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     person_ref text NOT NULL,
     scheme text NOT NULL,
     tokens text NOT NULL,
     blocks text NOT NULL,
     filters text NOT NULL,
     clk text,
     source_record_id text,
     imported_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, agency_id, person_ref),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,

  // Every person in the app linked to p (p included), through the latest plaintext run's clusters and active
  // "same person" decisions are already in those clusters. Returns ids only.
  `CREATE FUNCTION hearth_linked_people(p uuid) RETURNS SETOF uuid
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT p
     UNION
     SELECT o.person_id FROM linkage_record r
     JOIN linkage_record o ON o.partnership_id = r.partnership_id AND o.cluster_id = r.cluster_id
     WHERE r.partnership_id = hearth_partnership() AND r.person_id = p AND o.person_id IS NOT NULL
   $$`,
  `REVOKE ALL ON FUNCTION hearth_linked_people(uuid) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_linked_people(uuid) TO hearth_app`,
]

const tables = ['linkage_settings', 'linkage_run', 'linkage_record', 'linkage_pair', 'linkage_decision', 'linkage_encoded_record']

const security: string[] = [
  ...tables.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
  ]),
  // Settings: read by everyone in the partnership (intake scores with the match threshold); changed by
  // whoever configures the partnership.
  `CREATE POLICY linkage_settings_read ON linkage_settings FOR SELECT USING (true)`,
  `CREATE POLICY linkage_settings_write ON linkage_settings FOR ALL
     USING (hearth_may('partnership.configure')) WITH CHECK (hearth_may('partnership.configure'))`,
  // Runs: counts and the trained model, no personal data: everyone in the partnership (intake scores with the
  // partnership's model). Clusters: ids only, for reviewers and reports.
  `CREATE POLICY linkage_run_read ON linkage_run FOR SELECT USING (true)`,
  `CREATE POLICY linkage_record_read ON linkage_record FOR SELECT USING (hearth_may('linkage.review') OR hearth_may('report.read'))`,
  `CREATE POLICY linkage_record_recluster ON linkage_record FOR UPDATE USING (hearth_may('linkage.review'))`,
  // Pairs: the review queue, for a reviewer whose scope includes either record's agency.
  `CREATE POLICY linkage_pair_read ON linkage_pair FOR SELECT USING (
     hearth_in_scope('linkage.review', agency_a, NULL, NULL) OR hearth_in_scope('linkage.review', agency_b, NULL, NULL))`,
  // Decisions: made and withdrawn by reviewers; audited by the service.
  `CREATE POLICY linkage_decision_read ON linkage_decision FOR SELECT USING (hearth_may('linkage.review'))`,
  `CREATE POLICY linkage_decision_insert ON linkage_decision FOR INSERT
     WITH CHECK (hearth_may('linkage.review') AND decided_by = hearth_setting('user_id')::uuid)`,
  `CREATE POLICY linkage_decision_update ON linkage_decision FOR UPDATE USING (hearth_may('linkage.review'))`,
  // linkage_encoded_record: no permissive policy, so the application role reads and writes none of it.
  `GRANT SELECT, INSERT, UPDATE ON linkage_settings, linkage_decision TO hearth_app`,
  `GRANT SELECT ON linkage_run, linkage_pair TO hearth_app`,
  `GRANT SELECT, UPDATE ON linkage_record TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_linked_people(uuid)').execute(db)
  for (const table of ['linkage_encoded_record', 'linkage_decision', 'linkage_pair', 'linkage_record', 'linkage_run', 'linkage_settings']) {
    await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db)
  }
}
