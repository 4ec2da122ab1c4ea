import { describe, expect, it } from 'vitest'
import type { EngagementDefinition } from '../partnership/profile.ts'
import { compareOutcomes, contactProblem, engagementOutcome, noSafeContactRules, safeContactRuleTexts } from './caseworkRules.ts'

describe('safe contact rules', () => {
  const strict = { held: true, noVoicemail: true, neverWriteHome: true }
  it('blocks a voicemail when the rules say no voicemail', () => {
    expect(contactProblem(strict, 'voicemail')).toMatch(/no voicemail/)
    expect(contactProblem({ ...strict, noVoicemail: false }, 'voicemail')).toBeNull()
  })
  it('blocks a letter to the home address when the rules say never write home', () => {
    expect(contactProblem(strict, 'letter-home')).toMatch(/never write to the home address/)
    expect(contactProblem(strict, 'letter-safe-address')).toBeNull()
    expect(contactProblem({ ...strict, neverWriteHome: false }, 'letter-home')).toBeNull()
  })
  it('allows every method when no rules are held', () => {
    for (const method of ['voicemail', 'letter-home', 'phone-call']) expect(contactProblem(noSafeContactRules, method)).toBeNull()
  })
  it('states the rules in plain English', () => {
    expect(safeContactRuleTexts(strict)).toEqual(['Do not leave voicemail messages.', 'Never write to the home address.'])
    expect(safeContactRuleTexts(noSafeContactRules)).toEqual([])
  })
})

describe('engagementOutcome', () => {
  const before: EngagementDefinition = {
    effectiveFrom: '2009-01-01', effectiveTo: '2022-03-31', code: 'engaged-with-service', text: 'Engages with the service',
    qualifyingActivities: ['safe-contact-and-support-accepted'],
  }
  const from2022: EngagementDefinition = {
    effectiveFrom: '2022-04-01', code: 'accepted-advice', text: 'Accepts information and advice, safety planning or MARAC feedback',
    qualifyingActivities: ['information-and-advice', 'safety-planning', 'marac-feedback'],
  }
  it('is engaged with at least one qualifying activity of the definition in force', () => {
    expect(engagementOutcome(from2022, ['safety-planning'])).toMatchObject({ engaged: true, activities: ['safety-planning'] })
    expect(engagementOutcome(before, ['safe-contact-and-support-accepted']).engaged).toBe(true)
  })
  it('is not engaged with none', () => {
    expect(engagementOutcome(from2022, [])).toMatchObject({ engaged: false, activities: [] })
  })
  it('refuses an activity the definition in force does not count', () => {
    expect(engagementOutcome(before, ['safety-planning']).problem).toMatch(/does not count under the engagement definition in force/)
  })
})

describe('compareOutcomes', () => {
  it('shows which abuse stopped, continued or started, and the change in quality of life', () => {
    const result = compareOutcomes(
      { abuse: ['physical', 'jealous-controlling', 'harassment-stalking'], feelsSafe: 'no', qualityOfLife: 3 },
      { abuse: ['jealous-controlling', 'sexual'], feelsSafer: 'yes', qualityOfLife: 7 },
    )
    expect(result.stopped).toEqual(['Physical abuse', 'Harassment and stalking'])
    expect(result.abuse.find(a => a.code === 'jealous-controlling')?.result).toBe('continued')
    expect(result.abuse.find(a => a.code === 'sexual')?.result).toBe('started')
    expect(result.qualityOfLife).toEqual({ intake: 3, exit: 7, change: 4 })
    expect(result.feelsSafer).toBe('yes')
  })
  it('has no quality-of-life change when either end is missing', () => {
    expect(compareOutcomes({ abuse: [], feelsSafe: 'not-known', qualityOfLife: null }, { abuse: [], feelsSafer: 'no', qualityOfLife: 5 }).qualityOfLife.change).toBeNull()
  })
})
