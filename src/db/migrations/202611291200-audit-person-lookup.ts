import { type Kysely, sql } from 'kysely'

/**
 * Lets an auditor find a person by case reference without being able to read the case:
 * the function returns only the person's id, and only to an actor with audit.read.
 */
const statements = [
  `CREATE FUNCTION hearth_person_for_case_reference(p_reference text) RETURNS uuid
   LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
     SELECT person_id FROM support_case
     WHERE partnership_id = hearth_partnership() AND reference = p_reference AND hearth_may('audit.read')
   $$`,
  `REVOKE ALL ON FUNCTION hearth_person_for_case_reference(text) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION hearth_person_for_case_reference(text) TO hearth_app`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP FUNCTION IF EXISTS hearth_person_for_case_reference(text)').execute(db)
}
