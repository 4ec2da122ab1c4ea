import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { InputError, StaleEditError } from '../cases/errors.ts'
import { NotFoundError } from '../cases/service.ts'
import { addDays, isIsoDate } from '../partnership/effectiveDated.ts'
import type { ProfileCache } from '../partnership/service.ts'
import { explainRepeats, findRepeats } from '../referrals/repeats.ts'
import { perpetratorsOf, riskAssessments } from '../referrals/repository.ts'
import { dateText } from '../referrals/sqlDates.ts'
import * as repo from './repository.ts'
import { isActionOverdue, upcomingMeetingDates } from './rules.ts'

export type MeetingKind = 'regular' | 'plus'
export const meetingKinds: readonly MeetingKind[] = ['regular', 'plus']

const need = (actor: Actor, permission: 'marac.read' | 'marac.write' | 'marac.contribute') => {
  if (!can(actor.roles, permission)) throw new NotFoundError()
}

export function createMaracService(deps: { db: Kysely<DB>; clock: Clock; profiles: ProfileCache }) {
  const { db, clock, profiles } = deps
  const today = () => londonDate(clock())

  /** Saves with optimistic concurrency; tells the second saver who changed what and when. */
  async function staleOr404(tx: Tx, actor: Actor, table: 'marac_case' | 'marac_meeting' | 'marac_action', id: string, version: number): Promise<never> {
    const current = await tx.selectFrom(`${table} as t` as 'marac_case as t')
      .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 't.partnership_id').onRef('u.id', '=', 't.updated_by'))
      .where('t.partnership_id', '=', actor.partnershipId).where('t.id', '=', id)
      .select(['t.version', 't.updated_at as at', 't.last_change as what', 'u.display_name as by']).executeTakeFirst()
    if (!current || current.version === version) throw new NotFoundError()
    throw new StaleEditError({ by: current.by, at: current.at, what: current.what })
  }

  async function upcoming(actor: Actor, count = 6) {
    const profile = await profiles.current(actor.partnershipId)
    const dates = upcomingMeetingDates(addDays(today(), -1), profile.marac.meetingWeekdays, count)
    return { profile, dates }
  }

  return {
    /** Upcoming meetings on the cadence, eligible referrals not yet on an agenda, and actions (overdue by agency). */
    async overview(actor: Actor) {
      need(actor, 'marac.read')
      const { dates } = await upcoming(actor, 6)
      const now = today()
      return withActor(db, actor, async tx => {
        const existing = await repo.meetingsOn(tx, actor.partnershipId, dates)
        const plus = await tx.selectFrom('marac_meeting').where('partnership_id', '=', actor.partnershipId).where('kind', '=', 'plus')
          .where('meeting_date', '>=', now).select([dateText('meeting_date').as('meetingDate')]).orderBy('meeting_date').execute()
        const meetings = [
          ...dates.map(date => ({ meetingDate: date, kind: 'regular' as MeetingKind, cases: Number(existing.find(m => m.meetingDate === date && m.kind === 'regular')?.cases ?? 0) })),
          ...plus.map(p => ({ meetingDate: p.meetingDate, kind: 'plus' as MeetingKind, cases: Number(existing.find(m => m.meetingDate === p.meetingDate && m.kind === 'plus')?.cases ?? 0) })),
        ].sort((a, b) => a.meetingDate.localeCompare(b.meetingDate))
        const eligible = can(actor.roles, 'marac.write') ? await repo.eligibleNotListed(tx, actor.partnershipId) : []
        const actions = (await repo.actions(tx, actor.partnershipId, { openOnly: true })).map(a => ({ ...a, overdue: isActionOverdue(a, now) }))
        const overdueByAgency = [...new Set(actions.filter(a => a.overdue).map(a => a.ownerAgency))].map(agency => ({
          agency, actions: actions.filter(a => a.overdue && a.ownerAgency === agency),
        }))
        const personIds = [...new Set([...eligible.map(e => e.victimId), ...actions.map(a => a.personId)])]
        if (personIds.length) {
          await recordAudit(tx, actor, { action: 'MARAC_OVERVIEW_VIEW', subjectType: 'marac-overview', fields: ['personName', 'actions'], details: { personIds } })
        }
        return { meetings, eligible, actions, overdueByAgency, upcomingDates: dates }
      })
    },

    /** A meeting's agenda: the cases listed that the actor may see (a representative: their agency's). */
    async meeting(actor: Actor, meetingDate: string, kind: MeetingKind) {
      need(actor, 'marac.read')
      if (!isIsoDate(meetingDate)) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const meeting = await repo.meeting(tx, actor.partnershipId, meetingDate, kind)
        const agenda = await repo.agenda(tx, actor.partnershipId, { id: meeting?.id ?? null, meetingDate, kind })
        if (agenda.length) {
          await recordAudit(tx, actor, {
            action: 'MARAC_AGENDA_VIEW', subjectType: 'marac-agenda', fields: ['personName', 'risk', 'repeat', 'children'],
            details: { meetingDate, kind, personIds: agenda.map(a => a.personId) },
          })
        }
        return { meetingDate, kind, meeting: meeting ?? null, agenda }
      })
    },

    async saveMeetingNotes(actor: Actor, meetingDate: string, kind: MeetingKind, input: { notes: string; version: number }) {
      need(actor, 'marac.write')
      if (!isIsoDate(meetingDate)) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const id = await repo.ensureMeeting(tx, actor.partnershipId, meetingDate, kind)
        const notes = input.notes.trim()
        if (notes.length > 20_000) throw new InputError([{ field: 'notes', message: 'Meeting notes must be 20,000 characters or fewer' }])
        const result = await tx.updateTable('marac_meeting')
          .set(eb => ({ notes: notes || null, version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId, last_change: 'the meeting notes' }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('version', '=', input.version).executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) await staleOr404(tx, actor, 'marac_meeting', id, input.version)
        await recordAudit(tx, actor, { action: 'MARAC_MEETING_NOTES_UPDATE', subjectType: 'marac-meeting', subjectId: id, fields: ['notes'], details: { change: 'meeting-notes', meetingDate, kind } })
      })
    },

    /**
     * Lists a referral on a meeting's agenda (the coordinator building the agenda from eligible referrals, or
     * a transfer in from another area). The repeat flag, children count and eligibility are worked out now.
     */
    async listReferral(actor: Actor, referralId: string, input: { meetingDate: string; kind: MeetingKind; transferFrom?: string | undefined }) {
      need(actor, 'marac.write')
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const referral = await tx.selectFrom('referral').where('partnership_id', '=', actor.partnershipId).where('id', '=', referralId)
          .select(['id', 'victim_id as victimId', dateText('referral_date').as('referralDate'), 'referring_agency_id as referringAgencyId'])
          .executeTakeFirst()
        if (!referral) throw new NotFoundError()
        const problems = []
        if (!isIsoDate(input.meetingDate)) problems.push({ field: 'meetingDate', message: 'Select the meeting' })
        else if (input.meetingDate < today()) problems.push({ field: 'meetingDate', message: 'Choose a meeting today or later' })
        const already = await tx.selectFrom('marac_case').where('partnership_id', '=', actor.partnershipId).where('referral_id', '=', referralId)
          .where('status', '<>', 'withdrawn').select('id').executeTakeFirst()
        if (already) problems.push({ field: 'meetingDate', message: 'This referral is already on an agenda: move it instead' })
        if (problems.length) throw new InputError(problems)
        const [latest] = await riskAssessments(tx, actor.partnershipId, referralId)
        // A repeat over the victim's linked people: intake links, record linkage, imported MARAC episodes.
        const finding = (await findRepeats(tx, profile, { victimId: referral.victimId, perpetratorIds: [], referralDate: referral.referralDate })).marac
        const repeat = finding.repeat
        const lastMarac = finding.last?.date ?? null
        const children = await tx.selectFrom('referral_child as rc')
          .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'rc.partnership_id').onRef('p.id', '=', 'rc.child_id'))
          .where('rc.partnership_id', '=', actor.partnershipId).where('rc.referral_id', '=', referralId)
          .where('rc.lives_in_household', '=', true).where('p.date_of_birth_is_expected', '=', false)
          .select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
        const meetingId = await repo.ensureMeeting(tx, actor.partnershipId, input.meetingDate, input.kind)
        const reasons = [
          ...((latest?.maracReasons as { code: string; text: string }[] | null) ?? []),
          ...(input.transferFrom ? [{ code: 'transfer-in', text: `Transferred in from ${input.transferFrom}` }] : []),
        ]
        const maracCaseId = await repo.insertMaracCase(tx, actor.partnershipId, {
          referralId, personId: referral.victimId, referringAgencyId: referral.referringAgencyId, meetingId, meetingDate: input.meetingDate,
          referredOn: referral.referralDate, childrenInHousehold: Number(children.n), isRepeat: repeat, lastMaracDate: lastMarac,
          eligibilityReasons: reasons, userId: actor.userId,
          ...(input.transferFrom ? { transfer: 'in' as const, transferArea: input.transferFrom } : {}),
        })
        await repo.ensureCaseAgency(tx, actor.partnershipId, maracCaseId, referral.referringAgencyId, actor.userId)
        await recordAudit(tx, actor, { action: 'MARAC_CASE_CREATE', subjectType: 'person', subjectId: referral.victimId, details: { maracCaseId, referralId, meetingDate: input.meetingDate, kind: input.kind, repeat } })
        return maracCaseId
      })
    },

    /** One MARAC case as the actor may see it, with the research and actions of the agencies they may see. */
    async caseDetail(actor: Actor, maracCaseId: string) {
      need(actor, 'marac.read')
      const { dates } = await upcoming(actor, 9)
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        const [assessments, perpetrators, agencies, actions, allAgencies] = await Promise.all([
          riskAssessments(tx, actor.partnershipId, c.referralId),
          perpetratorsOf(tx, actor.partnershipId, c.referralId, null),
          repo.caseAgencies(tx, actor.partnershipId, maracCaseId),
          repo.actions(tx, actor.partnershipId, { maracCaseId }),
          tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).select(['id', 'name', 'kind']).orderBy('name').execute(),
        ])
        const now = today()
        // Why it is a repeat, found now over the victim's linked people: where and when the last MARAC was.
        const profile = await profiles.current(actor.partnershipId)
        const repeat = (await explainRepeats(tx, actor.partnershipId, await findRepeats(tx, profile, {
          victimId: c.personId, perpetratorIds: [], referralDate: c.referredOn ?? c.meetingDate,
        }))).marac
        await recordAudit(tx, actor, {
          action: 'MARAC_CASE_VIEW', subjectType: 'person', subjectId: c.personId, fields: ['name', 'risk', 'research', 'actions', 'minutes'],
          details: { maracCaseId, view: 'marac' },
        })
        return {
          maracCase: c,
          repeat,
          latest: assessments[0] ?? null,
          perpetrators,
          agencies,
          actions: actions.map(a => ({ ...a, overdue: isActionOverdue(a, now) })),
          allAgencies,
          upcomingDates: dates,
          mayWrite: can(actor.roles, 'marac.write'),
          mayContribute: can(actor.roles, 'marac.contribute'),
          actorAgencyId: actor.agencyId,
        }
      })
    },

    async updateCase(actor: Actor, maracCaseId: string, input: {
      minutes: string; isMaracPlus: boolean; maracPlusReason: string; transfer: 'in' | 'out' | null; transferArea: string; status: 'listed' | 'discussed' | 'withdrawn'; version: number
    }) {
      need(actor, 'marac.write')
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        const problems = []
        if (input.isMaracPlus && !input.maracPlusReason.trim()) problems.push({ field: 'maracPlusReason', message: 'Say why the case needs MARAC Plus and which professionals to add' })
        if (input.transfer && !input.transferArea.trim()) problems.push({ field: 'transferArea', message: 'Enter the area the case transfers to or from' })
        if (input.minutes.length > 20_000) problems.push({ field: 'minutes', message: 'Minutes must be 20,000 characters or fewer' })
        if (problems.length) throw new InputError(problems)
        const changed = [
          input.minutes.trim() !== (c.minutes ?? '') ? 'the minutes' : '',
          input.isMaracPlus !== c.isMaracPlus ? 'MARAC Plus' : '',
          input.transfer !== c.transfer || input.transferArea.trim() !== (c.transferArea ?? '') ? 'the transfer' : '',
          input.status !== c.status ? 'the status' : '',
        ].filter(Boolean)
        const result = await tx.updateTable('marac_case')
          .set(eb => ({
            minutes: input.minutes.trim() || null, is_marac_plus: input.isMaracPlus, marac_plus_reason: input.isMaracPlus ? input.maracPlusReason.trim() : null,
            transfer: input.transfer, transfer_area: input.transfer ? input.transferArea.trim() : null, status: input.status,
            version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId, last_change: changed.join(', ') || 'the case',
          }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', maracCaseId).where('version', '=', input.version).executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) await staleOr404(tx, actor, 'marac_case', maracCaseId, input.version)
        await recordAudit(tx, actor, { action: 'MARAC_CASE_UPDATE', subjectType: 'marac-case', subjectId: maracCaseId, fields: ['minutes', 'maracPlus', 'transfer', 'status'], details: { change: 'marac-case', personIds: [c.personId], changed } })
      })
    },

    /** Moves a case to another meeting (or to a MARAC Plus meeting). */
    async moveCase(actor: Actor, maracCaseId: string, input: { meetingDate: string; kind: MeetingKind; version: number }) {
      need(actor, 'marac.write')
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        if (!isIsoDate(input.meetingDate) || input.meetingDate < today()) throw new InputError([{ field: 'meetingDate', message: 'Choose a meeting today or later' }])
        const meetingId = await repo.ensureMeeting(tx, actor.partnershipId, input.meetingDate, input.kind)
        const what = `moved the case to the ${input.kind === 'plus' ? 'MARAC Plus ' : ''}meeting on ${input.meetingDate}`
        const result = await tx.updateTable('marac_case')
          .set(eb => ({ meeting_id: meetingId, meeting_date: input.meetingDate, version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId, last_change: what }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', maracCaseId).where('version', '=', input.version).executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) await staleOr404(tx, actor, 'marac_case', maracCaseId, input.version)
        await recordAudit(tx, actor, { action: 'MARAC_CASE_MOVE', subjectType: 'marac-case', subjectId: maracCaseId, fields: ['meeting'], details: { change: 'moved', from: c.meetingDate, to: input.meetingDate, kind: input.kind, personIds: [c.personId] } })
      })
    },

    /** Asks an agency to research the case for the meeting (it then sees the case on its agenda). */
    async addAgency(actor: Actor, maracCaseId: string, agencyId: string) {
      need(actor, 'marac.write')
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        const agency = await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('id', '=', agencyId).select('id').executeTakeFirst()
        if (!agency) throw new InputError([{ field: 'agencyId', message: 'Select an agency' }])
        await repo.ensureCaseAgency(tx, actor.partnershipId, maracCaseId, agencyId, actor.userId)
        await recordAudit(tx, actor, { action: 'MARAC_AGENCY_ADD', subjectType: 'marac-case', subjectId: maracCaseId, fields: ['agencies'], details: { change: 'agency-added', agencyId, personIds: [c.personId] } })
      })
    },

    /** An agency's research for the case: its representative (own agency) or the coordinator writes it. */
    async saveResearch(actor: Actor, maracCaseId: string, agencyId: string, input: { research: string; version: number }) {
      need(actor, 'marac.contribute')
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        if (input.research.length > 20_000) throw new InputError([{ field: `research-${agencyId}`, message: 'Research must be 20,000 characters or fewer' }])
        const result = await tx.updateTable('marac_case_agency')
          .set(eb => ({ research: input.research.trim() || null, version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId }))
          .where('partnership_id', '=', actor.partnershipId).where('marac_case_id', '=', maracCaseId).where('agency_id', '=', agencyId)
          .where('version', '=', input.version).executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) {
          const current = await tx.selectFrom('marac_case_agency as a')
            .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'a.partnership_id').onRef('u.id', '=', 'a.updated_by'))
            .where('a.partnership_id', '=', actor.partnershipId).where('a.marac_case_id', '=', maracCaseId).where('a.agency_id', '=', agencyId)
            .select(['a.version', 'a.updated_at as at', 'u.display_name as by']).executeTakeFirst()
          if (!current || current.version === input.version) throw new NotFoundError()
          throw new StaleEditError({ by: current.by, at: current.at, what: 'the research' })
        }
        await recordAudit(tx, actor, { action: 'MARAC_RESEARCH_UPDATE', subjectType: 'marac-case', subjectId: maracCaseId, fields: ['research'], details: { change: 'research', agencyId, personIds: [c.personId] } })
      })
    },

    async addAction(actor: Actor, maracCaseId: string, input: { ownerAgencyId: string; description: string; dueOn: string }) {
      need(actor, 'marac.write')
      return withActor(db, actor, async tx => {
        const c = await repo.maracCase(tx, actor.partnershipId, maracCaseId)
        if (!c) throw new NotFoundError()
        const problems = []
        const agency = input.ownerAgencyId
          ? await tx.selectFrom('agency').where('partnership_id', '=', actor.partnershipId).where('id', '=', input.ownerAgencyId).select(['id', 'name']).executeTakeFirst()
          : undefined
        if (!agency) problems.push({ field: 'ownerAgencyId', message: 'Select the agency that owns the action' })
        if (!input.description.trim()) problems.push({ field: 'description', message: 'Describe the action' })
        if (input.description.length > 2000) problems.push({ field: 'description', message: 'The action must be 2,000 characters or fewer' })
        if (!isIsoDate(input.dueOn)) problems.push({ field: 'dueOn-day', message: 'Enter the date the action is due' })
        if (problems.length) throw new InputError(problems)
        const id = randomUUID()
        await tx.insertInto('marac_action').values({
          partnership_id: actor.partnershipId, id, marac_case_id: maracCaseId, owner_agency_id: agency!.id, description: input.description.trim(),
          due_on: input.dueOn, created_by: actor.userId, updated_by: actor.userId, last_change: 'created the action',
        }).execute()
        // The owning agency is involved in the case from now on: its representative sees the case and this action.
        await repo.ensureCaseAgency(tx, actor.partnershipId, maracCaseId, agency!.id, actor.userId)
        await recordAudit(tx, actor, { action: 'MARAC_ACTION_ADD', subjectType: 'marac-case', subjectId: maracCaseId, fields: ['actions'], details: { change: 'action-added', actionId: id, ownerAgencyId: agency!.id, personIds: [c.personId] } })
        return id
      })
    },

    /** Updates an action's status: the owning agency's representative, or the coordinator. */
    async updateAction(actor: Actor, actionId: string, input: { status: 'open' | 'done' | 'cancelled'; note: string; version: number }) {
      need(actor, 'marac.contribute')
      return withActor(db, actor, async tx => {
        const action = await tx.selectFrom('marac_action').where('partnership_id', '=', actor.partnershipId).where('id', '=', actionId)
          .select(['id', 'marac_case_id as maracCaseId', 'status']).executeTakeFirst()
        if (!action) throw new NotFoundError()
        if (!['open', 'done', 'cancelled'].includes(input.status)) throw new InputError([{ field: 'status', message: 'Select the status of the action' }])
        if (input.note.length > 2000) throw new InputError([{ field: 'note', message: 'The update must be 2,000 characters or fewer' }])
        const result = await tx.updateTable('marac_action')
          .set(eb => ({
            status: input.status, completed_on: input.status === 'done' ? today() : null, update_note: input.note.trim() || null,
            version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId, last_change: `the action (marked it ${input.status})`,
          }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', actionId).where('version', '=', input.version).executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) await staleOr404(tx, actor, 'marac_action', actionId, input.version)
        await recordAudit(tx, actor, { action: 'MARAC_ACTION_UPDATE', subjectType: 'marac-action', subjectId: actionId, fields: ['status'], details: { change: 'action-status', status: input.status, maracCaseId: action.maracCaseId } })
        return action.maracCaseId
      })
    },

    /** Actions the actor may see (a representative: their agency's), with overdue ones grouped by agency. */
    async actions(actor: Actor) {
      need(actor, 'marac.read')
      const now = today()
      return withActor(db, actor, async tx => {
        const rows = (await repo.actions(tx, actor.partnershipId)).map(a => ({ ...a, overdue: isActionOverdue(a, now) }))
        const agencies = [...new Set(rows.map(r => r.ownerAgency))].sort()
        const byAgency = agencies.map(agency => {
          const mine = rows.filter(r => r.ownerAgency === agency)
          return { agency, open: mine.filter(r => r.status === 'open').length, overdue: mine.filter(r => r.overdue) }
        })
        if (rows.length) await recordAudit(tx, actor, { action: 'MARAC_ACTIONS_VIEW', subjectType: 'marac-actions', fields: ['personName', 'actions'], details: { personIds: [...new Set(rows.map(r => r.personId))] } })
        return { rows, byAgency }
      })
    },
  }
}

export type MaracService = ReturnType<typeof createMaracService>
