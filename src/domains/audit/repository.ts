import { createHash } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import type { AuditAction } from './actions.ts'

type Writer = Kysely<DB>

export type AuditRow = {
  partnershipId: string
  actorUserId: string | null
  actorLabel: string
  action: AuditAction
  subjectType: string | null
  subjectId: string | null
  fields: string[] | null
  reason: string | null
  correlationId: string | null
  details: Record<string, unknown> | null
}

/** Appends entries. Sequence, time and hashes are set by the database trigger, never by the caller. */
export async function insertAuditEvents(db: Writer, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return
  await db
    .insertInto('audit_event')
    .values(
      rows.map(r => ({
        partnership_id: r.partnershipId,
        actor_user_id: r.actorUserId,
        actor_label: r.actorLabel,
        action: r.action,
        subject_type: r.subjectType,
        subject_id: r.subjectId,
        fields: r.fields,
        reason: r.reason,
        correlation_id: r.correlationId,
        details: r.details ? JSON.stringify(r.details) : null,
      })),
    )
    .execute()
}

export type AuditListRow = {
  seq: number
  at: Date
  actorUserId: string | null
  actorLabel: string
  actorName: string | null
  action: string
  subjectType: string | null
  subjectId: string | null
  fields: string[] | null
  reason: string | null
}

/** The audit log as people read it: entries with the actor's name, newest first. */
const auditList = (db: Writer, partnershipId: string) =>
  db
    .selectFrom('audit_event as e')
    .leftJoin('app_user as u', join => join.onRef('u.partnership_id', '=', 'e.partnership_id').onRef('u.id', '=', 'e.actor_user_id'))
    .where('e.partnership_id', '=', partnershipId)
    .select([
      'e.seq',
      'e.at',
      'e.actor_user_id as actorUserId',
      'e.actor_label as actorLabel',
      'u.display_name as actorName',
      'e.action',
      'e.subject_type as subjectType',
      'e.subject_id as subjectId',
      'e.fields',
      'e.reason',
    ])
    .orderBy('e.seq', 'desc')

/** Entries about some records of one type, newest first. */
export async function auditEventsForSubject(
  db: Writer,
  partnershipId: string,
  subjectType: string,
  subjectIds: string[],
  limit = 200,
): Promise<AuditListRow[]> {
  if (subjectIds.length === 0) return []
  return auditList(db, partnershipId).where('e.subject_type', '=', subjectType).where('e.subject_id', 'in', subjectIds).limit(limit).execute()
}

/**
 * "Who looked at this person's record?": entries about the person, and list views that showed them
 * (list views record the people they showed in details.personIds, which a GIN index serves).
 */
export async function auditEventsAboutPerson(db: Writer, partnershipId: string, personId: string, limit = 500): Promise<AuditListRow[]> {
  return auditList(db, partnershipId)
    .where(eb => eb.or([
      eb.and([eb('e.subject_type', '=', 'person'), eb('e.subject_id', '=', personId)]),
      sql<boolean>`e.details -> 'personIds' @> ${JSON.stringify([personId])}::jsonb`,
    ]))
    .limit(limit)
    .execute()
}

export async function recentAuditEvents(db: Writer, partnershipId: string, limit = 100): Promise<AuditListRow[]> {
  return auditList(db, partnershipId).limit(limit).execute()
}

export type ChainEntry = { seq: number; prevHash: string; hash: string; canonical: string }

/**
 * Reads a page of one lane of the chain with each entry's canonical text as PostgreSQL renders it.
 * The hashes are recomputed in JavaScript by the verifier, so verification does not trust the database's functions.
 */
export async function chainPage(db: Writer, partnershipId: string, lane: number, afterSeq: number, limit: number): Promise<ChainEntry[]> {
  const result = await sql<ChainEntry>`
    SELECT e.seq, e.prev_hash AS "prevHash", e.hash,
      concat_ws(chr(31), e.prev_hash, e.partnership_id::text, e.seq::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(e.actor_user_id::text, ''), e.actor_label, e.action,
        coalesce(e.subject_type, ''), coalesce(e.subject_id, ''),
        coalesce(array_to_string(e.fields, ','), ''), coalesce(e.reason, ''),
        coalesce(e.correlation_id, ''), coalesce(e.details::text, '')) AS canonical
    FROM audit_event e
    WHERE e.partnership_id = ${partnershipId} AND e.lane = ${lane} AND e.seq > ${afterSeq}
    ORDER BY e.seq
    LIMIT ${limit}`.execute(db)
  return result.rows.map(r => ({ ...r, seq: Number(r.seq) }))
}

/** Entries in lanes the partnership has no head for: only a hand that moved them there puts them there. */
export async function entriesOutsideLanes(db: Writer, partnershipId: string, lanes: number[]): Promise<number[]> {
  let query = db.selectFrom('audit_event').where('partnership_id', '=', partnershipId)
  if (lanes.length > 0) query = query.where('lane', 'not in', lanes)
  const rows = await query.select('seq').orderBy('seq').limit(100).execute()
  return rows.map(r => Number(r.seq))
}

export type LaneHead = { lane: number; lastSeq: number; lastHash: string; entries: number }
export type ChainHead = { entries: number; headHash: string; lanes: LaneHead[] }

/**
 * One hash for the heads of all of a partnership's lanes: what `hearth audit verify` prints, and a backup records,
 * so that a later rewrite of the log can be detected by comparing it with a copy kept outside the database.
 */
export function combinedHeadHash(lanes: { lane: number; lastHash: string }[]): string {
  const text = [...lanes].sort((a, b) => a.lane - b.lane).map(l => `${l.lane}:${l.lastHash}`).join('\n')
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The partnership's chain heads (one a lane), or undefined when it has no audit entry yet. */
export async function chainHead(db: Writer, partnershipId: string): Promise<ChainHead | undefined> {
  const rows = await db
    .selectFrom('audit_chain')
    .where('partnership_id', '=', partnershipId)
    .select(['lane', 'last_seq', 'last_hash', 'entries'])
    .orderBy('lane')
    .execute()
  if (rows.length === 0) return undefined
  const lanes = rows.map(r => ({ lane: Number(r.lane), lastSeq: Number(r.last_seq), lastHash: r.last_hash, entries: Number(r.entries) }))
  return { entries: lanes.reduce((sum, l) => sum + l.entries, 0), headHash: combinedHeadHash(lanes), lanes }
}
