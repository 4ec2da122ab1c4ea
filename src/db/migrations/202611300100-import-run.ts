import { type Kysely, sql } from 'kysely'

/**
 * Importing needs the `import.run` permission (src/access/policy.ts: the analyst for every agency, an IDVA
 * manager for their own agency). Until it existed, `report.drill` stood in for it in hearth_may_import; the
 * stand-in goes, so that drilling into reports never again implies writing episodes. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`CREATE OR REPLACE FUNCTION hearth_may_import(row_agency uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
     SELECT hearth_in_scope('import.run', row_agency, NULL, NULL)
   $$`).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`CREATE OR REPLACE FUNCTION hearth_may_import(row_agency uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
     SELECT hearth_in_scope('import.run', row_agency, NULL, NULL) OR hearth_in_scope('report.drill', row_agency, NULL, NULL)
   $$`).execute(db)
}
