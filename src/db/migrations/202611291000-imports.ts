import { type Kysely, sql } from 'kysely'

/**
 * Imports of agency spreadsheets and the episodes they bring in. Frozen once shipped.
 *
 * - import_mapping: each agency's saved, versioned mappings (the JSON already checked by parseMapping).
 * - import_batch: one row per file imported (or staged, or refused): file, checksum, agency, mapping, status,
 *   counts, and the range of referral dates it holds.
 * - import_staged_chunk: the valid rows of a staged file, waiting for "commit", a chunk of up to 5,000 rows
 *   per row (each column's values as an array literal), each marked committed in the transaction that
 *   commits it. UNLOGGED: they are a scratch copy (the file can be staged again); a commit checks the
 *   count and refuses if a crash lost them.
 * - service_episode: one row per standard `service-episodes` row, keyed on agency + record_id, so
 *   re-importing the same or a corrected file updates rows instead of doubling them. It has no foreign
 *   keys: they would cost a trigger call per row on a table written a million rows at a time, and its
 *   only writer copies agency_id and batch_id from import_batch, whose keys are checked.
 * - import_quarantine: rows with errors, with the values as read and every problem, until a later
 *   import of the same record replaces them.
 *
 * Standard columns that accept `not-known` / `declined` but are typed (dates and whole numbers) have a
 * companion `<column>_unknown` column holding that code; text and code columns hold the code itself.
 * Multi-value columns are text[].
 *
 * As everywhere: partnership_id leads every key; row-level security isolates partnerships (restrictive
 * policy) and permissive policies grant by permission scope. Importing needs `import.run` in scope for the
 * agency; until that permission exists in the access policy, `report.drill` (the analyst) stands in.
 */

/** The standard columns of service-episodes, as stored in service_episode. */
const standardColumns = `
     record_id text NOT NULL,
     person_ref text NOT NULL,
     household_ref text,
     given_name text,
     family_name text,
     date_of_birth date,
     date_of_birth_unknown text CHECK (date_of_birth_unknown IN ('not-known', 'declined')),
     age integer CHECK (age BETWEEN 0 AND 120),
     age_unknown text CHECK (age_unknown IN ('not-known', 'declined')),
     postcode text,
     perpetrator_ref text,
     service text,
     team text,
     district text,
     referral_date date NOT NULL,
     first_contact_date date,
     closure_date date,
     referral_source text,
     risk_level text,
     dash_score integer CHECK (dash_score BETWEEN 0 AND 27),
     dash_score_unknown text CHECK (dash_score_unknown IN ('not-known', 'declined')),
     engaged text,
     sex text,
     gender_identity text,
     trans text,
     sexual_orientation text,
     ethnicity text,
     disability text[],
     nationality text,
     main_language text,
     interpreter_needed text,
     nrpf text,
     marital_status text,
     household_type text,
     children_count integer CHECK (children_count BETWEEN 0 AND 30),
     children_count_unknown text CHECK (children_count_unknown IN ('not-known', 'declined')),
     employment_status text,
     support_needs text[],
     CHECK (date_of_birth IS NULL OR date_of_birth_unknown IS NULL),
     CHECK (age IS NULL OR age_unknown IS NULL),
     CHECK (dash_score IS NULL OR dash_score_unknown IS NULL),
     CHECK (children_count IS NULL OR children_count_unknown IS NULL)`

/** The standard columns, as named in the staging table (each holds an array literal for a chunk). */
const stagedFields = [
  'record_id', 'person_ref', 'household_ref', 'given_name', 'family_name', 'date_of_birth', 'age', 'postcode',
  'perpetrator_ref', 'service', 'team', 'district', 'referral_date', 'first_contact_date', 'closure_date',
  'referral_source', 'risk_level', 'dash_score', 'engaged', 'sex', 'gender_identity', 'trans', 'sexual_orientation',
  'ethnicity', 'disability', 'nationality', 'main_language', 'interpreter_needed', 'nrpf', 'marital_status',
  'household_type', 'children_count', 'employment_status', 'support_needs',
]
const stagedColumns = stagedFields.map(f => `${f} text NOT NULL`).join(',\n     ')

const statements: string[] = [
  `CREATE FUNCTION hearth_may_import(row_agency uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
     SELECT hearth_in_scope('import.run', row_agency, NULL, NULL) OR hearth_in_scope('report.drill', row_agency, NULL, NULL)
   $$`,

  `CREATE TABLE import_mapping (
     partnership_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     dataset text NOT NULL,
     version integer NOT NULL CHECK (version >= 1),
     standard_version text NOT NULL,
     mapping jsonb NOT NULL,
     checksum text NOT NULL,
     saved_at timestamptz NOT NULL DEFAULT now(),
     saved_by uuid,
     saved_by_label text NOT NULL,
     PRIMARY KEY (partnership_id, agency_id, dataset, version),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,

  `CREATE TABLE import_batch (
     partnership_id uuid NOT NULL,
     id uuid NOT NULL,
     agency_id uuid NOT NULL,
     dataset text NOT NULL,
     file_name text NOT NULL,
     file_size bigint,
     checksum text NOT NULL,
     mapping_version integer NOT NULL,
     mapping jsonb NOT NULL,
     status text NOT NULL CHECK (status IN ('staging', 'staged', 'committing', 'committed', 'failed', 'discarded')),
     rows_read integer NOT NULL DEFAULT 0,
     rows_valid integer NOT NULL DEFAULT 0,
     rows_quarantined integer NOT NULL DEFAULT 0,
     error_count integer NOT NULL DEFAULT 0,
     rows_committed integer NOT NULL DEFAULT 0,
     referral_from date,
     referral_to date,
     supplied_fields text[] NOT NULL DEFAULT '{}',
     summary jsonb,
     error_code text,
     error_message text,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_by uuid,
     created_by_label text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     staged_at timestamptz,
     committed_at timestamptz,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX import_batch_agency_idx ON import_batch (partnership_id, agency_id, created_at DESC)`,

  // One row per chunk of up to 5,000 staged rows: each standard column's values as the text of a
  // PostgreSQL array literal, unpacked (unnest) only when the chunk is committed. Stored uncompressed.
  `CREATE UNLOGGED TABLE import_staged_chunk (
     partnership_id uuid NOT NULL,
     batch_id uuid NOT NULL,
     chunk_no integer NOT NULL,
     agency_id uuid NOT NULL,
     row_count integer NOT NULL,
     committed boolean NOT NULL DEFAULT false,
     row_numbers text NOT NULL,
     ${stagedColumns},
     PRIMARY KEY (partnership_id, batch_id, chunk_no)
   )`,
  ...stagedFields.map(f => `ALTER TABLE import_staged_chunk ALTER COLUMN ${f} SET STORAGE EXTERNAL`),
  `ALTER TABLE import_staged_chunk ALTER COLUMN row_numbers SET STORAGE EXTERNAL`,

  `CREATE TABLE service_episode (
     partnership_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     ${standardColumns},
     batch_id uuid NOT NULL,
     source_row integer,
     is_synthetic boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, agency_id, record_id)
   )`,
  `CREATE INDEX service_episode_referral_idx ON service_episode (partnership_id, referral_date, agency_id)`,
  `CREATE INDEX service_episode_person_idx ON service_episode (partnership_id, agency_id, person_ref)`,

  `CREATE TABLE import_quarantine (
     partnership_id uuid NOT NULL,
     batch_id uuid NOT NULL,
     row_number integer NOT NULL,
     agency_id uuid NOT NULL,
     record_id text,
     raw jsonb NOT NULL,
     problems jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, batch_id, row_number),
     FOREIGN KEY (partnership_id, batch_id) REFERENCES import_batch (partnership_id, id),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id)
   )`,
  `CREATE INDEX import_quarantine_record_idx ON import_quarantine (partnership_id, agency_id, record_id)`,
]

const tables = ['import_mapping', 'import_batch', 'import_staged_chunk', 'service_episode', 'import_quarantine']

const security: string[] = [
  ...tables.flatMap(table => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY ${table}_partnership ON ${table} AS RESTRICTIVE USING (partnership_id = hearth_partnership())
       WITH CHECK (partnership_id = hearth_partnership())`,
  ]),
  // Mappings: read and saved by whoever imports for the agency, or configures the partnership.
  `CREATE POLICY import_mapping_read ON import_mapping FOR SELECT
     USING (hearth_may_import(agency_id) OR hearth_may('partnership.configure'))`,
  `CREATE POLICY import_mapping_write ON import_mapping FOR INSERT
     WITH CHECK (hearth_may_import(agency_id) OR hearth_may('partnership.configure'))`,
  // Batches: the importer's; their counts (no personal data) are readable by report readers too.
  `CREATE POLICY import_batch_read ON import_batch FOR SELECT
     USING (hearth_may_import(agency_id) OR hearth_in_scope('report.read', agency_id, NULL, NULL))`,
  `CREATE POLICY import_batch_write ON import_batch FOR INSERT WITH CHECK (hearth_may_import(agency_id))`,
  `CREATE POLICY import_batch_update ON import_batch FOR UPDATE USING (hearth_may_import(agency_id))`,
  // Staged and quarantined rows hold personal data as sent: only the importer sees them.
  `CREATE POLICY import_staged_chunk_importer ON import_staged_chunk FOR ALL
     USING (hearth_may_import(agency_id)) WITH CHECK (hearth_may_import(agency_id))`,
  `CREATE POLICY import_quarantine_importer ON import_quarantine FOR ALL
     USING (hearth_may_import(agency_id)) WITH CHECK (hearth_may_import(agency_id))`,
  // Episodes: readable for reports within the report scope; written only by imports.
  `CREATE POLICY service_episode_read ON service_episode FOR SELECT
     USING (hearth_in_scope('report.read', agency_id, NULL, NULL) OR hearth_may_import(agency_id))`,
  `CREATE POLICY service_episode_insert ON service_episode FOR INSERT WITH CHECK (hearth_may_import(agency_id))`,
  `CREATE POLICY service_episode_update ON service_episode FOR UPDATE USING (hearth_may_import(agency_id))`,
  `GRANT SELECT, INSERT ON import_mapping TO hearth_app`,
  `GRANT SELECT, INSERT, UPDATE ON import_batch, service_episode TO hearth_app`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON import_staged_chunk, import_quarantine TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...statements, ...security]) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...tables].reverse()) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db)
  await sql.raw('DROP FUNCTION IF EXISTS hearth_may_import(uuid)').execute(db)
}
