import { describe, expect, it } from 'vitest'
import { lawfulBasisProblem, referralInputSchema } from './input.ts'
import { draftToInput, missingSections, readChild, readDetails, readRisk, stepForField, type DraftAnswers } from './steps.ts'

describe('lawfulBasisProblem', () => {
  it('accepts any basis with consent, and refuses consent as the basis without it', () => {
    expect(lawfulBasisProblem('given', 'consent')).toBeNull()
    expect(lawfulBasisProblem('given', 'vital-interests')).toBeNull()
    expect(lawfulBasisProblem('not-given', 'consent')).toMatch(/consent cannot be the lawful basis/)
    expect(lawfulBasisProblem('not-asked', 'consent')).toMatch(/consent cannot be the lawful basis/)
    expect(lawfulBasisProblem('not-given', 'public-task')).toBeNull()
    expect(lawfulBasisProblem('given', undefined)).toMatch(/Select the lawful basis/)
  })
})

const complete: DraftAnswers = {
  victim: { givenName: 'Ana', familyName: 'Synthetic', dateOfBirth: '1990-01-02', postcode: 'CB1 2AB' },
  victimMatch: { decided: true, linkToPersonId: '11111111-1111-4111-8111-111111111111', linkedName: 'Ana Synthetic' },
  about: { ethnicity: 'white-british', disability: ['none'], additionalNeeds: true },
  perpetrators: [{ givenName: 'Tom', familyName: 'Synthetic', relationship: 'intimate-partner', match: { decided: true } }],
  perpetratorsDone: true,
  children: [],
  childrenDone: true,
  details: { referralDate: '2026-11-20', referralSource: 'police', stalking: false, consent: 'not-given', lawfulBasis: 'vital-interests' },
  safeContact: { held: true, safeNumber: '07700 900123', noVoicemail: true, neverWriteHome: false },
  risk: { assessedOn: '2026-11-20', answers: { 'very-frightened': 'yes' }, comments: {} },
}

describe('draftToInput', () => {
  it('makes the same referral the API takes, with links, equality information and safe contact', () => {
    const parsed = referralInputSchema.parse(draftToInput(complete))
    expect(parsed.victim).toMatchObject({ givenName: 'Ana', ethnicity: 'white-british', additionalNeeds: true, linkToPersonId: '11111111-1111-4111-8111-111111111111' })
    expect(parsed.perpetrators[0]).toMatchObject({ relationship: 'intimate-partner' })
    expect(parsed.perpetrators[0]!.linkToPersonId).toBeUndefined()
    expect(parsed.safeContact).toMatchObject({ safeNumber: '07700 900123', noVoicemail: true })
  })
  it('keeps contact rules even when no safe number is held', () => {
    const input = draftToInput({ ...complete, safeContact: { held: false, noVoicemail: true, neverWriteHome: true } }) as { safeContact: unknown }
    expect(input.safeContact).toEqual({ noVoicemail: true, neverWriteHome: true })
  })
  it('lists the sections still to answer', () => {
    expect(missingSections(complete)).toEqual([])
    expect(missingSections({ victim: complete.victim })).toEqual(['perpetrators', 'children', 'details', 'safe-contact', 'risk'])
  })
  it('sends each problem back to the page that asks it', () => {
    expect(stepForField('victim.givenName')).toBe('victim')
    expect(stepForField('victim.ethnicity')).toBe('about-victim')
    expect(stepForField('details.lawfulBasis')).toBe('details')
    expect(stepForField('risk.answers')).toBe('risk')
  })
})

describe('reading the question pages', () => {
  const today = '2026-11-22'
  it('a born child cannot have a date of birth in the future, an unborn child must be expected in the future', () => {
    expect(readChild({ born: 'yes', 'childDate-day': '23', 'childDate-month': '11', 'childDate-year': '2026', livesInHousehold: 'yes' }, today).problems[0]?.message).toMatch(/must be in the past/)
    expect(readChild({ born: 'no', 'childDate-day': '21', 'childDate-month': '11', 'childDate-year': '2026', livesInHousehold: 'yes' }, today).problems[0]?.message).toMatch(/must be in the future/)
    expect(readChild({ born: 'no', 'childDate-day': '23', 'childDate-month': '11', 'childDate-year': '2026', livesInHousehold: 'yes' }, today).values).toMatchObject({ unborn: true, dateOfBirth: '2026-11-23' })
  })
  it('the referral date may be today, not tomorrow', () => {
    const form = { referralSource: 'police', stalking: 'no', consent: 'given', lawfulBasis: 'consent' }
    expect(readDetails({ ...form, 'referralDate-day': '22', 'referralDate-month': '11', 'referralDate-year': '2026' }, today).problems).toEqual([])
    expect(readDetails({ ...form, 'referralDate-day': '23', 'referralDate-month': '11', 'referralDate-year': '2026' }, today).problems[0]?.field).toBe('referralDate-day')
  })
  it('the DASH page needs every question answered and a reason for professional judgement', () => {
    const read = readRisk({ 'assessedOn-day': '1', 'assessedOn-month': '11', 'assessedOn-year': '2026', 'answer-very-frightened': 'yes', judgement: 'yes' }, today)
    expect(read.problems.filter(p => p.field.startsWith('answer-'))).toHaveLength(23)
    expect(read.problems.map(p => p.field)).toContain('professionalJudgementReason')
    expect(read.values.answers).toEqual({ 'very-frightened': 'yes' })
  })
})
