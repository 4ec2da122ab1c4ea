import type { Kysely } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import type { Engine } from '../../db/database.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import * as repo from './repository.ts'
import type { CaseCursor } from './repository.ts'

export const CASE_PAGE_SIZE = 25

export class NotFoundError extends Error {
  constructor() {
    super('Not found')
  }
}

export function createCaseService(deps: { db: Kysely<DB>; engine?: Engine | undefined }) {
  const { db } = deps
  // Case pages are planned once per connection on a server (see ScopeOptions.genericPlans).
  const genericPlans = deps.engine === 'postgres'
  return {
    /** A page of the cases the actor may see. The people shown are recorded in the audit log. */
    async list(actor: Actor, options: { page: number; status?: string | undefined; pageSize?: number }) {
      const pageSize = options.pageSize ?? CASE_PAGE_SIZE
      const page = Math.max(1, options.page)
      return withActor(db, actor, async tx => {
        // Counted first, so that a page in the second half can be read from the other end of the index.
        const total = await repo.caseCount(tx, actor.partnershipId, options.status)
        const rows = await repo.casePage(tx, actor.partnershipId, { offset: (page - 1) * pageSize, limit: pageSize, status: options.status, total })
        if (rows.length > 0) {
          await recordAudit(tx, actor, {
            action: 'CASE_LIST_VIEW',
            subjectType: 'case-list',
            fields: ['personName', 'team', 'allocatedTo', 'status', 'riskLevel'],
            details: { page, personIds: rows.map(r => r.personId), caseIds: rows.map(r => r.id) },
          })
        }
        return { rows, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) }
      }, { genericPlans })
    },

    /**
     * A page of the cases the actor may see, after a cursor (or from the start): a keyset page, for API clients that
     * walk the list. Nothing is counted and every page costs the same, wherever it is in the list. The people shown
     * are recorded in the audit log, as for a numbered page.
     */
    async listAfter(actor: Actor, options: { after?: CaseCursor | undefined; status?: string | undefined; pageSize?: number }) {
      const pageSize = options.pageSize ?? CASE_PAGE_SIZE
      return withActor(db, actor, async tx => {
        // One more than the page, to know whether there is a next page without counting.
        const found = await repo.casePage(tx, actor.partnershipId, { offset: 0, limit: pageSize + 1, status: options.status, after: options.after })
        const rows = found.slice(0, pageSize)
        if (rows.length > 0) {
          await recordAudit(tx, actor, {
            action: 'CASE_LIST_VIEW',
            subjectType: 'case-list',
            fields: ['personName', 'team', 'allocatedTo', 'status', 'riskLevel'],
            details: { ...(options.after ? { after: options.after } : { page: 1 }), personIds: rows.map(r => r.personId), caseIds: rows.map(r => r.id) },
          })
        }
        const last = rows.at(-1)
        return { rows, pageSize, next: found.length > pageSize && last ? { openedOn: last.openedOn, id: last.id } : undefined }
      }, { genericPlans })
    },

    /**
     * One case, with sealed details when the actor's role may read them, or with a break-glass reason
     * (recorded). A case outside the actor's scope is "not found", exactly like one that does not exist.
     */
    async view(actor: Actor, caseId: string, options: { breakGlassReason?: string | undefined } = {}) {
      const reason = options.breakGlassReason?.trim() || undefined
      return withActor(
        db,
        actor,
        async tx => {
          const found = await repo.caseById(tx, actor.partnershipId, caseId)
          if (!found) throw new NotFoundError()
          const sealed = await repo.sealedDetailsFor(tx, actor.partnershipId, 'person', found.personId)
          const sealedKinds = sealed.length > 0 || actor.mayReadSealed || reason ? sealed.map(s => s.kind)
            : await repo.sealedDetailKinds(tx, 'person', found.personId)
          await recordAudit(
            tx,
            actor,
            {
              action: 'CASE_VIEW',
              subjectType: 'person',
              subjectId: found.personId,
              fields: ['name', 'dateOfBirth', 'sex', 'postcode', 'referral', 'team', 'allocatedTo'],
              details: { caseId },
            },
            ...(sealed.length > 0
              ? [{
                  action: reason && !actor.mayReadSealed ? ('SEALED_BREAK_GLASS' as const) : ('SEALED_READ' as const),
                  subjectType: 'person',
                  subjectId: found.personId,
                  fields: sealed.map(s => s.kind),
                  ...(reason ? { reason } : {}),
                  details: { caseId },
                }]
              : []),
          )
          return { case: found, sealed, sealedKinds, sealedReadable: actor.mayReadSealed || Boolean(reason) }
        },
        reason ? { breakGlassReason: reason } : {},
      )
    },
  }
}

export type CaseService = ReturnType<typeof createCaseService>
