/**
 * Housing approaches (Housing IDVA and housing teams), in the H-CLIC style, with temporary accommodation
 * episodes. Runs as the actor under wha.refer: row-level security shows an approach to its recorder's scope
 * (the housing team's agency for a housing officer, the partnership for the safe accommodation manager).
 * Linked to the household's support case (and its person) where one exists and the recorder may see it.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { isoDate } from '../accommodation/repository.ts'
import { recordAudit } from '../audit/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import {
  type AccommodationAtApproach, type Approach, approachSummary, type ApproachInput, checkApproach, checkEpisode, currentDuty, type Duty,
  episodeDays, type MainDutyDecision, type TemporaryAccommodationKind,
} from './housingRules.ts'
import { caseByReference } from './therapy.ts'

const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : isoDate(v))

export function createHousingService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db } = deps
  const today = () => londonDate(deps.clock())
  const mustRecord = (actor: Actor) => {
    if (!can(actor.roles, 'wha.refer')) throw new NotFoundError()
  }

  const approachQuery = (tx: Tx, partnershipId: string) => tx
    .selectFrom('housing_approach as h')
    .innerJoin('agency as a', k => k.onRef('a.partnership_id', '=', 'h.partnership_id').onRef('a.id', '=', 'h.agency_id'))
    .innerJoin('app_user as u', k => k.onRef('u.partnership_id', '=', 'h.partnership_id').onRef('u.id', '=', 'h.recorded_by'))
    .leftJoin('support_case as c', k => k.onRef('c.partnership_id', '=', 'h.partnership_id').onRef('c.id', '=', 'h.support_case_id'))
    .where('h.partnership_id', '=', partnershipId)
    .select([
      'h.id', 'h.approached_on as approachedOn', 'h.da_reason_for_loss as daReasonForLoss', 'h.duty', 'h.accommodation_at_approach as accommodationAtApproach',
      'h.prevention_started_on as preventionStartedOn', 'h.prevention_ended_on as preventionEndedOn', 'h.relief_started_on as reliefStartedOn',
      'h.relief_ended_on as reliefEndedOn', 'h.main_duty_decided_on as mainDutyDecidedOn', 'h.main_duty_decision as mainDutyDecision',
      'h.agency_id as agencyId', 'a.name as agencyName', 'h.recorded_by as recordedBy', 'u.display_name as recordedByName',
      'h.support_case_id as supportCaseId', 'c.reference as caseReference', 'h.is_synthetic as isSynthetic', 'h.version',
    ])
  type Row = Awaited<ReturnType<ReturnType<typeof approachQuery>['execute']>>[number]
  const shape = (r: Row) => ({
    ...r,
    duty: r.duty as Duty,
    accommodationAtApproach: r.accommodationAtApproach as AccommodationAtApproach,
    mainDutyDecision: r.mainDutyDecision as MainDutyDecision | null,
    approachedOn: isoDate(r.approachedOn),
    preventionStartedOn: dateOrNull(r.preventionStartedOn),
    preventionEndedOn: dateOrNull(r.preventionEndedOn),
    reliefStartedOn: dateOrNull(r.reliefStartedOn),
    reliefEndedOn: dateOrNull(r.reliefEndedOn),
    mainDutyDecidedOn: dateOrNull(r.mainDutyDecidedOn),
  })

  const episodesFor = async (tx: Tx, partnershipId: string, approachIds: string[]) => {
    if (!approachIds.length) return []
    return (await tx.selectFrom('temporary_accommodation_episode').where('partnership_id', '=', partnershipId).where('approach_id', 'in', approachIds)
      .select(['id', 'approach_id as approachId', 'placed_on as placedOn', 'left_on as leftOn', 'accommodation_kind as kind']).orderBy('placed_on').execute())
      .map(e => ({ ...e, placedOn: isoDate(e.placedOn), leftOn: dateOrNull(e.leftOn), kind: e.kind as TemporaryAccommodationKind }))
  }

  const columns = (v: Approach) => ({
    approached_on: v.approachedOn, da_reason_for_loss: v.daReasonForLoss, accommodation_at_approach: v.accommodationAtApproach,
    prevention_started_on: v.preventionStartedOn, prevention_ended_on: v.preventionEndedOn, relief_started_on: v.reliefStartedOn,
    relief_ended_on: v.reliefEndedOn, main_duty_decided_on: v.mainDutyDecidedOn, main_duty_decision: v.mainDutyDecision, duty: currentDuty(v),
  })

  return {
    today,

    async list(actor: Actor) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const approaches = (await approachQuery(tx, actor.partnershipId).orderBy('h.approached_on', 'desc').limit(1000).execute()).map(shape)
        const episodes = await episodesFor(tx, actor.partnershipId, approaches.map(a => a.id))
        const rows = approaches.map(a => ({ ...a, episodes: episodes.filter(e => e.approachId === a.id) }))
        if (rows.length) {
          await recordAudit(tx, actor, { action: 'CASE_LIST_VIEW', subjectType: 'housing-approach-list', details: { approachIds: rows.map(r => r.id) } })
        }
        return { rows, summary: approachSummary(rows, today()) }
      })
    },

    async record(actor: Actor, input: ApproachInput) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const checked = checkApproach(input, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const linked = await caseByReference(tx, actor.partnershipId, checked.value.caseReference)
        const id = randomUUID()
        await tx.insertInto('housing_approach').values({
          partnership_id: actor.partnershipId, id, agency_id: actor.agencyId, recorded_by: actor.userId, ...columns(checked.value),
          support_case_id: linked?.id ?? null, person_id: linked?.personId ?? null, updated_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'housing-approach', subjectId: id, fields: ['created'], details: linked ? { supportCaseId: linked.id } : {} })
        return id
      })
    },

    async approach(actor: Actor, id: string) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const found = await approachQuery(tx, actor.partnershipId).where('h.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        const episodes = (await episodesFor(tx, actor.partnershipId, [id])).map(e => ({ ...e, days: episodeDays(e, today()) }))
        await recordAudit(tx, actor, { action: 'CASE_VIEW', subjectType: 'housing-approach', subjectId: id })
        return { approach: shape(found), episodes }
      })
    },

    /** The duties and decisions change as the case goes on: updated with optimistic concurrency. The case link stays as recorded. */
    async update(actor: Actor, id: string, input: ApproachInput, version: number) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const found = await approachQuery(tx, actor.partnershipId).where('h.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        const checked = checkApproach({ ...input, caseReference: '' }, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const episodes = await episodesFor(tx, actor.partnershipId, [id])
        const early = episodes.find(e => e.placedOn < checked.value.approachedOn)
        if (early) throw new UserInputError([{ field: 'approachedOn', message: `The approach cannot be after the temporary accommodation placement of ${early.placedOn}` }])
        const updated = await tx.updateTable('housing_approach').set({
          ...columns(checked.value), updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version, updatedAt: new Date() })
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'housing-approach', subjectId: id, fields: ['duties'], details: { duty: currentDuty(checked.value) } })
      })
    },

    /** A temporary accommodation episode: a new placement, or the day the household left an open one. */
    async addEpisode(actor: Actor, id: string, input: { placedOn: string; leftOn: string; kind: string }, version: number) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const found = await approachQuery(tx, actor.partnershipId).where('h.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        // Bump the approach's version first: two people adding episodes at once cannot both pass the overlap check.
        const bumped = await tx.updateTable('housing_approach').set({ updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1` })
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(bumped.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version, updatedAt: new Date() })
        const others = await episodesFor(tx, actor.partnershipId, [id])
        const checked = checkEpisode(input, isoDate(found.approachedOn), others, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const episodeId = randomUUID()
        await tx.insertInto('temporary_accommodation_episode').values({
          partnership_id: actor.partnershipId, id: episodeId, approach_id: id, placed_on: checked.value.placedOn, left_on: checked.value.leftOn,
          accommodation_kind: checked.value.kind, recorded_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'housing-approach', subjectId: id, fields: ['temporaryAccommodation'], details: { episodeId } })
      })
    },

    async endEpisode(actor: Actor, id: string, episodeId: string, input: { leftOn: string }, version: number) {
      mustRecord(actor)
      return withActor(db, actor, async tx => {
        const found = await approachQuery(tx, actor.partnershipId).where('h.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        const episodes = await episodesFor(tx, actor.partnershipId, [id])
        const episode = episodes.find(e => e.id === episodeId)
        if (!episode) throw new NotFoundError()
        if (episode.leftOn) throw new UserInputError([{ field: `leftOn-${episodeId}`, message: 'The household has already left this place' }])
        const checked = checkEpisode({ placedOn: episode.placedOn, leftOn: input.leftOn, kind: episode.kind }, isoDate(found.approachedOn), episodes.filter(e => e.id !== episodeId), today())
        if (!checked.ok || !input.leftOn) {
          throw new UserInputError([{ field: `leftOn-${episodeId}`, message: checked.ok ? 'Enter the date the household left' : checked.problems[0]!.message }])
        }
        const bumped = await tx.updateTable('housing_approach').set({ updated_at: deps.clock(), updated_by: actor.userId, version: sql`version + 1` })
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(bumped.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version, updatedAt: new Date() })
        await tx.updateTable('temporary_accommodation_episode').set({ left_on: checked.value.leftOn })
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', episodeId).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'housing-approach', subjectId: id, fields: ['temporaryAccommodation'], details: { episodeId } })
      })
    },
  }
}
