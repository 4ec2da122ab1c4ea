/**
 * Flexible funding and managed reciprocals, as the actor (row-level security: the specialist's scope under
 * wha.refer). Flexible funding requests carry no evidence or means-test fields by design; a request is
 * approved by someone other than the specialist who asked.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { isoDate } from '../accommodation/repository.ts'
import { recordAudit } from '../audit/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import {
  checkFundingDecision, checkFundingRequest, checkReciprocal, checkReciprocalUpdate, type FundingStatus, type ReciprocalStatus,
  reciprocalSummary, spendAgainstBudget,
} from './whaRules.ts'

const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : isoDate(v))

export function createWhaService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db } = deps
  const today = () => londonDate(deps.clock())

  const fundingRows = (tx: Kysely<DB>, partnershipId: string) => tx
    .selectFrom('flexible_funding_request as r')
    .innerJoin('flexible_fund as f', j => j.onRef('f.partnership_id', '=', 'r.partnership_id').onRef('f.code', '=', 'r.fund_code'))
    .innerJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'r.partnership_id').onRef('u.id', '=', 'r.specialist_user_id'))
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'r.partnership_id').onRef('a.id', '=', 'r.specialist_agency_id'))
    .where('r.partnership_id', '=', partnershipId)
    .select([
      'r.id', 'r.fund_code as fundCode', 'f.name as fundName', 'r.requested_on as requestedOn', 'r.category', 'r.what_for as whatFor',
      'r.amount_pence as amountPence', 'r.specialist_user_id as specialistUserId', 'u.display_name as specialistName', 'a.name as agencyName',
      'r.status', 'r.decided_on as decidedOn', 'r.paid_on as paidOn', 'r.is_synthetic as isSynthetic', 'r.version',
    ])

  return {
    today,

    async fundingList(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = (await fundingRows(tx, actor.partnershipId).orderBy('r.requested_on', 'desc').limit(500).execute()).map(r => ({
          ...r, status: r.status as FundingStatus, requestedOn: isoDate(r.requestedOn), decidedOn: dateOrNull(r.decidedOn), paidOn: dateOrNull(r.paidOn),
          mine: r.specialistUserId === actor.userId,
        }))
        const funds = await tx.selectFrom('flexible_fund').where('partnership_id', '=', actor.partnershipId).select(['code', 'name']).orderBy('name').execute()
        const budgets = (await tx.selectFrom('flexible_fund_budget as b')
          .innerJoin('flexible_fund as f', j => j.onRef('f.partnership_id', '=', 'b.partnership_id').onRef('f.code', '=', 'b.fund_code'))
          .where('b.partnership_id', '=', actor.partnershipId)
          .select(['b.fund_code as fundCode', 'f.name as fundName', 'b.period_start as periodStart', 'b.period_end as periodEnd', 'b.budget_pence as budgetPence'])
          .orderBy('b.period_start', 'desc').execute()).map(b => ({ ...b, periodStart: isoDate(b.periodStart), periodEnd: isoDate(b.periodEnd) }))
        if (rows.length) {
          await recordAudit(tx, actor, { action: 'REPORT_VIEW', subjectType: 'flexible-funding-list', details: { requestIds: rows.map(r => r.id) } })
        }
        return { rows, funds, spend: spendAgainstBudget(budgets, rows) }
      })
    },

    async requestFunding(actor: Actor, input: { fundCode: string; category: string; whatFor: string; amount: string; requestedOn: string }) {
      return withActor(db, actor, async tx => {
        const funds = (await tx.selectFrom('flexible_fund').where('partnership_id', '=', actor.partnershipId).select('code').execute()).map(f => f.code)
        const checked = checkFundingRequest(input, funds, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const id = randomUUID()
        await tx.insertInto('flexible_funding_request').values({
          partnership_id: actor.partnershipId, id, fund_code: checked.value.fundCode, requested_on: checked.value.requestedOn,
          category: checked.value.category, what_for: checked.value.whatFor, amount_pence: checked.value.amountPence,
          specialist_user_id: actor.userId, specialist_agency_id: actor.agencyId,
        }).execute()
        await recordAudit(tx, actor, { action: 'REFERRAL_CREATE', subjectType: 'flexible-funding-request', subjectId: id })
        return id
      })
    },

    async decideFunding(actor: Actor, id: string, input: { status: string; paidOn: string }, version: number) {
      return withActor(db, actor, async tx => {
        const found = await fundingRows(tx, actor.partnershipId).where('r.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        if (input.status === 'approved' && found.specialistUserId === actor.userId) {
          throw new UserInputError([{ field: 'status', message: 'Someone other than the specialist who asked must approve the request' }])
        }
        const problems = checkFundingDecision(found.status as FundingStatus, input.status, input.paidOn, isoDate(found.requestedOn), today())
        if (problems.length) throw new UserInputError(problems)
        await tx.updateTable('flexible_funding_request').set({
          status: input.status,
          ...(input.status === 'paid' ? { paid_on: input.paidOn } : { decided_by: actor.userId, decided_on: today() }),
          version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'flexible-funding-request', subjectId: id, fields: ['status'], details: { status: input.status } })
      })
    },

    async reciprocalList(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = (await tx.selectFrom('managed_reciprocal as m')
          .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'm.partnership_id').onRef('a.id', '=', 'm.nominating_agency_id'))
          .where('m.partnership_id', '=', actor.partnershipId)
          .select([
            'm.id', 'm.landlord_from as landlordFrom', 'm.landlord_to as landlordTo', 'm.areas', 'm.bedrooms_needed as bedroomsNeeded',
            'm.requested_on as requestedOn', 'm.status', 'm.offers', 'm.moved_on as movedOn', 'a.name as agencyName', 'm.is_synthetic as isSynthetic', 'm.version',
          ])
          .orderBy('m.requested_on', 'desc').limit(500).execute())
          .map(r => ({ ...r, status: r.status as ReciprocalStatus, requestedOn: isoDate(r.requestedOn), movedOn: dateOrNull(r.movedOn) }))
        return { rows, summary: reciprocalSummary(rows, today()) }
      })
    },

    async requestReciprocal(actor: Actor, input: { landlordFrom: string; areas: string; bedroomsNeeded: string; requestedOn: string }) {
      return withActor(db, actor, async tx => {
        const checked = checkReciprocal(input, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const id = randomUUID()
        await tx.insertInto('managed_reciprocal').values({
          partnership_id: actor.partnershipId, id, nominated_by: actor.userId, nominating_agency_id: actor.agencyId,
          landlord_from: checked.value.landlordFrom, areas: checked.value.areas, bedrooms_needed: checked.value.bedroomsNeeded, requested_on: checked.value.requestedOn,
        }).execute()
        await recordAudit(tx, actor, { action: 'REFERRAL_CREATE', subjectType: 'managed-reciprocal', subjectId: id })
        return id
      })
    },

    async updateReciprocal(actor: Actor, id: string, input: { status: string; landlordTo: string; offers: string; movedOn: string }, version: number) {
      return withActor(db, actor, async tx => {
        const found = await tx.selectFrom('managed_reciprocal').where('partnership_id', '=', actor.partnershipId).where('id', '=', id)
          .select(['requested_on as requestedOn', 'version']).executeTakeFirst()
        if (!found) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        const checked = checkReciprocalUpdate(input, isoDate(found.requestedOn), today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        await tx.updateTable('managed_reciprocal').set({
          status: checked.value.status, landlord_to: checked.value.landlordTo, offers: checked.value.offers, moved_on: checked.value.movedOn,
          version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'managed-reciprocal', subjectId: id, fields: ['status'], details: { status: checked.value.status } })
      })
    },
  }
}
