/**
 * One DASH assessment, worked out in full: score, band, level, and MARAC eligibility with its reasons.
 * Pure: the profile, the dates and the repeat finding are passed in. Used by the referral journey, by
 * re-assessments and by the API, so all three explain a decision the same way.
 */
import { inForce } from '../partnership/effectiveDated.ts'
import type { PartnershipProfile, RiskLevel } from '../partnership/profile.ts'
import { dashQuestionCodes, type DashAnswers, type DashQuestionCode } from './dash.ts'
import { dashRiskBand, dashScore, maracEligibility, type MaracEligibility } from './rules.ts'

export type DashAssessmentInput = {
  assessedOn: string
  answers: DashAnswers
  comments?: Partial<Record<DashQuestionCode, string>> | undefined
  /** Professional judgement that the case is high risk and should go to MARAC, with the reason. */
  professionalJudgementReason?: string | undefined
  /** Police call-outs for domestic abuse in the 12 months before the assessment, when known. */
  policeCallOuts12Months?: number | undefined
  /** What the escalation is: free text recorded with the count. */
  escalationReason?: string | undefined
}

export type DashAssessment = {
  score: number
  /** The band the score falls in, under the bands in force on the assessment date. */
  band: RiskLevel
  /** The risk level recorded: the band, or high when a professional judged it so. */
  level: RiskLevel
  levelExplanation: string
  maracThreshold: number
  escalationThreshold: number
  eligibility: MaracEligibility
  unanswered: number
}

const levelLabel = (level: RiskLevel) => level.charAt(0).toUpperCase() + level.slice(1)

export const assessDash = (input: DashAssessmentInput, profile: PartnershipProfile, context: { isMaracRepeat: boolean }): DashAssessment => {
  const score = dashScore(input.answers)
  const band = dashRiskBand(score, profile, input.assessedOn)
  const judgement = input.professionalJudgementReason?.trim() || undefined
  const level: RiskLevel = judgement ? 'high' : band
  const bands = inForce(profile.risk.bands, input.assessedOn, 'set of DASH risk bands').bands
  const range = bands.find(b => b.level === band)!
  const levelExplanation = judgement && band !== 'high'
    ? `High on professional judgement (the score of ${score} is in the ${band} band, ${range.min}-${range.max})`
    : `${levelLabel(band)}: a score of ${score} is in the ${band} band (${range.min}-${range.max}) in force on ${input.assessedOn}`
  const eligibility = maracEligibility(
    {
      score,
      assessedOn: input.assessedOn,
      professionalJudgement: judgement ? { reason: judgement } : undefined,
      escalation: input.policeCallOuts12Months === undefined ? undefined : { policeCallOutsIn12Months: input.policeCallOuts12Months },
      isMaracRepeat: context.isMaracRepeat,
    },
    profile,
  )
  return {
    score,
    band,
    level,
    levelExplanation,
    maracThreshold: inForce(profile.risk.maracThreshold, input.assessedOn, 'MARAC threshold').score,
    escalationThreshold: inForce(profile.risk.escalation, input.assessedOn, 'escalation threshold').policeCallOutsIn12Months,
    eligibility,
    unanswered: dashQuestionCodes.filter(code => input.answers[code] === undefined).length,
  }
}
