import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { dashAnswersSchema, dashQuestionCodes, dashQuestions, type DashAnswers } from './dash.ts'
import { dashRiskBand, dashScore, maracEligibility } from './rules.ts'

const loadProfile = (name: string): PartnershipProfile => {
  const result = parseProfile(JSON.parse(readFileSync(new URL(`../../../profiles/${name}.json`, import.meta.url), 'utf8')))
  if (!result.ok) {
    throw new Error(result.errors.join('\n'))
  }
  return result.profile
}
const cambs = loadProfile('cambridgeshire-peterborough')
const fictional = loadProfile('fictional-test')

/** Answers with the first `yes` questions answered yes, the next `dontKnow` don't know, and the rest no. */
const answersWith = (yes: number, dontKnow = 0): DashAnswers =>
  Object.fromEntries(dashQuestionCodes.map((code, i) => [code, i < yes ? 'yes' : i < yes + dontKnow ? 'dont-know' : 'no']))

describe('dashQuestions', () => {
  it('has the 24 questions numbered 1 to 24 with unique codes', () => {
    expect(dashQuestions.map(q => q.number)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
    expect(new Set(dashQuestionCodes).size).toBe(24)
    expect(dashQuestions.find(q => q.number === 15)?.code).toBe('strangling-choking-suffocating-drowning')
    expect(dashQuestions.every(q => q.text.length > 10)).toBe(true)
  })

  it('dashAnswersSchema accepts known codes and answers only', () => {
    expect(dashAnswersSchema.safeParse({ 'threats-to-kill': 'yes', 'very-frightened': 'dont-know' }).success).toBe(true)
    expect(dashAnswersSchema.safeParse({ 'threats-to-kill': 'maybe' }).success).toBe(false)
    expect(dashAnswersSchema.safeParse({ 'not-a-question': 'yes' }).success).toBe(false)
  })
})

describe('dashScore', () => {
  it('counts only yes answers', () => {
    expect(dashScore(answersWith(18))).toBe(18)
    expect(dashScore(answersWith(5, 19))).toBe(5)
    expect(dashScore(answersWith(0, 24))).toBe(0)
    expect(dashScore(answersWith(24))).toBe(24)
    expect(dashScore({})).toBe(0)
    expect(dashScore({ 'current-injury': 'yes', 'threats-to-kill': 'yes', 'hurt-animals': 'no' })).toBe(2)
  })

  it('refuses unknown question codes and answers rather than scoring them as no', () => {
    expect(() => dashScore({ 'made-up': 'yes' } as DashAnswers)).toThrow('"made-up" is not a DASH question code')
    expect(() => dashScore({ 'threats-to-kill': 'Y' } as unknown as DashAnswers)).toThrow(/answers are yes, no or dont-know/)
  })
})

describe('dashRiskBand under the Cambridgeshire & Peterborough bands', () => {
  it.each([
    [0, 'standard'],
    [5, 'standard'],
    [6, 'medium'],
    [9, 'medium'],
    [10, 'high'],
    [11, 'high'],
    [24, 'high'],
  ] as const)('score %i is %s', (score, level) => {
    expect(dashRiskBand(score, cambs, '2021-06-01')).toBe(level)
  })

  it('18 yes answers is high risk', () => {
    expect(dashRiskBand(dashScore(answersWith(18)), cambs, '2022-01-10')).toBe('high')
  })

  it('refuses scores outside 0-24 and dates before any bands', () => {
    expect(() => dashRiskBand(25, cambs, '2021-06-01')).toThrow('A DASH score must be a whole number from 0 to 24; got 25')
    expect(() => dashRiskBand(-1, cambs, '2021-06-01')).toThrow(RangeError)
    expect(() => dashRiskBand(3.5, cambs, '2021-06-01')).toThrow(RangeError)
    expect(() => dashRiskBand(3, cambs, '2008-12-31')).toThrow('No set of DASH risk bands is in force on 2008-12-31')
  })
})

describe('dashRiskBand reads the bands in force on the date', () => {
  it('uses the fictional profile\'s bands either side of its 2023-04-01 change', () => {
    expect(dashRiskBand(13, fictional, '2023-03-31')).toBe('medium')
    expect(dashRiskBand(13, fictional, '2023-04-01')).toBe('high')
    expect(dashRiskBand(8, fictional, '2023-03-31')).toBe('standard')
    expect(dashRiskBand(8, fictional, '2023-04-01')).toBe('medium')
  })
})

describe('maracEligibility under the Cambridgeshire & Peterborough profile', () => {
  it('score 15 dated 2019-06-01 is eligible (threshold 14 before 2020)', () => {
    expect(maracEligibility({ score: 15, assessedOn: '2019-06-01' }, cambs)).toEqual({
      eligible: true,
      reasons: [{ code: 'score', text: 'DASH score 15 meets the MARAC threshold of 14 in force on 2019-06-01' }],
      notMet: [],
    })
  })

  it('score 15 on 2021-06-01 is not eligible (threshold 17 from 2020)', () => {
    expect(maracEligibility({ score: 15, assessedOn: '2021-06-01' }, cambs)).toEqual({
      eligible: false,
      reasons: [],
      notMet: ['DASH score 15 is below the MARAC threshold of 17 in force on 2021-06-01'],
    })
  })

  it('score 17 on 2021-06-01 is eligible, and 16 is not', () => {
    expect(maracEligibility({ score: 17, assessedOn: '2021-06-01' }, cambs).eligible).toBe(true)
    expect(maracEligibility({ score: 16, assessedOn: '2021-06-01' }, cambs).eligible).toBe(false)
  })

  it('says which threshold applied', () => {
    expect(maracEligibility({ score: 18, assessedOn: '2021-03-01' }, cambs).reasons).toEqual([
      { code: 'score', text: 'DASH score 18 meets the MARAC threshold of 17 in force on 2021-03-01' },
    ])
  })

  it('changes threshold between 2019-12-31 and 2020-01-01', () => {
    expect(maracEligibility({ score: 14, assessedOn: '2019-12-31' }, cambs).eligible).toBe(true)
    expect(maracEligibility({ score: 14, assessedOn: '2020-01-01' }, cambs).eligible).toBe(false)
    expect(maracEligibility({ score: 13, assessedOn: '2019-12-31' }, cambs).eligible).toBe(false)
  })

  it('professional judgement makes a low score eligible, with the reason', () => {
    const result = maracEligibility(
      { score: 9, assessedOn: '2021-06-01', professionalJudgement: { reason: 'non-fatal strangulation and separation' } },
      cambs,
    )
    expect(result.eligible).toBe(true)
    expect(result.reasons).toEqual([
      { code: 'professional-judgement', text: 'Referred on professional judgement: non-fatal strangulation and separation' },
    ])
    expect(result.notMet).toEqual(['DASH score 9 is below the MARAC threshold of 17 in force on 2021-06-01'])
  })

  it('refuses professional judgement without a reason', () => {
    expect(() => maracEligibility({ score: 9, assessedOn: '2021-06-01', professionalJudgement: { reason: '  ' } }, cambs)).toThrow(
      /needs a reason/,
    )
  })

  it('escalation counts at the threshold (3) and not below it', () => {
    expect(maracEligibility({ score: 4, assessedOn: '2021-06-01', escalation: { policeCallOutsIn12Months: 3 } }, cambs).reasons).toEqual([
      { code: 'escalation', text: '3 police call-outs in the last 12 months meets the escalation threshold of 3 in force on 2021-06-01' },
    ])
    const below = maracEligibility({ score: 4, assessedOn: '2021-06-01', escalation: { policeCallOutsIn12Months: 2 } }, cambs)
    expect(below.eligible).toBe(false)
    expect(below.notMet).toContain('2 police call-outs in the last 12 months is below the escalation threshold of 3 in force on 2021-06-01')
  })

  it('uses the escalation threshold from the profile (5 in the fictional one)', () => {
    expect(maracEligibility({ score: 0, assessedOn: '2024-01-01', escalation: { policeCallOutsIn12Months: 4 } }, fictional).eligible).toBe(false)
    expect(maracEligibility({ score: 0, assessedOn: '2024-01-01', escalation: { policeCallOutsIn12Months: 5 } }, fictional).eligible).toBe(true)
  })

  it('a repeat is eligible whatever the score', () => {
    const result = maracEligibility({ score: 2, assessedOn: '2022-02-01', isMaracRepeat: true }, cambs)
    expect(result.eligible).toBe(true)
    expect(result.reasons.map(r => r.code)).toEqual(['repeat'])
    expect(maracEligibility({ score: 2, assessedOn: '2022-02-01', isMaracRepeat: false }, cambs).eligible).toBe(false)
  })

  it('lists every criterion met, in order', () => {
    const result = maracEligibility(
      {
        score: 20,
        assessedOn: '2022-02-01',
        professionalJudgement: { reason: 'threats to kill' },
        escalation: { policeCallOutsIn12Months: 6 },
        isMaracRepeat: true,
      },
      cambs,
    )
    expect(result.reasons.map(r => r.code)).toEqual(['score', 'professional-judgement', 'escalation', 'repeat'])
  })

  it('refuses bad scores and dates', () => {
    expect(() => maracEligibility({ score: 30, assessedOn: '2021-06-01' }, cambs)).toThrow(RangeError)
    expect(() => maracEligibility({ score: 10, assessedOn: '01/06/2021' }, cambs)).toThrow(/assessedOn must be a real date/)
  })
})
