/**
 * Therapeutic support for children and adults: referrals by a DA specialist or housing worker (wha.refer),
 * the provider's waiting list and sessions (therapy.deliver for the providing agency). Runs as the actor: row-level
 * security shows a referral to the referrer's scope and to the providing agency, and lets only the providing
 * agency record sessions. Linked to the household's support case (and its person) where one exists and the
 * referrer may see it. No names, no notes of what is said in therapy: Hearth keeps the referral and attendance.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can, scopeFor } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { isoDate } from '../accommodation/repository.ts'
import { recordAudit } from '../audit/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import {
  type Attendance, checkClosure, checkTherapyReferral, type Client, daysWaited, recordSession, type SupportKind, therapySummary,
  type TherapyReferralInput, type TherapyStatus,
} from './therapyRules.ts'

/** Agencies that provide therapeutic support: specialist DA services, refuge providers, health and others. */
export const therapyProviderKinds = ['specialist-da-service', 'refuge-provider', 'health', 'other']

export function providesFor(actor: Actor, providerAgencyId: string): boolean {
  const scope = scopeFor(actor.roles, 'therapy.deliver')
  return scope === 'partnership' || (scope !== null && actor.agencyId === providerAgencyId)
}

const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : isoDate(v))

/** The support case with this reference, if the actor may see it (row-level security on support_case). */
export async function caseByReference(tx: Tx, partnershipId: string, reference: string | null) {
  if (!reference) return null
  const found = await tx.selectFrom('support_case').where('partnership_id', '=', partnershipId).where(sql<string>`upper(reference)`, '=', reference.toUpperCase())
    .select(['id', 'person_id as personId', 'reference']).executeTakeFirst()
  if (!found) throw new UserInputError([{ field: 'caseReference', message: `There is no case ${reference} that you can see: check the reference, or leave it blank` }])
  return found
}

export function createTherapyService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db } = deps
  const today = () => londonDate(deps.clock())

  const referralQuery = (tx: Tx, partnershipId: string) => tx
    .selectFrom('therapeutic_referral as t')
    .innerJoin('agency as ra', k => k.onRef('ra.partnership_id', '=', 't.partnership_id').onRef('ra.id', '=', 't.referring_agency_id'))
    .innerJoin('agency as pa', k => k.onRef('pa.partnership_id', '=', 't.partnership_id').onRef('pa.id', '=', 't.provider_agency_id'))
    .innerJoin('app_user as u', k => k.onRef('u.partnership_id', '=', 't.partnership_id').onRef('u.id', '=', 't.referred_by'))
    .leftJoin('support_case as c', k => k.onRef('c.partnership_id', '=', 't.partnership_id').onRef('c.id', '=', 't.support_case_id'))
    .where('t.partnership_id', '=', partnershipId)
    .select([
      't.id', 't.client', 't.age_at_referral as ageAtReferral', 't.support_kind as supportKind', 't.referred_on as referredOn',
      't.started_on as startedOn', 't.ended_on as endedOn', 't.status', 't.sessions_offered as sessionsOffered',
      't.sessions_attended as sessionsAttended', 't.closure_note as closureNote', 't.referred_by as referredBy', 'u.display_name as referredByName',
      't.referring_agency_id as referringAgencyId', 'ra.name as referringAgencyName', 't.provider_agency_id as providerAgencyId',
      'pa.name as providerName', 't.support_case_id as supportCaseId', 'c.reference as caseReference', 't.is_synthetic as isSynthetic', 't.version',
    ])
  type Row = Awaited<ReturnType<ReturnType<typeof referralQuery>['execute']>>[number]
  const shape = (r: Row) => {
    const referredOn = isoDate(r.referredOn)
    const startedOn = dateOrNull(r.startedOn)
    const endedOn = dateOrNull(r.endedOn)
    const status = r.status as TherapyStatus
    return {
      ...r, client: r.client as Client, supportKind: r.supportKind as SupportKind, status, referredOn, startedOn, endedOn,
      daysWaited: daysWaited({ status, referredOn, startedOn, endedOn }, today()),
    }
  }

  async function findForUpdate(tx: Tx, actor: Actor, id: string, version: number) {
    const found = await referralQuery(tx, actor.partnershipId).where('t.id', '=', id).executeTakeFirst()
    if (!found) throw new NotFoundError()
    if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
    return shape(found)
  }

  return {
    today,

    /** The referrals the actor can see: the waiting list first (longest wait first), then those in support, then closed. */
    async list(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = (await referralQuery(tx, actor.partnershipId).orderBy('t.referred_on', 'asc').limit(1000).execute()).map(shape)
        const order: Record<TherapyStatus, number> = { waiting: 0, 'in-support': 1, completed: 2, disengaged: 2, declined: 2, withdrawn: 2 }
        rows.sort((a, b) => order[a.status] - order[b.status] || (a.status === 'waiting' ? a.referredOn.localeCompare(b.referredOn) : b.referredOn.localeCompare(a.referredOn)))
        if (rows.length) {
          await recordAudit(tx, actor, { action: 'CASE_LIST_VIEW', subjectType: 'therapeutic-referral-list', details: { referralIds: rows.map(r => r.id) } })
        }
        return { rows, summary: therapySummary(rows, today()), mayRefer: can(actor.roles, 'wha.refer'), mayProvide: can(actor.roles, 'therapy.deliver') }
      })
    },

    async providers(actor: Actor) {
      return withActor(db, actor, tx => tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('kind', 'in', therapyProviderKinds)
        .select(['id', 'name']).orderBy('name').execute())
    },

    async refer(actor: Actor, input: TherapyReferralInput) {
      if (!can(actor.roles, 'wha.refer')) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const providers = (await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('kind', 'in', therapyProviderKinds).select('id').execute()).map(a => a.id)
        const checked = checkTherapyReferral(input, providers, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const v = checked.value
        const linked = await caseByReference(tx, actor.partnershipId, v.caseReference)
        const id = randomUUID()
        await tx.insertInto('therapeutic_referral').values({
          partnership_id: actor.partnershipId, id, client: v.client, age_at_referral: v.ageAtReferral, support_kind: v.supportKind,
          referring_agency_id: actor.agencyId, referred_by: actor.userId, provider_agency_id: v.providerAgencyId, referred_on: v.referredOn,
          support_case_id: linked?.id ?? null, person_id: v.client === 'adult' ? (linked?.personId ?? null) : null, updated_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'REFERRAL_CREATE', subjectType: 'therapeutic-referral', subjectId: id, details: linked ? { supportCaseId: linked.id } : {} })
        return id
      })
    },

    async referral(actor: Actor, id: string) {
      return withActor(db, actor, async tx => {
        const found = await referralQuery(tx, actor.partnershipId).where('t.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        const sessions = (await tx.selectFrom('therapeutic_session as s')
          .innerJoin('app_user as u', k => k.onRef('u.partnership_id', '=', 's.partnership_id').onRef('u.id', '=', 's.recorded_by'))
          .where('s.partnership_id', '=', actor.partnershipId).where('s.referral_id', '=', id)
          .select(['s.id', 's.session_on as sessionOn', 's.attendance', 'u.display_name as recordedByName'])
          .orderBy('s.session_on').orderBy('s.recorded_at').execute())
          .map(s => ({ ...s, sessionOn: isoDate(s.sessionOn), attendance: s.attendance as Attendance }))
        await recordAudit(tx, actor, { action: 'REFERRAL_VIEW', subjectType: 'therapeutic-referral', subjectId: id })
        const referral = shape(found)
        return { referral, sessions, provides: providesFor(actor, referral.providerAgencyId), mine: referral.referredBy === actor.userId }
      })
    },

    /** The provider records a session; the referral's counts, start (the end of the wait) and status follow. */
    async addSession(actor: Actor, id: string, input: { sessionOn: string; attendance: string }, version: number) {
      return withActor(db, actor, async tx => {
        const found = await findForUpdate(tx, actor, id, version)
        if (!providesFor(actor, found.providerAgencyId)) throw new NotFoundError()
        const checked = recordSession(found, input, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const next = checked.value.next
        await tx.insertInto('therapeutic_session').values({
          partnership_id: actor.partnershipId, id: randomUUID(), referral_id: id, session_on: checked.value.sessionOn,
          attendance: checked.value.attendance, recorded_by: actor.userId,
        }).execute()
        const updated = await tx.updateTable('therapeutic_referral').set({
          status: next.status, started_on: next.startedOn, sessions_offered: next.sessionsOffered, sessions_attended: next.sessionsAttended,
          updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version, updatedAt: new Date() })
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'therapeutic-referral', subjectId: id, fields: ['session'], details: { attendance: checked.value.attendance } })
      })
    },

    /** Closes the referral: the provider completes, declines or notes she stopped attending; the referrer withdraws. */
    async close(actor: Actor, id: string, input: { status: string; endedOn: string; note: string }, version: number) {
      return withActor(db, actor, async tx => {
        const found = await findForUpdate(tx, actor, id, version)
        const as = providesFor(actor, found.providerAgencyId) ? 'provider' : can(actor.roles, 'wha.refer') ? 'referrer' : null
        if (!as) throw new NotFoundError()
        const checked = checkClosure(found, as, input, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const updated = await tx.updateTable('therapeutic_referral').set({
          status: checked.value.status, ended_on: checked.value.endedOn, closure_note: checked.value.note,
          updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version, updatedAt: new Date() })
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'therapeutic-referral', subjectId: id, fields: ['status'], details: { status: checked.value.status } })
      })
    },
  }
}
