import { type Kysely, sql } from 'kysely'

/**
 * The audit log's hash chain in lanes: each partnership's log is eight chains instead of one, so that eight
 * transactions can append at once.
 *
 * Until now every audited transaction of a partnership took the one chain head's row lock at its audit insert and
 * held it through commit, including the WAL flush. Audited requests of a partnership ran one at a time from their
 * audit insert to their commit: about 1.8 ms of flush each capped a partnership at about 500 audited requests a second
 * and queued every request behind the others' flushes.
 *
 * - audit_chain has a row per (partnership, lane), lanes 0 to 7, each with its last entry's seq and hash and its
 *   number of entries.
 * - An entry's lane is chosen by the trigger: the first lane whose head is not locked (SKIP LOCKED), starting from
 *   the backend's own (pg_backend_pid() mod 8), so that a pool's connections rarely meet; a transaction keeps the lane
 *   it took for every further entry of that partnership (a transaction-local setting), and only waits when all eight
 *   are taken.
 * - seq comes from one sequence: unique and increasing in each lane, in the order entries were chained, with gaps
 *   (other lanes, other partnerships, rolled-back transactions). The log is still read newest first by seq.
 * - The hashed text is unchanged (prev_hash, partnership, seq, time, who, what, …): an entry's prev_hash is the hash
 *   of the entry before it in its lane. Existing entries are lane 0, and verify as before.
 * - Verification walks each lane; an entry missing from the middle of a lane breaks the next entry's link, one
 *   missing from the end breaks the lane's head, and an entry moved to another lane breaks both lanes.
 */
const LANES = 8

const chainFunction = (lanes: number) => sql.raw(`CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
   DECLARE
     head audit_chain%ROWTYPE;
     lanes constant integer := ${lanes};
     held_setting constant text := 'hearth.audit_lane_' || replace(NEW.partnership_id::text, '-', '');
     held integer := nullif(current_setting(held_setting, true), '')::integer;
     start integer := pg_backend_pid() % lanes;
   BEGIN
     IF held IS NOT NULL THEN
       -- This transaction already holds a lane of this partnership: keep to it.
       SELECT * INTO head FROM audit_chain WHERE partnership_id = NEW.partnership_id AND lane = held FOR UPDATE;
     ELSE
       SELECT * INTO head FROM audit_chain WHERE partnership_id = NEW.partnership_id
         ORDER BY (lane - start + lanes) % lanes LIMIT 1 FOR UPDATE SKIP LOCKED;
       IF NOT FOUND THEN
         -- The partnership's first entry (its lanes are made now), or every lane is taken (wait for our own).
         INSERT INTO audit_chain (partnership_id, lane, last_seq, last_hash, entries)
           SELECT NEW.partnership_id, l, 0, repeat('0', 64), 0 FROM generate_series(0, lanes - 1) AS l
           ON CONFLICT (partnership_id, lane) DO NOTHING;
         SELECT * INTO head FROM audit_chain WHERE partnership_id = NEW.partnership_id AND lane = start FOR UPDATE;
       END IF;
       PERFORM set_config(held_setting, head.lane::text, true);
     END IF;
     NEW.lane := head.lane;
     NEW.seq := nextval('audit_event_seq');
     NEW.prev_hash := head.last_hash;
     NEW.at := date_trunc('milliseconds', clock_timestamp());
     NEW.hash := encode(sha256(convert_to(audit_event_canonical(NEW), 'UTF8')), 'hex');
     UPDATE audit_chain SET last_seq = NEW.seq, last_hash = NEW.hash, entries = entries + 1
       WHERE partnership_id = NEW.partnership_id AND lane = head.lane;
     RETURN NEW;
   END $$`)

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_chain ADD COLUMN lane smallint NOT NULL DEFAULT 0`.execute(db)
  await sql`ALTER TABLE audit_chain ADD COLUMN entries bigint NOT NULL DEFAULT 0`.execute(db)
  // Until now the one chain's seq ran 1, 2, 3 …: its last seq is its number of entries.
  await sql`UPDATE audit_chain SET entries = last_seq`.execute(db)
  await sql`ALTER TABLE audit_chain DROP CONSTRAINT audit_chain_pkey`.execute(db)
  await sql`ALTER TABLE audit_chain ADD PRIMARY KEY (partnership_id, lane)`.execute(db)
  await sql`ALTER TABLE audit_chain ADD CONSTRAINT audit_chain_lane_check CHECK (lane >= 0 AND lane < ${sql.lit(LANES)})`.execute(db)
  await sql.raw(`INSERT INTO audit_chain (partnership_id, lane, last_seq, last_hash, entries)
    SELECT c.partnership_id, l, 0, repeat('0', 64), 0 FROM audit_chain c, generate_series(1, ${LANES - 1}) AS l
    ON CONFLICT (partnership_id, lane) DO NOTHING`).execute(db)

  await sql`ALTER TABLE audit_event ADD COLUMN lane smallint NOT NULL DEFAULT 0`.execute(db)
  await sql`CREATE INDEX audit_event_lane_idx ON audit_event (partnership_id, lane, seq)`.execute(db)
  await sql`CREATE SEQUENCE audit_event_seq AS bigint`.execute(db)
  await sql`SELECT setval('audit_event_seq', coalesce((SELECT max(seq) FROM audit_event), 0) + 1, false)`.execute(db)
  await chainFunction(LANES).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  throw new Error('The audit lanes cannot be undone: entries in lanes 1 to 7 would no longer verify as one chain.')
}
