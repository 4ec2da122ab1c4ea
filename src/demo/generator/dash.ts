/**
 * Synthetic DASH answers. The 24 answers are in the order of the SafeLives DASH RIC questions (the same
 * order as `dashQuestions` in src/domains/risk/dash.ts, question 1 first). The score is the number of
 * "yes" answers; the generator first picks the score from a calibrated distribution, then picks WHICH
 * questions are "yes", weighted by how often each is ticked in high-risk cases (fear and controlling
 * behaviour very often, harm to animals rarely), honouring facts it knows (a pregnant victim answers
 * question 9 "yes"; a victim with no children cannot have child-contact conflict; stalking means
 * question 8 is "yes").
 */
import { dashQuestionCodes, type DashQuestionCode } from '../../domains/risk/dash.ts'
import type { Rng } from './prng.ts'

export const DASH_QUESTION_COUNT = 24

export const dashAnswerValues = ['yes', 'no', 'dont-know'] as const
export type DashAnswer = (typeof dashAnswerValues)[number]

export const riskLevels = ['standard', 'medium', 'high'] as const
export type RiskLevel = (typeof riskLevels)[number]

export type RiskBands = { readonly mediumFrom: number; readonly highFrom: number }

/** Standard 0-5, medium 6-13, high 14 and over (the SafeLives "visible high risk" line). */
export const DEFAULT_RISK_BANDS: RiskBands = { mediumFrom: 6, highFrom: 14 }

/** The risk level of a DASH score under `bands` (by default: 0-5 standard, 6-13 medium, 14+ high). */
export const riskLevelForScore = (score: number, bands: RiskBands = DEFAULT_RISK_BANDS): RiskLevel =>
  score >= bands.highFrom ? 'high' : score >= bands.mediumFrom ? 'medium' : 'standard'

export const dashScoreOf = (answers: readonly DashAnswer[]): number => {
  let score = 0
  for (const answer of answers) {
    if (answer === 'yes') {
      score++
    }
  }
  return score
}

/** 0-based indexes of questions the generator ties to known facts. */
export const DASH_INDEX = {
  separation: 5,
  childContact: 6,
  stalking: 7,
  pregnant: 8,
} as const

/** Relative chance that each question (1..24) is among the "yes" answers of a case. */
const YES_WEIGHTS: readonly number[] = [40, 85, 80, 50, 55, 70, 30, 55, 8, 65, 70, 75, 30, 45, 40, 30, 15, 30, 10, 40, 55, 35, 30, 60]

/** Questions about the perpetrator's history, which victims often cannot answer (more "don't know"). */
const PERPETRATOR_HISTORY: ReadonlySet<number> = new Set([17, 20, 21, 22, 23])

export type DashFacts = {
  /** Pregnant or a baby under one: question 9 is "yes". Otherwise it cannot be. */
  pregnantOrNewBaby: boolean
  /** No children: question 7 (child contact) cannot be "yes". */
  hasChildren: boolean
  /** Stalking flagged: question 8 is "yes". */
  stalking: boolean
  /** Separated from the perpetrator (ex-partner): question 6 is more likely. */
  separated: boolean
}

/** 24 answers with exactly `targetScore` "yes" answers where the facts allow (forced answers can raise it). */
export const generateDashAnswers = (rng: Rng, targetScore: number, facts: DashFacts): DashAnswer[] => {
  const answers: DashAnswer[] = new Array<DashAnswer>(DASH_QUESTION_COUNT).fill('no')
  const forced: number[] = []
  const blocked = new Set<number>()
  if (facts.pregnantOrNewBaby) {
    forced.push(DASH_INDEX.pregnant)
  } else {
    blocked.add(DASH_INDEX.pregnant)
  }
  if (facts.stalking) {
    forced.push(DASH_INDEX.stalking)
  }
  if (!facts.hasChildren) {
    blocked.add(DASH_INDEX.childContact)
  }
  for (const index of forced) {
    answers[index] = 'yes'
  }
  const wanted = Math.min(DASH_QUESTION_COUNT - blocked.size, Math.max(targetScore, forced.length)) - forced.length
  if (wanted > 0) {
    // Weighted sampling without replacement (Efraimidis-Spirakis keys u^(1/w)).
    const keyed: [number, number][] = []
    for (let index = 0; index < DASH_QUESTION_COUNT; index++) {
      if (blocked.has(index) || answers[index] === 'yes') {
        continue
      }
      let weight = YES_WEIGHTS[index] ?? 1
      if (index === DASH_INDEX.separation) {
        weight = facts.separated ? 160 : 25
      }
      keyed.push([Math.pow(rng.float(), 1 / weight), index])
    }
    keyed.sort((x, y) => y[0] - x[0] || x[1] - y[1])
    for (let k = 0; k < wanted && k < keyed.length; k++) {
      answers[(keyed[k] as [number, number])[1]] = 'yes'
    }
  }
  for (let index = 0; index < DASH_QUESTION_COUNT; index++) {
    if (answers[index] === 'no' && !blocked.has(index) && rng.chance(PERPETRATOR_HISTORY.has(index) ? 0.3 : 0.04)) {
      answers[index] = 'dont-know'
    }
  }
  return answers
}

/** The 24 answers keyed by the DASH question codes of src/domains/risk/dash.ts (for storing a risk assessment). */
export const dashAnswersByCode = (answers: readonly DashAnswer[]): Record<DashQuestionCode, DashAnswer> => {
  if (answers.length !== dashQuestionCodes.length) {
    throw new Error(`Expected ${dashQuestionCodes.length} DASH answers; got ${answers.length}`)
  }
  return Object.fromEntries(dashQuestionCodes.map((code, index) => [code, answers[index] as DashAnswer])) as Record<DashQuestionCode, DashAnswer>
}
