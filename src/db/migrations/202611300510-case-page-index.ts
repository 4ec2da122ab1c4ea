import { type Kysely, sql } from 'kysely'

/**
 * The case list's index: newest first, carrying the columns support_case's security policy reads (agency, team,
 * allocated worker) and the status filter, so that choosing a page of ids is an index-only scan.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX support_case_page_idx ON support_case (partnership_id, opened_on DESC, id)
    INCLUDE (agency_id, team_id, allocated_user_id, status)`.execute(db)
  await sql`DROP INDEX IF EXISTS support_case_list_idx`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX support_case_list_idx ON support_case (partnership_id, opened_on DESC, id)`.execute(db)
  await sql`DROP INDEX IF EXISTS support_case_page_idx`.execute(db)
}
