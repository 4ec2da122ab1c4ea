import { type Kysely, sql } from 'kysely'

/**
 * Repeat detection for the quarterly report: each IDVA referral of the two quarters looks up its victim and
 * perpetrator's last earlier referral in this index (an index-only probe), instead of sorting the whole
 * 27-month history for a window function (src/domains/reports/source.ts, flaggedEpisodes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX service_episode_idva_pair_idx ON service_episode (partnership_id, agency_id, person_ref, perpetrator_ref, referral_date)
    WHERE service = 'idva'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS service_episode_idva_pair_idx`.execute(db)
}
