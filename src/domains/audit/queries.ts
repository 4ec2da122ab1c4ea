import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { type AuditListRow, auditEventsAboutPerson, recentAuditEvents } from './repository.ts'
import { recordAudit } from './service.ts'

/** Reading the audit log in the web UI. Row-level security lets only audit.read see it; reading it is audited too. */
export function createAuditService(deps: { db: Kysely<DB> }) {
  const { db } = deps
  return {
    async recent(actor: Actor, limit = 100): Promise<AuditListRow[]> {
      return withActor(db, actor, async tx => {
        const rows = await recentAuditEvents(tx, actor.partnershipId, limit)
        await recordAudit(tx, actor, { action: 'AUDIT_VIEW', subjectType: 'audit-log', details: { view: 'recent' } })
        return rows
      })
    },

    /**
     * "Who looked at this person's record?": every entry about the person, and every list view that showed them.
     * The person is found by case reference (or id) without the auditor being able to read the case itself.
     */
    async whoLookedAt(actor: Actor, query: { caseReference?: string; personId?: string }) {
      return withActor(db, actor, async tx => {
        let personId = query.personId
        if (!personId && query.caseReference) {
          const found = await sql<{ id: string | null }>`SELECT hearth_person_for_case_reference(${query.caseReference.trim()}) AS id`.execute(tx)
          personId = found.rows[0]?.id ?? undefined
        }
        if (!personId || !/^[0-9a-f-]{36}$/.test(personId)) return { personId: undefined, rows: [] as AuditListRow[] }
        const rows = await auditEventsAboutPerson(tx, actor.partnershipId, personId)
        await recordAudit(tx, actor, { action: 'AUDIT_VIEW', subjectType: 'person', subjectId: personId, details: { view: 'who-looked' } })
        return { personId, rows }
      })
    },
  }
}
