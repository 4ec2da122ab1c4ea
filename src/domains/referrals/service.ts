import { randomBytes, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import type { AuditEvent } from '../audit/actions.ts'
import { recordAudit } from '../audit/service.ts'
import { InputError } from '../cases/errors.ts'
import { suggestIdvaTeam } from '../cases/rules.ts'
import { NotFoundError } from '../cases/service.ts'
import * as maracRepo from '../marac/repository.ts'
import { nextMeetingDate } from '../marac/rules.ts'
import { completedYears } from '../partnership/effectiveDated.ts'
import type { AgencyKind, EthnicityCode, GenderIdentityCode, PartnershipProfile, Relationship, SexCode } from '../partnership/profile.ts'
import type { ProfileCache } from '../partnership/service.ts'
import { assessDash } from '../risk/assessment.ts'
import type { MaracReason } from '../risk/rules.ts'
import { type ReferralInput, referralInputSchema } from './input.ts'
import { createLinkageService } from '../linkage/service.ts'
import * as repo from './repository.ts'
import { type DraftAnswers, draftToInput } from './steps.ts'
import { explainRepeats, findRepeats, type RepeatExplanation } from './repeats.ts'

/** What the referrer is told when a referral is submitted (and told again if the submission is retried). */
export type IntakeOutcome = {
  referralId: string
  reference: string
  referralDate: string
  score: number
  band: string
  riskLevel: string
  levelExplanation: string
  marac: { eligible: boolean; reasons: MaracReason[]; notMet: string[]; threshold: number; meetingDate: string | null }
  idvaRepeat: { repeat: boolean; lastReferralDate: string | null; windowMonths: number; earlier?: RepeatExplanation['earlier'] }
  maracRepeat: { repeat: boolean; lastMaracDate: string | null; windowMonths: number; earlier?: RepeatExplanation['earlier'] }
  suggestedTeam: { code: string; name: string; reason: string } | null
  caseReference: string | null
}

export type SubmitResult = IntakeOutcome & { replayed: boolean }

export class IdempotencyConflictError extends Error {
  constructor() {
    super('This idempotency key was already used for a different submission')
  }
}

export type PossibleMatchView = {
  id: string
  givenName: string | null
  familyName: string | null
  dateOfBirth: string | null
  postcode: string | null
  /** How likely (0 to 1) this is the same person, by the partnership's linkage model. */
  probability: number
  /** The same, kept for API clients of the first version. */
  score: number
  /** Plain words: what agrees ("same date of birth") and what counts against ("different postcode"). */
  reasons: string[]
  against: string[]
  /** Whether partnership-wide linkage would join these two records (the partnership's match threshold). */
  likely: boolean
  lastReferredAsVictim: string | null
  lastNamedAsPerpetrator: string | null
}

const base32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const randomCode = (length: number) => [...randomBytes(length)].map(b => base32[b % base32.length]).join('')

const isUniqueViolation = (error: unknown, constraint: string) => {
  const e = error as { code?: string; constraint?: string; message?: string }
  return e?.code === '23505' && (e.constraint === constraint || (e.message ?? '').includes(constraint))
}

/**
 * The linkage probability from which a known person is offered as a possible match at intake: a suggestion
 * for the practitioner to confirm, so lower than the partnership's match threshold (what linkage joins).
 */
export const POSSIBLE_MATCH_PROBABILITY = 0.3

/** Days a draft referral is kept after its last change. */
export const DRAFT_DAYS = 14

/** Scope the client's key to the user, so two systems choosing the same key never collide. */
const scopedKey = (actor: Actor, key: string) => `${actor.userId}:${key}`

export function createReferralService(deps: { db: Kysely<DB>; clock: Clock; profiles: ProfileCache }) {
  const { db, clock, profiles } = deps
  const linkage = createLinkageService({ db, clock })

  async function outcomeOf(tx: Tx, actor: Actor, referralId: string): Promise<IntakeOutcome> {
    const row = await tx.selectFrom('referral').where('partnership_id', '=', actor.partnershipId).where('id', '=', referralId)
      .select('intake_outcome').executeTakeFirst()
    if (!row?.intake_outcome) throw new NotFoundError()
    return row.intake_outcome as unknown as IntakeOutcome
  }

  async function submitInTx(tx: Tx, actor: Actor, profile: PartnershipProfile, input: ReferralInput, key: string): Promise<SubmitResult> {
    const existing = await repo.referralByIdempotencyKey(tx, actor.partnershipId, key)
    if (existing) return { ...(await outcomeOf(tx, actor, existing.id)), replayed: true }

    const pid = actor.partnershipId
    const today = londonDate(clock())
    const { victim, perpetrators, children, household, details, safeContact, risk } = input
    const referralDate = details.referralDate
    const problems: { field: string; message: string }[] = []
    if (referralDate > today) problems.push({ field: 'details.referralDate', message: 'The referral date must be today or in the past' })
    if (risk.assessedOn > today) problems.push({ field: 'risk.assessedOn', message: 'The assessment date must be today or in the past' })
    if (victim.dateOfBirth && victim.dateOfBirth > referralDate) problems.push({ field: 'victim.dateOfBirth', message: 'The date of birth must be before the referral date' })
    if (victim.districtCode && !profile.districts.some(d => d.code === victim.districtCode)) {
      problems.push({ field: 'victim.districtCode', message: 'Select a district of this partnership' })
    }
    const linkTargets = [victim.linkToPersonId, ...perpetrators.map(p => p.linkToPersonId)].filter((id): id is string => Boolean(id))
    const visible = await repo.visiblePersonIds(tx, pid, linkTargets)
    if (victim.linkToPersonId && !visible.has(victim.linkToPersonId)) problems.push({ field: 'victim.linkToPersonId', message: 'The person to link the victim to was not found' })
    perpetrators.forEach((p, i) => {
      if (p.linkToPersonId && !visible.has(p.linkToPersonId)) problems.push({ field: `perpetrators.${i}.linkToPersonId`, message: 'The person to link the perpetrator to was not found' })
    })
    if (problems.length) throw new InputError(problems)

    const agency = await tx.selectFrom('agency').where('partnership_id', '=', pid).where('id', '=', actor.agencyId)
      .select(['id', 'kind']).executeTakeFirstOrThrow()

    // People: every referral records the people as the referrer gives them; a link says who they are known as.
    const victimId = randomUUID()
    const personRows = [
      { id: victimId, given_name: victim.givenName, family_name: victim.familyName, date_of_birth: victim.dateOfBirth ?? null,
        sex: victim.sex ?? null, gender_identity: victim.genderIdentity ?? null, ethnicity: victim.ethnicity ?? null,
        nationality: victim.nationality ?? null, main_language: victim.mainLanguage ?? null, postcode: victim.postcode ?? null },
      ...perpetrators.map(p => ({ id: randomUUID(), given_name: p.givenName || null, family_name: p.familyName || null,
        date_of_birth: p.dateOfBirth ?? null, sex: p.sex ?? null, gender_identity: p.genderIdentity ?? null, ethnicity: null,
        nationality: null, main_language: null, postcode: p.postcode ?? null })),
    ]
    const perpetratorIds = personRows.slice(1).map(p => p.id)
    const childRows = children.map(c => ({ id: randomUUID(), given_name: c.givenName ?? null, family_name: c.familyName ?? null,
      date_of_birth: c.dateOfBirth, date_of_birth_is_expected: c.unborn, sex: c.sex }))
    await tx.insertInto('person').values([
      ...personRows.map(p => ({ ...p, partnership_id: pid, created_by: actor.userId })),
      ...childRows.map(c => ({ ...c, partnership_id: pid, created_by: actor.userId })),
    ]).execute()
    const links = [
      ...(victim.linkToPersonId ? [{ personId: victimId, linkedPersonId: victim.linkToPersonId }] : []),
      ...perpetrators.flatMap((p, i) => (p.linkToPersonId ? [{ personId: perpetratorIds[i]!, linkedPersonId: p.linkToPersonId }] : [])),
    ]
    if (links.length) {
      await tx.insertInto('person_link').values(links.map(l => ({
        partnership_id: pid, id: randomUUID(), person_id: l.personId, linked_person_id: l.linkedPersonId, linked_by: actor.userId,
      }))).execute()
    }

    // Repeats, over everything the partnership holds about this victim's person-cluster: referrals and MARAC
    // cases in the app and imported episodes, through people linked at intake or by record linkage
    // (security-definer SQL returns only dates, agencies and cluster keys; the rules are pure).
    const findings = await findRepeats(tx, profile, { victimId, perpetratorIds, referralDate })
    const explained = await explainRepeats(tx, pid, findings)
    const idvaRepeat = findings.idva.repeat
    const lastPair = findings.idva.last?.date ?? null
    const maracRepeat = findings.marac.repeat
    const lastMarac = findings.marac.last?.date ?? null
    const windows = { idvaMonths: findings.idva.windowMonths, maracMonths: findings.marac.windowMonths }

    const assessment = assessDash(risk, profile, { isMaracRepeat: maracRepeat })

    const firstRelationship = (perpetrators[0]?.relationship ?? null) as Relationship | null
    let age: number | undefined
    if (victim.dateOfBirth && victim.dateOfBirth <= referralDate) age = completedYears(victim.dateOfBirth, referralDate)
    const suggestion = suggestIdvaTeam({
      age,
      onDate: referralDate,
      sex: (victim.sex ?? 'not-known') as SexCode,
      genderIdentity: victim.genderIdentity as GenderIdentityCode | undefined,
      nationality: victim.nationality ?? null,
      ethnicity: (victim.ethnicity ?? null) as EthnicityCode | null,
      additionalNeeds: victim.additionalNeeds,
      referringAgencyKind: agency.kind as AgencyKind,
      stalking: details.stalking,
      relationship: firstRelationship,
      riskLevel: assessment.level,
      districtCode: victim.districtCode ?? null,
    }, profile)

    const meetingDate = assessment.eligibility.eligible ? nextMeetingDate(today, profile.marac.meetingWeekdays) : null
    const referralId = randomUUID()
    const reference = `R-${referralDate.slice(0, 4)}-${randomCode(6)}`

    // The IDVA service that takes the case: the suggested team's, or the partnership's IDVA service.
    const team = suggestion
      ? await tx.selectFrom('team').where('partnership_id', '=', pid).where('code', '=', suggestion.teamCode).select(['id', 'agency_id']).executeTakeFirst()
      : undefined
    const idvaAgency = team
      ? { id: team.agency_id }
      : await tx.selectFrom('agency').where('partnership_id', '=', pid).where('kind', '=', 'idva-service').select('id').orderBy('code').executeTakeFirst()
    const caseReference = idvaAgency ? `IDVA-${referralDate.slice(0, 4)}-${randomCode(6)}` : null

    const outcome: IntakeOutcome = {
      referralId,
      reference,
      referralDate,
      score: assessment.score,
      band: assessment.band,
      riskLevel: assessment.level,
      levelExplanation: assessment.levelExplanation,
      marac: {
        eligible: assessment.eligibility.eligible,
        reasons: assessment.eligibility.reasons,
        notMet: assessment.eligibility.notMet,
        threshold: assessment.maracThreshold,
        meetingDate,
      },
      idvaRepeat: { repeat: idvaRepeat, lastReferralDate: lastPair, windowMonths: windows.idvaMonths, earlier: explained.idva.earlier },
      maracRepeat: { repeat: maracRepeat, lastMaracDate: lastMarac, windowMonths: windows.maracMonths, earlier: explained.marac.earlier },
      suggestedTeam: suggestion ? { code: suggestion.teamCode, name: suggestion.teamName, reason: suggestion.reason } : null,
      caseReference,
    }

    const childrenInHousehold = children.filter(c => c.livesInHousehold && !c.unborn).length
    await tx.insertInto('referral').values({
      partnership_id: pid,
      id: referralId,
      reference,
      victim_id: victimId,
      perpetrator_id: perpetratorIds[0] ?? null,
      relationship: firstRelationship,
      referral_date: referralDate,
      referring_agency_id: agency.id,
      referral_source: details.referralSource,
      district_code: victim.districtCode ?? null,
      stalking: details.stalking,
      consent_to_share: details.consent,
      lawful_basis: details.lawfulBasis ?? null,
      created_by: actor.userId,
      idempotency_key: key,
      demographics: JSON.stringify({
        disability: victim.disability, sexualOrientation: victim.sexualOrientation ?? null, trans: victim.trans ?? null,
        interpreterNeeded: victim.interpreterNeeded ?? null, nrpf: victim.nrpf ?? null, maritalStatus: victim.maritalStatus ?? null,
        employmentStatus: victim.employmentStatus ?? null,
      }),
      household: JSON.stringify({ ...household, childrenInHousehold }),
      additional_needs: victim.additionalNeeds,
      is_idva_repeat: idvaRepeat,
      idva_repeat_last_date: lastPair,
      is_marac_repeat: maracRepeat,
      marac_repeat_last_date: lastMarac,
      marac_listed_on: meetingDate,
      intake_outcome: JSON.stringify(outcome),
    }).execute()
    if (perpetrators.length) {
      await tx.insertInto('referral_perpetrator').values(perpetrators.map((p, i) => ({
        partnership_id: pid, referral_id: referralId, person_id: perpetratorIds[i]!, relationship: p.relationship, position: i + 1,
      }))).execute()
    }
    if (childRows.length) {
      await tx.insertInto('referral_child').values(childRows.map((c, i) => ({
        partnership_id: pid, referral_id: referralId, child_id: c.id, lives_in_household: children[i]!.livesInHousehold,
      }))).execute()
    }
    const assessmentId = randomUUID()
    await tx.insertInto('risk_assessment').values({
      partnership_id: pid,
      id: assessmentId,
      referral_id: referralId,
      assessed_on: risk.assessedOn,
      answers: JSON.stringify(risk.answers),
      comments: JSON.stringify(risk.comments),
      score: assessment.score,
      risk_level: assessment.level,
      professional_judgement_reason: risk.professionalJudgementReason ?? null,
      police_call_outs_12_months: risk.policeCallOuts12Months ?? null,
      escalation_reason: risk.escalationReason ?? null,
      marac_eligible: assessment.eligibility.eligible,
      marac_reasons: JSON.stringify(assessment.eligibility.reasons),
      assessed_by: actor.userId,
    }).execute()
    const sealedId = safeContact ? randomUUID() : null
    if (safeContact && sealedId) {
      await tx.insertInto('sealed_detail').values({
        partnership_id: pid, id: sealedId, subject_type: 'person', subject_id: victimId, kind: 'safe-contact',
        value: JSON.stringify({
          safeNumber: safeContact.safeNumber ?? '', safeTimes: safeContact.safeTimes ?? '', noVoicemail: safeContact.noVoicemail,
          neverWriteHome: safeContact.neverWriteHome, notes: safeContact.notes ?? '',
        }),
        created_by: actor.userId,
      }).execute()
    }
    let caseId: string | null = null
    if (idvaAgency && caseReference) {
      caseId = randomUUID()
      await tx.insertInto('support_case').values({
        partnership_id: pid, id: caseId, reference: caseReference, referral_id: referralId, person_id: victimId,
        agency_id: idvaAgency.id, status: 'awaiting-allocation', opened_on: referralDate,
        suggested_team_id: team?.id ?? null, suggestion_reason: suggestion?.reason ?? null,
        updated_by: actor.userId, last_change: 'opened the case from a referral',
      }).execute()
    }
    let maracCaseId: string | null = null
    if (meetingDate) {
      const meetingId = await maracRepo.ensureMeeting(tx, pid, meetingDate)
      maracCaseId = await maracRepo.insertMaracCase(tx, pid, {
        referralId, personId: victimId, referringAgencyId: agency.id, meetingId, meetingDate, referredOn: referralDate,
        childrenInHousehold, isRepeat: maracRepeat, lastMaracDate: lastMarac, eligibilityReasons: assessment.eligibility.reasons,
        userId: actor.userId,
      })
    }

    const people = [victimId, ...perpetratorIds, ...childRows.map(c => c.id)]
    const events: AuditEvent[] = [
      ...people.map((id): AuditEvent => ({
        action: 'PERSON_CREATE', subjectType: 'person', subjectId: id,
        fields: ['givenName', 'familyName', 'dateOfBirth', 'sex', 'postcode'], details: { referralId },
      })),
      {
        action: 'REFERRAL_CREATE', subjectType: 'referral', subjectId: referralId,
        fields: ['victim', 'perpetrators', 'children', 'household', 'demographics', 'referralSource', 'consent', 'lawfulBasis'],
        details: { reference, personIds: people, links: links.length, idvaRepeat, maracRepeat, caseId, maracCaseId },
      },
      {
        action: 'RISK_ASSESSMENT_CREATE', subjectType: 'referral', subjectId: referralId, fields: ['answers', 'comments', 'score', 'riskLevel'],
        details: { assessmentId, score: assessment.score, riskLevel: assessment.level, maracEligible: assessment.eligibility.eligible },
      },
      ...links.map((l): AuditEvent => ({
        action: 'POSSIBLE_MATCH_LINK', subjectType: 'person', subjectId: l.personId, fields: ['link'],
        details: { linkedPersonId: l.linkedPersonId, referralId, personIds: [l.personId, l.linkedPersonId] },
      })),
      ...(sealedId ? [{ action: 'SEALED_WRITE' as const, subjectType: 'person', subjectId: victimId, fields: ['safe-contact'], details: { sealedId } }] : []),
      ...(maracCaseId ? [{ action: 'MARAC_CASE_CREATE' as const, subjectType: 'person', subjectId: victimId, details: { maracCaseId, meetingDate, referralId } }] : []),
    ]
    await recordAudit(tx, actor, ...events)
    return { ...outcome, replayed: false }
  }

  /** Submits once: a retry with the same key (double click, network retry) returns the first result. */
  async function submit(actor: Actor, input: ReferralInput, clientKey: string, afterInsert?: (tx: Tx, result: SubmitResult) => Promise<void>): Promise<SubmitResult> {
    const key = scopedKey(actor, clientKey)
    const profile = await profiles.current(actor.partnershipId)
    try {
      return await withActor(db, actor, async tx => {
        const result = await submitInTx(tx, actor, profile, input, key)
        if (afterInsert) await afterInsert(tx, result)
        return result
      })
    } catch (error) {
      if (!isUniqueViolation(error, 'referral_partnership_id_idempotency_key_key')) throw error
      // Two submissions raced: the other one won. Answer with its result.
      return withActor(db, actor, async tx => {
        const existing = await repo.referralByIdempotencyKey(tx, actor.partnershipId, key)
        if (!existing) throw new IdempotencyConflictError()
        return { ...(await outcomeOf(tx, actor, existing.id)), replayed: true }
      })
    }
  }

  return {
    submit,

    /** Parses a whole referral (API body); problems come back as an InputError with dotted field paths. */
    parse(raw: unknown): ReferralInput {
      const parsed = referralInputSchema.safeParse(raw)
      if (!parsed.success) {
        throw new InputError(parsed.error.issues.map(i => ({ field: i.path.join('.') || 'referral', message: i.message })))
      }
      return parsed.data
    },

    /**
     * Starts a draft. Drafts hold personal data typed in but not yet sent, so the user's drafts untouched
     * for DRAFT_DAYS are deleted first: an abandoned referral does not linger.
     */
    async createDraft(actor: Actor, defaults: Record<string, unknown> = {}): Promise<string> {
      const id = randomUUID()
      const stale = new Date(clock().getTime() - DRAFT_DAYS * 86_400_000)
      await withActor(db, actor, async tx => {
        await tx.deleteFrom('referral_draft').where('partnership_id', '=', actor.partnershipId).where('user_id', '=', actor.userId)
          .where('updated_at', '<', stale).execute()
        await tx.insertInto('referral_draft').values({
          partnership_id: actor.partnershipId, id, user_id: actor.userId, answers: JSON.stringify(defaults), idempotency_key: randomUUID(),
          created_at: clock(), updated_at: clock(),
        }).execute()
      })
      return id
    },

    async draft(actor: Actor, id: string) {
      const row = await withActor(db, actor, tx => tx.selectFrom('referral_draft').where('partnership_id', '=', actor.partnershipId)
        .where('id', '=', id).select(['id', 'answers', 'idempotency_key as idempotencyKey', 'submitted_referral_id as submittedReferralId', 'updated_at as updatedAt'])
        .executeTakeFirst())
      if (!row) throw new NotFoundError()
      return row
    },

    async saveDraft(actor: Actor, id: string, answers: Record<string, unknown>): Promise<void> {
      const result = await withActor(db, actor, tx => tx.updateTable('referral_draft').set({ answers: JSON.stringify(answers), updated_at: clock() })
        .where('partnership_id', '=', actor.partnershipId).where('id', '=', id).where('submitted_referral_id', 'is', null).executeTakeFirst())
      if (Number(result.numUpdatedRows) === 0) throw new NotFoundError()
    },

    /**
     * Submits a draft with the one-time key its check-your-answers page carried. Submitting it again
     * (double click, back button) finds the referral it already made.
     */
    async submitDraft(actor: Actor, draftId: string, submissionKey: string): Promise<SubmitResult> {
      const draft = await this.draft(actor, draftId)
      if (submissionKey !== draft.idempotencyKey) throw new InputError([{ field: 'submission', message: 'This form is out of date: check your answers and submit again' }])
      if (draft.submittedReferralId) {
        return withActor(db, actor, async tx => ({ ...(await outcomeOf(tx, actor, draft.submittedReferralId!)), replayed: true }))
      }
      const input = this.parse(draftToInput(draft.answers as DraftAnswers))
      return submit(actor, input, draft.idempotencyKey, async (tx, result) => {
        // The answers are now in the referral: the draft keeps only where it went.
        await tx.updateTable('referral_draft').set({ answers: '{}', submitted_referral_id: result.referralId, updated_at: clock() })
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', draftId).execute()
      })
    },

    /**
     * People the user may already see (row-level security picks the candidates) who could be this person,
     * scored by the same Fellegi-Sunter comparisons and model as partnership-wide linkage (nicknames,
     * transliterations, swapped day and month, postcode sector). Showing them is recorded in the audit log.
     */
    async possibleMatches(actor: Actor, probe: { givenName?: string | null; familyName?: string | null; dateOfBirth?: string | null; postcode?: string | null; sex?: string | null }, excludeIds: string[] = []): Promise<PossibleMatchView[]> {
      return withActor(db, actor, async tx => {
        const candidates = await repo.matchCandidates(tx, actor.partnershipId, probe, excludeIds)
        const matches = await linkage.possibleMatchesFor(tx, actor.partnershipId, probe, candidates, { threshold: POSSIBLE_MATCH_PROBABILITY })
        if (matches.length === 0) return []
        const summaries = new Map((await repo.personSummaries(tx, actor.partnershipId, matches.map(m => m.candidate.id))).map(s => [s.id, s]))
        await recordAudit(tx, actor, {
          action: 'POSSIBLE_MATCH_VIEW', subjectType: 'possible-match', fields: ['name', 'dateOfBirth', 'postcode', 'sex'],
          details: { personIds: matches.map(m => m.candidate.id), purpose: 'possible match at intake' },
        })
        return matches.map(m => ({
          id: m.candidate.id, givenName: m.candidate.givenName, familyName: m.candidate.familyName,
          dateOfBirth: m.candidate.dateOfBirth, postcode: m.candidate.postcode,
          probability: m.probability, score: m.probability, reasons: m.reasons, against: m.against, likely: m.aboveMatchThreshold,
          lastReferredAsVictim: (summaries.get(m.candidate.id)?.lastReferredAsVictim as string | null) ?? null,
          lastNamedAsPerpetrator: (summaries.get(m.candidate.id)?.lastNamedAsPerpetrator as string | null) ?? null,
        }))
      })
    },

    async view(actor: Actor, referralId: string) {
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const referral = await repo.referralById(tx, actor.partnershipId, referralId)
        if (!referral) throw new NotFoundError()
        // Why it is a repeat, found again now: linkage may have joined people since the referral was made.
        const repeats = await explainRepeats(tx, actor.partnershipId, await findRepeats(tx, profile, {
          victimId: referral.victimId, perpetratorIds: referral.perpetrators.map(p => p.id), referralDate: referral.referralDate,
        }))
        const sealed = actor.mayReadSealed
          ? await tx.selectFrom('sealed_detail').where('partnership_id', '=', actor.partnershipId).where('subject_type', '=', 'person')
            .where('subject_id', '=', referral.victimId).where('kind', '=', 'safe-contact').select(['value', 'created_at as createdAt'])
            .orderBy('created_at', 'desc').executeTakeFirst()
          : undefined
        const personIds = [referral.victimId, ...referral.perpetrators.map(p => p.id), ...referral.children.map(c => c.id)]
        await recordAudit(tx, actor,
          { action: 'REFERRAL_VIEW', subjectType: 'referral', subjectId: referralId, fields: ['victim', 'perpetrators', 'children', 'risk'], details: { personIds } },
          ...(sealed ? [{ action: 'SEALED_READ' as const, subjectType: 'person', subjectId: referral.victimId, fields: ['safe-contact'], details: { referralId } }] : []),
        )
        return { referral, safeContact: sealed?.value ?? null, repeats }
      })
    },

    async list(actor: Actor) {
      return withActor(db, actor, async tx => {
        const rows = await repo.referralList(tx, actor.partnershipId)
        if (rows.length) {
          await recordAudit(tx, actor, { action: 'REFERRAL_LIST_VIEW', subjectType: 'referral-list', fields: ['victimName', 'riskLevel'], details: { personIds: rows.map(r => r.victimId) } })
        }
        return rows
      })
    },

    /** Undoes a link made at intake: the two records are again two people. The link row is kept, marked unlinked. */
    async unlink(actor: Actor, linkId: string, reason: string) {
      const why = reason.trim()
      if (why.length < 5) throw new InputError([{ field: 'reason', message: 'Say why the link is wrong, in at least 5 characters' }])
      await withActor(db, actor, async tx => {
        const link = await tx.selectFrom('person_link').where('partnership_id', '=', actor.partnershipId).where('id', '=', linkId)
          .select(['id', 'person_id', 'linked_person_id', 'status']).executeTakeFirst()
        if (!link) throw new NotFoundError()
        if (link.status !== 'active') return
        const updated = await tx.updateTable('person_link')
          .set(eb => ({ status: 'unlinked', unlinked_by: actor.userId, unlinked_at: clock(), unlink_reason: why, version: eb('version', '+', 1) }))
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', linkId).where('status', '=', 'active').executeTakeFirst()
        if (Number(updated.numUpdatedRows) === 0) throw new NotFoundError()
        await recordAudit(tx, actor, {
          action: 'POSSIBLE_MATCH_UNLINK', subjectType: 'person', subjectId: link.person_id, fields: ['link'], reason: why,
          details: { change: 'unlinked', linkId, linkedPersonId: link.linked_person_id, personIds: [link.person_id, link.linked_person_id] },
        })
      })
      // Linkage applies intake links as decisions: undone here, the two records are kept apart there too; and
      // the stored repeat flags follow (re-clustering refreshes them when it changed a cluster).
      const { changed } = await linkage.recluster(actor.partnershipId, 'plaintext')
      if (changed === 0) await linkage.refreshRepeats(actor.partnershipId, `user:${actor.userId} unlink`)
    },
  }
}

export type ReferralService = ReturnType<typeof createReferralService>
