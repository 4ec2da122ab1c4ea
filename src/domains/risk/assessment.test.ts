import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { assessDash } from './assessment.ts'
import { dashQuestionCodes, type DashAnswers } from './dash.ts'

const profile = ((): PartnershipProfile => {
  const result = parseProfile(JSON.parse(readFileSync(new URL('../../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8')))
  if (!result.ok) throw new Error(result.errors.join('\n'))
  return result.profile
})()

const answersWith = (yes: number): DashAnswers =>
  Object.fromEntries(dashQuestionCodes.map((code, i) => [code, i < yes ? 'yes' : 'no']))
const assess = (yes: number, assessedOn: string, extra: Partial<Parameters<typeof assessDash>[0]> = {}, repeat = false) =>
  assessDash({ assessedOn, answers: answersWith(yes), ...extra }, profile, { isMaracRepeat: repeat })

describe('assessDash under the Cambridgeshire & Peterborough profile', () => {
  it('18 yes answers: high risk and MARAC-eligible on score (journey 1)', () => {
    const result = assess(18, '2026-11-22')
    expect(result).toMatchObject({ score: 18, band: 'high', level: 'high', maracThreshold: 17 })
    expect(result.eligibility.eligible).toBe(true)
    expect(result.eligibility.reasons.map(r => r.code)).toEqual(['score'])
  })

  it('15 in 2019 is MARAC-eligible (SafeLives 14), 15 in 2021 is not (17 from January 2020) (journey 5)', () => {
    expect(assess(15, '2019-06-01').eligibility.eligible).toBe(true)
    expect(assess(15, '2021-06-01').eligibility.eligible).toBe(false)
    expect(assess(15, '2021-06-01').eligibility.notMet[0]).toBe('DASH score 15 is below the MARAC threshold of 17 in force on 2021-06-01')
  })

  it('changes threshold between 31 December 2019 and 1 January 2020', () => {
    expect(assess(14, '2019-12-31').eligibility.eligible).toBe(true)
    expect(assess(13, '2019-12-31').eligibility.eligible).toBe(false)
    expect(assess(16, '2020-01-01').eligibility.eligible).toBe(false)
    expect(assess(17, '2020-01-01').eligibility.eligible).toBe(true)
  })

  it('puts 5/6 and 9/10 on either side of the band boundaries', () => {
    expect(assess(5, '2026-01-01').level).toBe('standard')
    expect(assess(6, '2026-01-01').level).toBe('medium')
    expect(assess(9, '2026-01-01').level).toBe('medium')
    expect(assess(10, '2026-01-01').level).toBe('high')
  })

  it('professional judgement makes the level high and the case eligible, and says so', () => {
    const result = assess(7, '2026-01-01', { professionalJudgementReason: 'Non-fatal strangulation last week' })
    expect(result.band).toBe('medium')
    expect(result.level).toBe('high')
    expect(result.levelExplanation).toContain('professional judgement')
    expect(result.eligibility.reasons.map(r => r.code)).toEqual(['professional-judgement'])
  })

  it('escalation counts from 3 police call-outs in 12 months (2 is not enough)', () => {
    expect(assess(4, '2026-01-01', { policeCallOuts12Months: 2 }).eligibility.eligible).toBe(false)
    expect(assess(4, '2026-01-01', { policeCallOuts12Months: 3 }).eligibility.reasons.map(r => r.code)).toEqual(['escalation'])
  })

  it('a repeat is eligible whatever the score', () => {
    expect(assess(0, '2026-01-01', {}, true).eligibility.reasons.map(r => r.code)).toEqual(['repeat'])
  })

  it('counts unanswered questions', () => {
    expect(assessDash({ assessedOn: '2026-01-01', answers: { 'very-frightened': 'yes' } }, profile, { isMaracRepeat: false }).unanswered).toBe(23)
  })
})
