import { type Kysely, sql } from 'kysely'

/**
 * Reports: the police-aggregates dataset (DA incidents and crimes by district and month), which the import
 * service does not store yet, for the quarterly performance report. Loaded by `hearth report police-load`
 * through the import pipeline's own validation. Frozen once shipped.
 *
 * As everywhere: partnership_id leads every key; row-level security isolates partnerships (restrictive);
 * report readers read (aggregates, no personal data); importers and the owner write.
 */
const statements: string[] = [
  `CREATE TABLE police_aggregate (
     partnership_id uuid NOT NULL,
     agency_id uuid NOT NULL,
     district text NOT NULL,
     month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
     incidents integer NOT NULL CHECK (incidents >= 0),
     crimes integer NOT NULL CHECK (crimes >= 0),
     loaded_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (partnership_id, agency_id, district, month),
     FOREIGN KEY (partnership_id, agency_id) REFERENCES agency (partnership_id, id),
     FOREIGN KEY (partnership_id, district) REFERENCES district (partnership_id, code)
   )`,
  `ALTER TABLE police_aggregate ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY police_aggregate_partnership ON police_aggregate AS RESTRICTIVE USING (partnership_id = hearth_partnership())
     WITH CHECK (partnership_id = hearth_partnership())`,
  `CREATE POLICY police_aggregate_read ON police_aggregate FOR SELECT
     USING (hearth_may('report.read') OR hearth_may_import(agency_id))`,
  `CREATE POLICY police_aggregate_write ON police_aggregate FOR INSERT WITH CHECK (hearth_may_import(agency_id))`,
  `CREATE POLICY police_aggregate_update ON police_aggregate FOR UPDATE USING (hearth_may_import(agency_id))`,
  `GRANT SELECT, INSERT, UPDATE ON police_aggregate TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS police_aggregate CASCADE').execute(db)
}
