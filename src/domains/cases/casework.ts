import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { isValidCode } from '../../standard/codeLists.ts'
import { recordAudit } from '../audit/service.ts'
import { isActionOverdue } from '../marac/rules.ts'
import { addMonths, isIsoDate } from '../partnership/effectiveDated.ts'
import type { ProfileCache } from '../partnership/service.ts'
import { explainRepeats, findRepeats } from '../referrals/repeats.ts'
import { perpetratorsOf, riskAssessments } from '../referrals/repository.ts'
import { engagementDefinitionInForce } from '../referrals/rules.ts'
import { dateText, nullableDateText } from '../referrals/sqlDates.ts'
import {
  abuseTypes, closureReasons, compareOutcomes, contactMethods, contactOutcomes, contactProblem, engagementOutcome, type ExitOutcomes,
  type IntakeOutcomes, noSafeContactRules, type SafeContactRules, safeContactRuleTexts,
} from './caseworkRules.ts'
import { InputError, StaleEditError } from './errors.ts'
import { caseloadAgainstCapacity } from './rules.ts'
import { NotFoundError } from './service.ts'

const DEFAULT_CAPACITY_PER_FTE = 100

export function createCaseworkService(deps: { db: Kysely<DB>; clock: Clock; profiles: ProfileCache }) {
  const { db, clock, profiles } = deps
  const today = () => londonDate(clock())

  /** The case row as the actor may see it, or "not found". */
  async function caseRow(tx: Tx, actor: Actor, caseId: string) {
    const row = await tx.selectFrom('support_case as c')
      .innerJoin('referral as r', j => j.onRef('r.partnership_id', '=', 'c.partnership_id').onRef('r.id', '=', 'c.referral_id'))
      .leftJoin('team as st', j => j.onRef('st.partnership_id', '=', 'c.partnership_id').onRef('st.id', '=', 'c.suggested_team_id'))
      .leftJoin('app_user as uu', j => j.onRef('uu.partnership_id', '=', 'c.partnership_id').onRef('uu.id', '=', 'c.updated_by'))
      .where('c.partnership_id', '=', actor.partnershipId).where('c.id', '=', caseId)
      .select([
        'c.id', 'c.reference', 'c.status', 'c.version', 'c.person_id as personId', 'c.referral_id as referralId', 'c.agency_id as agencyId',
        'c.team_id as teamId', 'c.allocated_user_id as allocatedUserId', 'c.suggested_team_id as suggestedTeamId', 'st.name as suggestedTeamName',
        'st.code as suggestedTeamCode', 'c.suggestion_reason as suggestionReason', 'c.engaged', nullableDateText('c.engaged_on').as('engagedOn'),
        'c.engagement_activities as engagementActivities', 'c.engagement_definition as engagementDefinition', 'c.safety_plan as safetyPlan',
        nullableDateText('c.safety_plan_reviewed_on').as('safetyPlanReviewedOn'), 'c.support_needs as supportNeeds',
        'c.intake_outcomes as intakeOutcomes', 'c.exit_outcomes as exitOutcomes', 'c.closure_reason as closureReason',
        nullableDateText('c.closed_on').as('closedOn'), dateText('c.opened_on').as('openedOn'), 'c.updated_at as updatedAt',
        'uu.display_name as updatedByName', 'c.last_change as lastChange', dateText('r.referral_date').as('referralDate'),
        'r.is_idva_repeat as isIdvaRepeat', nullableDateText('r.idva_repeat_last_date').as('idvaRepeatLastDate'),
        'r.is_marac_repeat as isMaracRepeat', nullableDateText('r.marac_repeat_last_date').as('maracRepeatLastDate'),
        nullableDateText('r.marac_listed_on').as('maracListedOn'), 'r.relationship', 'r.reference as referralReference',
      ])
      .executeTakeFirst()
    if (!row) throw new NotFoundError()
    return row
  }

  /**
   * Saves fields of a case if nobody changed it since `version` was read. Otherwise nothing is saved and the
   * caller is told who changed what and when (StaleEditError).
   */
  async function updateCase(tx: Tx, actor: Actor, caseId: string, version: number, set: Record<string, unknown>, what: string) {
    const result = await tx.updateTable('support_case')
      .set(eb => ({ ...set, version: eb('version', '+', 1), updated_at: clock(), updated_by: actor.userId, last_change: what }))
      .where('partnership_id', '=', actor.partnershipId).where('id', '=', caseId).where('version', '=', version)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 1) return
    const current = await tx.selectFrom('support_case as c')
      .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'c.partnership_id').onRef('u.id', '=', 'c.updated_by'))
      .where('c.partnership_id', '=', actor.partnershipId).where('c.id', '=', caseId)
      .select(['c.version', 'c.updated_at as updatedAt', 'c.last_change as lastChange', 'u.display_name as byName'])
      .executeTakeFirst()
    // Not visible, or visible but outside the actor's write scope: either way, not theirs to change.
    if (!current || current.version === version) throw new NotFoundError()
    throw new StaleEditError({ by: current.byName, at: current.updatedAt, what: current.lastChange })
  }

  async function safeContactRules(tx: Tx, personId: string): Promise<SafeContactRules> {
    const result = await sql<{ rules: SafeContactRules | null }>`SELECT hearth_safe_contact_rules(${personId}::uuid) AS rules`.execute(tx)
    return result.rows[0]?.rules ?? noSafeContactRules
  }

  const mustWrite = (actor: Actor) => {
    if (!can(actor.roles, 'case.write')) throw new NotFoundError()
  }

  return {
    /** Cases awaiting allocation, with the suggested team and why; and each IDVA's caseload against capacity. */
    async allocationQueue(actor: Actor) {
      if (!can(actor.roles, 'case.allocate')) throw new NotFoundError()
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const awaiting = await tx.selectFrom('support_case as c')
          .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
          .innerJoin('referral as r', j => j.onRef('r.partnership_id', '=', 'c.partnership_id').onRef('r.id', '=', 'c.referral_id'))
          .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'r.partnership_id').onRef('a.id', '=', 'r.referring_agency_id'))
          .leftJoin('team as st', j => j.onRef('st.partnership_id', '=', 'c.partnership_id').onRef('st.id', '=', 'c.suggested_team_id'))
          .where('c.partnership_id', '=', actor.partnershipId).where('c.status', '=', 'awaiting-allocation')
          .select(eb => [
            'c.id', 'c.reference', 'c.person_id as personId', sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'),
            dateText('r.referral_date').as('referralDate'), 'a.name as referringAgency', 'st.name as suggestedTeam', 'c.suggestion_reason as suggestionReason',
            'r.is_idva_repeat as isIdvaRepeat',
            eb.selectFrom('risk_assessment as ra').whereRef('ra.partnership_id', '=', 'c.partnership_id').whereRef('ra.referral_id', '=', 'c.referral_id')
              .select('ra.risk_level').orderBy('ra.assessed_on', 'desc').orderBy('ra.created_at', 'desc').limit(1).as('riskLevel'),
          ])
          .orderBy('r.referral_date').orderBy('c.id').limit(200).execute()
        const caseloads = await caseloads_(tx, actor, profile.teams, today())
        if (awaiting.length) {
          await recordAudit(tx, actor, { action: 'ALLOCATION_QUEUE_VIEW', subjectType: 'allocation-queue', fields: ['personName', 'riskLevel', 'suggestedTeam'], details: { personIds: awaiting.map(a => a.personId) } })
        }
        return { awaiting, ...caseloads }
      })
    },

    /** What the manager needs to allocate one case: the suggestion, the teams and the IDVAs with their caseloads. */
    async allocationForm(actor: Actor, caseId: string) {
      if (!can(actor.roles, 'case.allocate')) throw new NotFoundError()
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const person = await tx.selectFrom('person').where('partnership_id', '=', actor.partnershipId).where('id', '=', c.personId)
          .select(['given_name as givenName', 'family_name as familyName']).executeTakeFirstOrThrow()
        const loads = await caseloads_(tx, actor, profile.teams, today())
        await recordAudit(tx, actor, { action: 'CASE_VIEW', subjectType: 'person', subjectId: c.personId, fields: ['name', 'suggestedTeam'], details: { caseId, purpose: 'allocation' } })
        return { case: c, person, ...loads }
      })
    },

    async allocate(actor: Actor, caseId: string, input: { teamId: string; userId: string | null; version: number }) {
      if (!can(actor.roles, 'case.allocate')) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const problems = []
        const team = input.teamId
          ? await tx.selectFrom('team').where('partnership_id', '=', actor.partnershipId).where('id', '=', input.teamId).where('agency_id', '=', c.agencyId)
            .select(['id', 'name']).executeTakeFirst()
          : undefined
        if (!team) problems.push({ field: 'teamId', message: 'Select a team of the IDVA service' })
        let worker: { id: string; name: string } | undefined
        if (input.userId) {
          const found = await tx.selectFrom('app_user as u')
            .innerJoin('user_role as r', j => j.onRef('r.partnership_id', '=', 'u.partnership_id').onRef('r.user_id', '=', 'u.id'))
            .where('u.partnership_id', '=', actor.partnershipId).where('u.id', '=', input.userId).where('r.role', '=', 'idva')
            .where('u.agency_id', '=', c.agencyId).where('u.is_active', '=', true)
            .select(['u.id', 'u.display_name as name']).executeTakeFirst()
          if (!found) problems.push({ field: 'userId', message: 'Select an IDVA of the service' })
          worker = found
        }
        if (problems.length) throw new InputError(problems)
        await updateCase(tx, actor, caseId, input.version, {
          team_id: team!.id, allocated_user_id: worker?.id ?? null, status: c.status === 'closed' ? 'closed' : 'open',
          allocated_at: clock(), allocated_by: actor.userId,
        }, worker ? `allocated the case to ${worker.name} (${team!.name})` : `allocated the case to ${team!.name}`)
        await recordAudit(tx, actor, {
          action: 'CASE_ALLOCATE', subjectType: 'person', subjectId: c.personId, fields: ['team', 'allocatedTo', 'status'],
          details: { caseId, change: 'allocate', teamId: team!.id, userId: worker?.id ?? null, suggestedTeamId: c.suggestedTeamId, followedSuggestion: team!.id === c.suggestedTeamId },
        })
      })
    },

    /** Everything the case page shows beyond the basic record. */
    async details(actor: Actor, caseId: string) {
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const pid = actor.partnershipId
        const [assessments, perpetrators, contacts, notes, actions, rules] = await Promise.all([
          riskAssessments(tx, pid, c.referralId),
          perpetratorsOf(tx, pid, c.referralId, c.relationship),
          tx.selectFrom('contact_attempt as a').leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'a.partnership_id').onRef('u.id', '=', 'a.recorded_by'))
            .where('a.partnership_id', '=', pid).where('a.case_id', '=', caseId)
            .select([dateText('a.attempted_on').as('attemptedOn'), 'a.method', 'a.outcome', 'a.notes', 'u.display_name as by', 'a.created_at as createdAt'])
            .orderBy('a.attempted_on', 'desc').orderBy('a.created_at', 'desc').execute(),
          tx.selectFrom('case_note as n').leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'n.partnership_id').onRef('u.id', '=', 'n.created_by'))
            .where('n.partnership_id', '=', pid).where('n.case_id', '=', caseId)
            .select(['n.id', 'n.body', 'n.created_at as createdAt', 'u.display_name as by']).orderBy('n.created_at', 'desc').execute(),
          tx.selectFrom('case_action as a').leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'a.partnership_id').onRef('u.id', '=', 'a.updated_by'))
            .where('a.partnership_id', '=', pid).where('a.case_id', '=', caseId)
            .select(['a.id', 'a.description', dateText('a.due_on').as('dueOn'), 'a.status', nullableDateText('a.completed_on').as('completedOn'), 'a.version', 'u.display_name as updatedBy'])
            .orderBy('a.due_on').execute(),
          safeContactRules(tx, c.personId),
        ])
        // Why it is a repeat, found now over the victim's linked people (linkage may have joined records since).
        const repeats = await explainRepeats(tx, pid, await findRepeats(tx, profile, { victimId: c.personId, perpetratorIds: perpetrators.map(p => p.id), referralDate: c.referralDate }))
        const definition = definitionOn(profile, c.referralDate)
        const now = today()
        const intake = c.intakeOutcomes as IntakeOutcomes | null
        const exit = c.exitOutcomes as ExitOutcomes | null
        await recordAudit(tx, actor, {
          action: 'CASE_VIEW', subjectType: 'person', subjectId: c.personId,
          fields: ['risk', 'perpetrators', 'contacts', 'notes', 'actions', 'safetyPlan', 'supportNeeds', 'outcomes'], details: { caseId, view: 'casework' },
        })
        return {
          casework: c,
          repeats,
          assessments,
          perpetrators,
          contacts,
          notes,
          actions: actions.map(a => ({ ...a, overdue: isActionOverdue(a, now) })),
          safeContact: { ...rules, texts: safeContactRuleTexts(rules) },
          engagementDefinition: definition,
          outcomes: intake && exit ? compareOutcomes(intake, exit) : null,
          intake,
          exit,
          mayWrite: can(actor.roles, 'case.write'),
          mayAllocate: can(actor.roles, 'case.allocate'),
        }
      })
    },

    async safeContactRules(actor: Actor, caseId: string) {
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const rules = await safeContactRules(tx, c.personId)
        return { case: c, rules: { ...rules, texts: safeContactRuleTexts(rules) } }
      })
    },

    /** Logs a contact attempt. One that would break the safe-contact rules is refused, and nothing is saved. */
    async recordContact(actor: Actor, caseId: string, input: { attemptedOn: string; method: string; outcome: string; notes: string }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const problems = []
        if (!isIsoDate(input.attemptedOn)) problems.push({ field: 'attemptedOn-day', message: 'Enter the date of the contact attempt' })
        else if (input.attemptedOn > today()) problems.push({ field: 'attemptedOn-day', message: 'The date must be today or in the past' })
        if (!contactMethods.some(m => m.code === input.method)) problems.push({ field: 'method', message: 'Select how you tried to make contact' })
        if (!contactOutcomes.some(o => o.code === input.outcome)) problems.push({ field: 'outcome', message: 'Select what happened' })
        if (input.notes.length > 2000) problems.push({ field: 'notes', message: 'Notes must be 2,000 characters or fewer' })
        const breach = contactProblem(await safeContactRules(tx, c.personId), input.method)
        if (breach) problems.push({ field: 'method', message: breach })
        if (problems.length) throw new InputError(problems)
        await tx.insertInto('contact_attempt').values({
          partnership_id: actor.partnershipId, id: randomUUID(), case_id: caseId, attempted_on: input.attemptedOn, method: input.method,
          outcome: input.outcome, notes: input.notes || null, recorded_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'CASE_CONTACT_LOG', subjectType: 'person', subjectId: c.personId, fields: ['contactAttempt'], details: { caseId, change: 'contact-attempt', method: input.method, outcome: input.outcome } })
      })
    },

    /** Records engagement under the definition in force on the referral date. */
    async recordEngagement(actor: Actor, caseId: string, input: { activities: string[]; engagedOn: string; version: number }) {
      mustWrite(actor)
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const definition = definitionOn(profile, c.referralDate)
        if (!definition) throw new InputError([{ field: 'activities', message: `The partnership profile has no engagement definition in force on ${c.referralDate}` }])
        const outcome = engagementOutcome(definition, input.activities)
        const problems = []
        if (outcome.problem) problems.push({ field: 'activities', message: outcome.problem })
        else if (!outcome.engaged) problems.push({ field: 'activities', message: 'Select what the victim accepted' })
        if (!isIsoDate(input.engagedOn)) problems.push({ field: 'engagedOn-day', message: 'Enter the date the victim engaged' })
        else if (input.engagedOn > today()) problems.push({ field: 'engagedOn-day', message: 'The date must be today or in the past' })
        else if (input.engagedOn < c.referralDate) problems.push({ field: 'engagedOn-day', message: 'The date must be on or after the referral date' })
        if (problems.length) throw new InputError(problems)
        await updateCase(tx, actor, caseId, input.version, {
          engaged: true, engaged_on: input.engagedOn, engagement_activities: outcome.activities, engagement_definition: definition.code,
        }, 'the engagement')
        await recordAudit(tx, actor, { action: 'CASE_ENGAGEMENT_RECORD', subjectType: 'person', subjectId: c.personId, fields: ['engaged', 'engagedOn', 'engagementActivities'], details: { caseId, change: 'engagement', definition: definition.code, activities: outcome.activities } })
      })
    },

    async saveSafetyPlan(actor: Actor, caseId: string, input: { plan: string; version: number }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const plan = input.plan.trim()
        if (!plan) throw new InputError([{ field: 'plan', message: 'Enter the safety plan' }])
        if (plan.length > 10_000) throw new InputError([{ field: 'plan', message: 'The safety plan must be 10,000 characters or fewer' }])
        await updateCase(tx, actor, caseId, input.version, { safety_plan: plan, safety_plan_reviewed_on: today() }, 'the safety plan')
        await recordAudit(tx, actor, { action: 'CASE_SAFETY_PLAN_UPDATE', subjectType: 'person', subjectId: c.personId, fields: ['safetyPlan'], details: { caseId, change: 'safety-plan' } })
      })
    },

    async saveSupportNeeds(actor: Actor, caseId: string, input: { needs: string[]; version: number }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const bad = input.needs.filter(n => !isValidCode('support_needs', n))
        if (bad.length) throw new InputError([{ field: 'needs', message: 'Select support needs from the list' }])
        const exclusive = input.needs.filter(n => ['none', 'not-known', 'declined'].includes(n))
        if (exclusive.length && input.needs.length > 1) throw new InputError([{ field: 'needs', message: `“${exclusive[0]!.replace('-', ' ')}” cannot be selected with other needs` }])
        if (input.needs.length === 0) throw new InputError([{ field: 'needs', message: 'Select the support needs, or “No additional support needs”' }])
        await updateCase(tx, actor, caseId, input.version, { support_needs: input.needs }, 'the support needs')
        await recordAudit(tx, actor, { action: 'CASE_SUPPORT_NEEDS_UPDATE', subjectType: 'person', subjectId: c.personId, fields: ['supportNeeds'], details: { caseId, change: 'support-needs' } })
      })
    },

    async saveIntakeOutcomes(actor: Actor, caseId: string, input: { intake: IntakeOutcomes; version: number }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        outcomeProblems(input.intake.abuse, input.intake.qualityOfLife)
        await updateCase(tx, actor, caseId, input.version, { intake_outcomes: JSON.stringify(input.intake) }, 'the outcome measures at intake')
        await recordAudit(tx, actor, { action: 'CASE_INTAKE_OUTCOMES_RECORD', subjectType: 'person', subjectId: c.personId, fields: ['intakeOutcomes'], details: { caseId, change: 'intake-outcomes' } })
      })
    },

    async addAction(actor: Actor, caseId: string, input: { description: string; dueOn: string }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const problems = []
        if (!input.description.trim()) problems.push({ field: 'description', message: 'Describe the action' })
        if (input.description.length > 1000) problems.push({ field: 'description', message: 'The action must be 1,000 characters or fewer' })
        if (!isIsoDate(input.dueOn)) problems.push({ field: 'dueOn-day', message: 'Enter the date the action is due' })
        if (problems.length) throw new InputError(problems)
        const id = randomUUID()
        await tx.insertInto('case_action').values({
          partnership_id: actor.partnershipId, id, case_id: caseId, description: input.description.trim(), due_on: input.dueOn,
          created_by: actor.userId, updated_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, { action: 'CASE_ACTION_ADD', subjectType: 'person', subjectId: c.personId, fields: ['actions'], details: { caseId, change: 'action-added', actionId: id } })
      })
    },

    async completeAction(actor: Actor, caseId: string, actionId: string, input: { version: number }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const result = await tx.updateTable('case_action')
          .set(eb => ({ status: 'done', completed_on: today(), updated_by: actor.userId, updated_at: clock(), version: eb('version', '+', 1) }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', actionId).where('case_id', '=', caseId).where('version', '=', input.version)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) {
          const current = await tx.selectFrom('case_action as a').leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'a.partnership_id').onRef('u.id', '=', 'a.updated_by'))
            .where('a.partnership_id', '=', actor.partnershipId).where('a.id', '=', actionId).where('a.case_id', '=', caseId)
            .select(['a.version', 'a.updated_at as at', 'a.status', 'u.display_name as by']).executeTakeFirst()
          if (!current || current.version === input.version) throw new NotFoundError()
          throw new StaleEditError({ by: current.by, at: current.at, what: `the action (now ${current.status})` })
        }
        await recordAudit(tx, actor, { action: 'CASE_ACTION_COMPLETE', subjectType: 'person', subjectId: c.personId, fields: ['actions'], details: { caseId, change: 'action-done', actionId } })
      })
    },

    async addNote(actor: Actor, caseId: string, body: string) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const text = body.trim()
        if (!text) throw new InputError([{ field: 'body', message: 'Enter the case note' }])
        if (text.length > 10_000) throw new InputError([{ field: 'body', message: 'A case note must be 10,000 characters or fewer' }])
        const id = randomUUID()
        await tx.insertInto('case_note').values({ partnership_id: actor.partnershipId, id, case_id: caseId, body: text, created_by: actor.userId }).execute()
        await recordAudit(tx, actor, { action: 'CASE_NOTE_ADD', subjectType: 'person', subjectId: c.personId, fields: ['caseNote'], details: { caseId, change: 'note-added', noteId: id } })
      })
    },

    /** Closes a case with a reason and the outcome measures at exit (compared with intake on the case page). */
    async close(actor: Actor, caseId: string, input: { reason: string; closedOn: string; exit: ExitOutcomes; version: number }) {
      mustWrite(actor)
      return withActor(db, actor, async tx => {
        const c = await caseRow(tx, actor, caseId)
        const problems = []
        if (c.status === 'closed') problems.push({ field: 'reason', message: 'This case is already closed' })
        if (!closureReasons.some(r => r.code === input.reason)) problems.push({ field: 'reason', message: 'Select why the case is closing' })
        if (!isIsoDate(input.closedOn)) problems.push({ field: 'closedOn-day', message: 'Enter the date the case closed' })
        else if (input.closedOn > today()) problems.push({ field: 'closedOn-day', message: 'The date must be today or in the past' })
        else if (input.closedOn < c.openedOn) problems.push({ field: 'closedOn-day', message: 'The case cannot close before it opened' })
        try { outcomeProblems(input.exit.abuse, input.exit.qualityOfLife) } catch (e) { if (e instanceof InputError) problems.push(...e.problems); else throw e }
        if (problems.length) throw new InputError(problems)
        await updateCase(tx, actor, caseId, input.version, {
          status: 'closed', closed_on: input.closedOn, closure_reason: input.reason, exit_outcomes: JSON.stringify(input.exit),
          ...(c.engaged === null ? { engaged: false } : {}),
        }, 'the case (closed it)')
        await recordAudit(tx, actor, { action: 'CASE_CLOSE', subjectType: 'person', subjectId: c.personId, fields: ['status', 'closedOn', 'closureReason', 'exitOutcomes'], details: { caseId, change: 'closed', reason: input.reason } })
      })
    },

    /** Open actions past their due date, on every case the actor may see. */
    async overdueActions(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = await tx.selectFrom('case_action as a')
          .innerJoin('support_case as c', j => j.onRef('c.partnership_id', '=', 'a.partnership_id').onRef('c.id', '=', 'a.case_id'))
          .innerJoin('person as p', j => j.onRef('p.partnership_id', '=', 'c.partnership_id').onRef('p.id', '=', 'c.person_id'))
          .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'c.partnership_id').onRef('u.id', '=', 'c.allocated_user_id'))
          .where('a.partnership_id', '=', actor.partnershipId).where('a.status', '=', 'open').where('a.due_on', '<', today())
          .select(['a.id', 'a.description', dateText('a.due_on').as('dueOn'), 'c.id as caseId', 'c.reference', 'c.person_id as personId',
            sql<string>`concat_ws(' ', p.given_name, p.family_name)`.as('personName'), 'u.display_name as allocatedTo'])
          .orderBy('a.due_on').limit(500).execute()
        if (rows.length) await recordAudit(tx, actor, { action: 'CASE_OVERDUE_ACTIONS_VIEW', subjectType: 'overdue-actions', fields: ['personName', 'actions'], details: { personIds: [...new Set(rows.map(r => r.personId))] } })
        return rows
      })
    },
  }
}

/** The engagement definition in force on a date, or null when the profile defines none then. */
function definitionOn(profile: Parameters<typeof engagementDefinitionInForce>[0], date: string) {
  try {
    return engagementDefinitionInForce(profile, date)
  } catch {
    return null
  }
}

function outcomeProblems(abuse: string[], qualityOfLife: number | null) {
  const problems = []
  if (abuse.some(a => !abuseTypes.some(t => t.code === a))) problems.push({ field: 'abuse', message: 'Select abuse types from the list' })
  if (qualityOfLife !== null && (!Number.isInteger(qualityOfLife) || qualityOfLife < 1 || qualityOfLife > 10)) {
    problems.push({ field: 'qualityOfLife', message: 'Quality of life must be a whole number from 1 to 10' })
  }
  if (problems.length) throw new InputError(problems)
}

/** Each IDVA of the actor's agency, and each team, with cases in the last 12 months against yearly capacity. */
async function caseloads_(tx: Tx, actor: Actor, profileTeams: readonly { code: string; fte?: number | undefined; capacityPerFte?: number | undefined }[], today: string) {
  const since = addMonths(today, -12)
  const idvas = await tx.selectFrom('app_user as u')
    .innerJoin('user_role as r', j => j.onRef('r.partnership_id', '=', 'u.partnership_id').onRef('r.user_id', '=', 'u.id'))
    .leftJoin('team as t', j => j.onRef('t.partnership_id', '=', 'u.partnership_id').onRef('t.id', '=', 'u.team_id'))
    .where('u.partnership_id', '=', actor.partnershipId).where('u.agency_id', '=', actor.agencyId).where('r.role', '=', 'idva').where('u.is_active', '=', true)
    .select(eb => [
      'u.id', 'u.display_name as name', 'u.team_id as teamId', 't.name as teamName', 't.code as teamCode',
      eb.selectFrom('support_case as c').whereRef('c.partnership_id', '=', 'u.partnership_id').whereRef('c.allocated_user_id', '=', 'u.id')
        .where('c.opened_on', '>=', since).select(eb2 => eb2.fn.countAll<number>().as('n')).as('last12Months'),
      eb.selectFrom('support_case as c').whereRef('c.partnership_id', '=', 'u.partnership_id').whereRef('c.allocated_user_id', '=', 'u.id')
        .where('c.status', '=', 'open').select(eb2 => eb2.fn.countAll<number>().as('n')).as('open'),
    ])
    .orderBy('t.name').orderBy('u.display_name').execute()
  const teams = await tx.selectFrom('team as t')
    .where('t.partnership_id', '=', actor.partnershipId).where('t.agency_id', '=', actor.agencyId)
    .select(eb => [
      't.id', 't.code', 't.name',
      eb.selectFrom('support_case as c').whereRef('c.partnership_id', '=', 't.partnership_id').whereRef('c.team_id', '=', 't.id')
        .where('c.opened_on', '>=', since).select(eb2 => eb2.fn.countAll<number>().as('n')).as('last12Months'),
    ])
    .orderBy('t.name').execute()
  const capacityOf = (code: string | null) => profileTeams.find(t => t.code === code)?.capacityPerFte ?? DEFAULT_CAPACITY_PER_FTE
  return {
    since,
    idvas: idvas.map(i => ({ ...i, last12Months: Number(i.last12Months), open: Number(i.open), load: caseloadAgainstCapacity(Number(i.last12Months), 1, capacityOf(i.teamCode)) })),
    teams: teams.map(t => {
      const fte = profileTeams.find(p => p.code === t.code)?.fte
      return { ...t, last12Months: Number(t.last12Months), fte: fte ?? null, load: fte === undefined ? null : caseloadAgainstCapacity(Number(t.last12Months), fte, capacityOf(t.code)) }
    }),
  }
}

export type CaseworkService = ReturnType<typeof createCaseworkService>
