import { type Kysely, sql } from 'kysely'

/**
 * Trans status of a placement's adult, recorded at move-in, so that the Part 4 return can count trans adults
 * (P4-C2: women, men, trans adults, children). The data standard's `trans` code (yes, no, not-known, declined);
 * NULL when it was not asked (children, and placements recorded before this). Never used for matching.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accommodation_placement_member ADD COLUMN trans text
    CHECK (trans IN ('yes', 'no', 'not-known', 'declined'))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accommodation_placement_member DROP COLUMN trans`.execute(db)
}
