import type { Kysely } from 'kysely'
import type { Actor, SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import type { AuditEvent } from './actions.ts'
import { insertAuditEvents } from './repository.ts'

type Who = Actor | SystemActor | { partnershipId: string; userId: string | null; label: string; correlationId?: string }

function who(actor: Who): { partnershipId: string; userId: string | null; label: string; correlationId: string | null } {
  if ('roles' in actor) {
    return { partnershipId: actor.partnershipId, userId: actor.userId, label: 'user', correlationId: actor.correlationId ?? null }
  }
  return {
    partnershipId: actor.partnershipId,
    userId: 'userId' in actor ? actor.userId : null,
    label: actor.label,
    correlationId: actor.correlationId ?? null,
  }
}

/**
 * Records audit events in the caller's transaction, so the record of an action commits or rolls back
 * with the action itself. Call it last in a transaction: the chain lock is held until commit.
 */
export async function recordAudit(db: Kysely<DB>, actor: Who, ...events: AuditEvent[]): Promise<void> {
  const w = who(actor)
  await insertAuditEvents(
    db,
    events.map(e => ({
      partnershipId: w.partnershipId,
      actorUserId: w.userId,
      actorLabel: w.label,
      action: e.action,
      subjectType: e.subjectType ?? null,
      subjectId: e.subjectId ?? null,
      fields: e.fields ?? null,
      reason: e.reason ?? null,
      correlationId: w.correlationId,
      details: e.details ?? null,
    })),
  )
}
