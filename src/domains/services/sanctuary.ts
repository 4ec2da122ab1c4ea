/**
 * Additional security / sanctuary jobs: referred by a DA specialist, surveyed and fitted by the provider,
 * followed up on four outcomes. Runs as the actor: row-level security shows a job to the referrer's scope
 * and to the provider doing the work (wha.refer / wha.deliver in src/access/policy.ts).
 *
 * The address of the home is deliberately not recorded here: the provider arranges access through the
 * referring specialist, so Hearth holds no survivor's home address for this workflow.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { scopeFor } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import { isoDate } from '../accommodation/repository.ts'
import { checkJobUpdate, checkReferral, type JobStatus, type Outcome, type OutcomeMeasure, outcomes, sanctuarySummary } from './sanctuaryRules.ts'

/** Agencies that can fit security: specialist DA services, refuge providers and housing providers. */
const providerKinds = ['specialist-da-service', 'refuge-provider', 'housing']

export function deliversFor(actor: Actor, providerAgencyId: string): boolean {
  const scope = scopeFor(actor.roles, 'wha.deliver')
  return scope === 'partnership' || (scope !== null && actor.agencyId === providerAgencyId)
}

const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : isoDate(v))

export function createSanctuaryService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db } = deps
  const today = () => londonDate(deps.clock())

  function jobQuery(tx: Kysely<DB>, partnershipId: string) {
    return tx
      .selectFrom('sanctuary_job as j')
      .innerJoin('agency as ra', k => k.onRef('ra.partnership_id', '=', 'j.partnership_id').onRef('ra.id', '=', 'j.referring_agency_id'))
      .innerJoin('agency as pa', k => k.onRef('pa.partnership_id', '=', 'j.partnership_id').onRef('pa.id', '=', 'j.provider_agency_id'))
      .innerJoin('app_user as u', k => k.onRef('u.partnership_id', '=', 'j.partnership_id').onRef('u.id', '=', 'j.referred_by'))
      .leftJoin('district as d', k => k.onRef('d.partnership_id', '=', 'j.partnership_id').onRef('d.code', '=', 'j.district_code'))
      .leftJoin('sanctuary_follow_up as f', k => k.onRef('f.partnership_id', '=', 'j.partnership_id').onRef('f.job_id', '=', 'j.id'))
      .where('j.partnership_id', '=', partnershipId)
      .select([
        'j.id', 'j.reference', 'j.referred_on as referredOn', 'j.referred_by as referredBy', 'u.display_name as referredByName',
        'j.referring_agency_id as referringAgencyId', 'ra.name as referringAgencyName', 'j.provider_agency_id as providerAgencyId',
        'pa.name as providerName', 'd.name as districtName', 'j.tenure', 'j.status', 'j.surveyed_on as surveyedOn', 'j.fitted_on as fittedOn',
        'j.devices', 'j.cost_pence as costPence', 'j.children_protected as childrenProtected', 'j.closure_reason as closureReason',
        'j.is_synthetic as isSynthetic', 'j.version', 'f.surveyed_on as followUpOn', 'f.safety', 'f.empowerment',
        'f.health_wellbeing as healthWellbeing', 'f.recover_cope as recoverCope',
      ])
  }
  type JobRow = Awaited<ReturnType<ReturnType<typeof jobQuery>['execute']>>[number]
  const shape = (r: JobRow) => ({
    ...r,
    status: r.status as JobStatus,
    referredOn: isoDate(r.referredOn),
    surveyedOn: dateOrNull(r.surveyedOn),
    fittedOn: dateOrNull(r.fittedOn),
    followUpOn: dateOrNull(r.followUpOn),
    followUp: r.safety
      ? { safety: r.safety, empowerment: r.empowerment, healthWellbeing: r.healthWellbeing, recoverCope: r.recoverCope } as Record<OutcomeMeasure, Outcome>
      : null,
  })

  return {
    today,

    async list(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = (await jobQuery(tx, actor.partnershipId).orderBy('j.referred_on', 'desc').orderBy('j.reference').limit(500).execute()).map(shape)
        return { rows, summary: sanctuarySummary(rows) }
      })
    },

    async options(actor: Actor) {
      return withActor(db, actor, async tx => ({
        districts: await tx.selectFrom('district').where('partnership_id', '=', actor.partnershipId).select(['code', 'name']).orderBy('name').execute(),
        providers: await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('kind', 'in', providerKinds)
          .select(['id', 'name']).orderBy('name').execute(),
      }))
    },

    async refer(actor: Actor, input: { referredOn: string; tenure: string; districtCode: string; childrenInHousehold: string; providerAgencyId: string }) {
      return withActor(db, actor, async tx => {
        const districts = (await tx.selectFrom('district').where('partnership_id', '=', actor.partnershipId).select('code').execute()).map(d => d.code)
        const providers = (await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('kind', 'in', providerKinds).select('id').execute()).map(a => a.id)
        const checked = checkReferral(input, { districts, providers }, today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const id = randomUUID()
        const reference = `SJ-${today().slice(2, 4)}${today().slice(5, 7)}-${randomBytes(3).toString('hex').toUpperCase()}`
        await tx.insertInto('sanctuary_job').values({
          partnership_id: actor.partnershipId, id, reference, referring_agency_id: actor.agencyId, referred_by: actor.userId,
          provider_agency_id: checked.value.providerAgencyId, referred_on: checked.value.referredOn, district_code: checked.value.districtCode,
          tenure: checked.value.tenure, children_protected: checked.value.childrenProtected, updated_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'REFERRAL_CREATE', subjectType: 'sanctuary-job', subjectId: id })
        return id
      })
    },

    async job(actor: Actor, id: string) {
      return withActor(db, actor, async tx => {
        const found = await jobQuery(tx, actor.partnershipId).where('j.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        await recordAudit(tx, actor, { action: 'REFERRAL_VIEW', subjectType: 'sanctuary-job', subjectId: id })
        const job = shape(found)
        return { job, delivers: deliversFor(actor, job.providerAgencyId), mine: job.referredBy === actor.userId }
      })
    },

    async update(actor: Actor, id: string, input: Parameters<typeof checkJobUpdate>[0], version: number) {
      return withActor(db, actor, async tx => {
        const found = await jobQuery(tx, actor.partnershipId).where('j.id', '=', id).executeTakeFirst()
        if (!found || !deliversFor(actor, found.providerAgencyId)) throw new NotFoundError()
        if (found.version !== version) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        const checked = checkJobUpdate(input, isoDate(found.referredOn), today())
        if (!checked.ok) throw new UserInputError(checked.problems)
        const v = checked.value
        const updated = await tx.updateTable('sanctuary_job').set({
          status: v.status, surveyed_on: v.surveyedOn, fitted_on: v.fittedOn, devices: v.devices, cost_pence: v.costPence,
          children_protected: v.childrenProtected, closure_reason: v.closureReason, updated_at: deps.clock(), updated_by: actor.userId,
          version: sql`version + 1`,
        }).where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', version).executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentEditError({ version: found.version, updatedAt: new Date() })
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'sanctuary-job', subjectId: id, fields: ['status', 'devices', 'cost'], details: { status: v.status } })
      })
    },

    async followUp(actor: Actor, id: string, input: Record<OutcomeMeasure, string> & { surveyedOn: string }) {
      return withActor(db, actor, async tx => {
        const found = await jobQuery(tx, actor.partnershipId).where('j.id', '=', id).executeTakeFirst()
        if (!found) throw new NotFoundError()
        const problems: { field: string; message: string }[] = []
        if (found.status !== 'fitted') problems.push({ field: 'safety', message: 'Follow up a job once the security is fitted' })
        if (found.safety) problems.push({ field: 'safety', message: 'This job has already been followed up' })
        for (const m of ['safety', 'empowerment', 'healthWellbeing', 'recoverCope'] as const) {
          if (!(outcomes as readonly string[]).includes(input[m])) problems.push({ field: m, message: 'Select improved, no change or worse for each question' })
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(input.surveyedOn) || input.surveyedOn > today()) problems.push({ field: 'surveyedOn', message: 'Enter the follow-up date as a real date, today or in the past' })
        if (problems.length) throw new UserInputError(problems)
        await tx.insertInto('sanctuary_follow_up').values({
          partnership_id: actor.partnershipId, job_id: id, surveyed_on: input.surveyedOn, safety: input.safety, empowerment: input.empowerment,
          health_wellbeing: input.healthWellbeing, recover_cope: input.recoverCope, recorded_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'CASE_UPDATE', subjectType: 'sanctuary-job', subjectId: id, fields: ['followUp'] })
      })
    },
  }
}

export type SanctuaryService = ReturnType<typeof createSanctuaryService>
