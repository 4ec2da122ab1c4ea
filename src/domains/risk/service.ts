import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { InputError } from '../cases/errors.ts'
import { NotFoundError } from '../cases/service.ts'
import type { ProfileCache } from '../partnership/service.ts'
import type { RiskInput } from '../referrals/input.ts'
import { findRepeats } from '../referrals/repeats.ts'
import { riskAssessments } from '../referrals/repository.ts'
import { dateText } from '../referrals/sqlDates.ts'
import { assessDash } from './assessment.ts'

/**
 * DASH re-assessments. Risk is dynamic: after a new incident or a change such as leaving, a new assessment is
 * added. Earlier ones are kept as the history and never overwritten.
 */
export function createRiskService(deps: { db: Kysely<DB>; clock: Clock; profiles: ProfileCache }) {
  const { db, clock, profiles } = deps

  return {
    async reassess(actor: Actor, referralId: string, input: RiskInput) {
      if (!can(actor.roles, 'risk.assess')) throw new NotFoundError()
      const profile = await profiles.current(actor.partnershipId)
      return withActor(db, actor, async tx => {
        const referral = await tx.selectFrom('referral').where('partnership_id', '=', actor.partnershipId).where('id', '=', referralId)
          .select(['id', 'victim_id as victimId', dateText('referral_date').as('referralDate')]).executeTakeFirst()
        if (!referral) throw new NotFoundError()
        if (input.assessedOn > londonDate(clock())) throw new InputError([{ field: 'assessedOn-day', message: 'Date of the assessment must be today or in the past' }])
        if (input.assessedOn < referral.referralDate) throw new InputError([{ field: 'assessedOn-day', message: 'A re-assessment cannot be dated before the referral' }])
        // A MARAC repeat over the victim's linked people (intake links, record linkage, imported MARAC episodes).
        const repeats = await findRepeats(tx, profile, { victimId: referral.victimId, perpetratorIds: [], referralDate: referral.referralDate })
        const assessment = assessDash(input, profile, { isMaracRepeat: repeats.marac.repeat })
        const id = randomUUID()
        await tx.insertInto('risk_assessment').values({
          partnership_id: actor.partnershipId, id, referral_id: referralId, assessed_on: input.assessedOn,
          answers: JSON.stringify(input.answers), comments: JSON.stringify(input.comments), score: assessment.score, risk_level: assessment.level,
          professional_judgement_reason: input.professionalJudgementReason ?? null, police_call_outs_12_months: input.policeCallOuts12Months ?? null,
          escalation_reason: input.escalationReason ?? null, marac_eligible: assessment.eligibility.eligible,
          marac_reasons: JSON.stringify(assessment.eligibility.reasons), assessed_by: actor.userId,
        }).execute()
        await recordAudit(tx, actor, {
          action: 'RISK_ASSESSMENT_CREATE', subjectType: 'referral', subjectId: referralId, fields: ['answers', 'comments', 'score', 'riskLevel'],
          details: { assessmentId: id, score: assessment.score, riskLevel: assessment.level, maracEligible: assessment.eligibility.eligible, reassessment: true, personIds: [referral.victimId] },
        })
        return { id, ...assessment }
      })
    },

    /** One assessment with its answers and comments. */
    async assessment(actor: Actor, referralId: string, assessmentId: string) {
      return withActor(db, actor, async tx => {
        const found = (await riskAssessments(tx, actor.partnershipId, referralId)).find(a => a.id === assessmentId)
        if (!found) throw new NotFoundError()
        const referral = await tx.selectFrom('referral').where('partnership_id', '=', actor.partnershipId).where('id', '=', referralId)
          .select(['victim_id as victimId', 'reference']).executeTakeFirstOrThrow()
        await recordAudit(tx, actor, { action: 'RISK_ASSESSMENT_VIEW', subjectType: 'referral', subjectId: referralId, fields: ['risk'], details: { assessmentId, personIds: [referral.victimId] } })
        return { assessment: found, reference: referral.reference }
      })
    },
  }
}

export type RiskService = ReturnType<typeof createRiskService>
