/**
 * DASH risk rules: the score, the risk band, and whether a case should go to MARAC.
 * Pure: the partnership profile and the dates are passed in; nothing here reads the clock or the database.
 */
import { inForce, isIsoDate } from '../partnership/effectiveDated.ts'
import { dashMaxScore, type PartnershipProfile, type RiskLevel } from '../partnership/profile.ts'
import { dashAnswerValues, dashQuestionCodes, type DashAnswers } from './dash.ts'

const knownCodes: ReadonlySet<string> = new Set(dashQuestionCodes)
const knownAnswers: ReadonlySet<string> = new Set(dashAnswerValues)

/**
 * The DASH score: the number of questions answered "yes". "No", "don't know" and unanswered questions
 * score nothing. Throws on an unknown question code or answer (a corrupted record must not score low).
 */
export const dashScore = (answers: DashAnswers): number => {
  let score = 0
  for (const [code, answer] of Object.entries(answers)) {
    if (!knownCodes.has(code)) {
      throw new Error(`"${code}" is not a DASH question code`)
    }
    if (answer === undefined) {
      continue
    }
    if (!knownAnswers.has(answer)) {
      throw new Error(`DASH question "${code}" has the answer ${JSON.stringify(answer)}; answers are yes, no or dont-know`)
    }
    if (answer === 'yes') {
      score++
    }
  }
  return score
}

const assertScore = (score: number): void => {
  if (!Number.isInteger(score) || score < 0 || score > dashMaxScore) {
    throw new RangeError(`A DASH score must be a whole number from 0 to ${dashMaxScore}; got ${score}`)
  }
}

/** The risk level for a DASH score under the bands in force on `onDate` in the profile. */
export const dashRiskBand = (score: number, profile: PartnershipProfile, onDate: string): RiskLevel => {
  assertScore(score)
  const period = inForce(profile.risk.bands, onDate, 'set of DASH risk bands')
  const band = period.bands.find(b => b.min <= score && score <= b.max)
  if (band === undefined) {
    // parseProfile rejects bands that leave a score out, so this means an unchecked profile.
    throw new Error(`DASH score ${score} is not in any risk band in force on ${onDate}`)
  }
  return band.level
}

export type MaracReasonCode = 'score' | 'professional-judgement' | 'escalation' | 'repeat'
export type MaracReason = { code: MaracReasonCode; text: string }

export type MaracEligibilityInput = {
  /** DASH score (number of yes answers). */
  score: number
  /** The date the DASH was completed: decides which threshold applies. */
  assessedOn: string
  /** The referrer's professional judgement, with their reason. A blank reason is rejected. */
  professionalJudgement?: { reason: string } | undefined
  /** Police call-outs for domestic abuse in the 12 months before the assessment. */
  escalation?: { policeCallOutsIn12Months: number } | undefined
  /** The victim's last MARAC was within the repeat window (see `isMaracRepeat` in marac/rules.ts). */
  isMaracRepeat?: boolean | undefined
}

export type MaracEligibility = {
  eligible: boolean
  /** Each criterion that is met, in the order score, professional judgement, escalation, repeat. */
  reasons: MaracReason[]
  /** Plain-English notes on criteria that were checked and not met (for showing why a case is not eligible). */
  notMet: string[]
}

/**
 * Whether a case meets the MARAC referral criteria. A case is eligible if ANY of these holds:
 * - the DASH score is at or above the MARAC threshold in force on `assessedOn` ("visible high risk");
 * - a professional has judged it should go, and said why;
 * - police call-outs in the last 12 months are at or above the escalation threshold in force;
 * - it is a repeat (any new incident within the repeat window of the victim's last MARAC).
 */
export const maracEligibility = (input: MaracEligibilityInput, profile: PartnershipProfile): MaracEligibility => {
  const { score, assessedOn } = input
  assertScore(score)
  if (!isIsoDate(assessedOn)) {
    throw new Error(`assessedOn must be a real date written YYYY-MM-DD; got ${JSON.stringify(assessedOn)}`)
  }
  const reasons: MaracReason[] = []
  const notMet: string[] = []

  const threshold = inForce(profile.risk.maracThreshold, assessedOn, 'MARAC threshold').score
  if (score >= threshold) {
    reasons.push({
      code: 'score',
      text: `DASH score ${score} meets the MARAC threshold of ${threshold} in force on ${assessedOn}`,
    })
  } else {
    notMet.push(`DASH score ${score} is below the MARAC threshold of ${threshold} in force on ${assessedOn}`)
  }

  if (input.professionalJudgement !== undefined) {
    const reason = input.professionalJudgement.reason.trim()
    if (reason === '') {
      throw new Error('A professional-judgement referral to MARAC needs a reason; the reason given is blank')
    }
    reasons.push({ code: 'professional-judgement', text: `Referred on professional judgement: ${reason}` })
  }

  if (input.escalation !== undefined) {
    const callOuts = input.escalation.policeCallOutsIn12Months
    if (!Number.isInteger(callOuts) || callOuts < 0) {
      throw new RangeError(`Police call-outs in 12 months must be a whole number of 0 or more; got ${callOuts}`)
    }
    const escalationThreshold = inForce(profile.risk.escalation, assessedOn, 'escalation threshold').policeCallOutsIn12Months
    const callOutsText = `${callOuts} police call-out${callOuts === 1 ? '' : 's'} in the last 12 months`
    if (callOuts >= escalationThreshold) {
      reasons.push({
        code: 'escalation',
        text: `${callOutsText} meets the escalation threshold of ${escalationThreshold} in force on ${assessedOn}`,
      })
    } else {
      notMet.push(`${callOutsText} is below the escalation threshold of ${escalationThreshold} in force on ${assessedOn}`)
    }
  }

  if (input.isMaracRepeat === true) {
    reasons.push({
      code: 'repeat',
      text: "Repeat: a new incident within the repeat window of the victim's last MARAC, so it goes back to MARAC whatever the score",
    })
  }

  return { eligible: reasons.length > 0, reasons, notMet }
}
