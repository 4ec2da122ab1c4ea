import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { engagementDefinitionInForce, isIdvaRepeat, isWithinMonths, type IdvaReferralKey } from './rules.ts'

const loadProfile = (name: string): PartnershipProfile => {
  const result = parseProfile(JSON.parse(readFileSync(new URL(`../../../profiles/${name}.json`, import.meta.url), 'utf8')))
  if (!result.ok) {
    throw new Error(result.errors.join('\n'))
  }
  return result.profile
}
const cambs = loadProfile('cambridgeshire-peterborough')

const referral = (referralDate: string, victimId = 'v1', perpetratorId: string | null = 'p1'): IdvaReferralKey => ({
  victimId,
  perpetratorId,
  referralDate,
})

describe('isWithinMonths', () => {
  it('counts the same day N months later as within, and the day after as not', () => {
    expect(isWithinMonths('2021-03-01', '2022-03-01', 12)).toBe(true)
    expect(isWithinMonths('2021-03-01', '2022-03-02', 12)).toBe(false)
    expect(isWithinMonths('2021-01-31', '2021-02-28', 1)).toBe(true)
    expect(isWithinMonths('2021-01-31', '2021-03-01', 1)).toBe(false)
    expect(isWithinMonths('2022-03-01', '2021-03-01', 12)).toBe(false)
  })
})

describe('isIdvaRepeat', () => {
  it('is a repeat exactly 12 months after the last referral (2021-03-01 -> 2022-03-01)', () => {
    expect(isIdvaRepeat(referral('2022-03-01'), [referral('2021-03-01')], 12)).toBe(true)
  })

  it('is not a repeat one day later (2021-03-01 -> 2022-03-02)', () => {
    expect(isIdvaRepeat(referral('2022-03-02'), [referral('2021-03-01')], 12)).toBe(false)
  })

  it('needs the same victim AND the same perpetrator', () => {
    expect(isIdvaRepeat(referral('2021-06-01'), [referral('2021-03-01', 'v1', 'p2')], 12)).toBe(false)
    expect(isIdvaRepeat(referral('2021-06-01'), [referral('2021-03-01', 'v2', 'p1')], 12)).toBe(false)
    expect(isIdvaRepeat(referral('2021-06-01', 'v1', null), [referral('2021-03-01', 'v1', null)], 12)).toBe(false)
    expect(isIdvaRepeat(referral('2021-06-01'), [referral('2021-03-01', 'v1', null)], 12)).toBe(false)
  })

  it("measures from the pair's LAST earlier referral", () => {
    const history = [referral('2019-01-01'), referral('2021-05-01'), referral('2020-01-01'), referral('2021-01-01', 'v1', 'p2')]
    expect(isIdvaRepeat(referral('2022-05-01'), history, 12)).toBe(true)
    expect(isIdvaRepeat(referral('2022-05-02'), history, 12)).toBe(false)
  })

  it('ignores referrals on the same day (including the new one) and later ones', () => {
    expect(isIdvaRepeat(referral('2022-03-01'), [referral('2022-03-01')], 12)).toBe(false)
    expect(isIdvaRepeat(referral('2022-03-01'), [referral('2022-04-01')], 12)).toBe(false)
    expect(isIdvaRepeat(referral('2022-03-01'), [], 12)).toBe(false)
  })

  it('uses the window it is given', () => {
    expect(isIdvaRepeat(referral('2021-06-01'), [referral('2021-03-01')], 3)).toBe(true)
    expect(isIdvaRepeat(referral('2021-06-02'), [referral('2021-03-01')], 3)).toBe(false)
  })

  it('refuses bad dates and windows', () => {
    expect(() => isIdvaRepeat(referral('2022-02-30'), [], 12)).toThrow(/real date/)
    expect(() => isIdvaRepeat(referral('2022-02-01'), [referral('1/2/2021')], 12)).toThrow(/real date/)
    expect(() => isIdvaRepeat(referral('2022-02-01'), [], 0)).toThrow(RangeError)
  })
})

describe('engagementDefinitionInForce', () => {
  it('uses the old definition up to 2022-03-31 and the April 2022 definition from 2022-04-01', () => {
    const before = engagementDefinitionInForce(cambs, '2022-03-31')
    expect(before.code).toBe('engaged-with-service')
    expect(before.targetPercent).toBe(75)
    const after = engagementDefinitionInForce(cambs, '2022-04-01')
    expect(after.code).toBe('accepted-advice-safety-planning-or-marac-feedback')
    expect(after.qualifyingActivities).toEqual(['information-and-advice', 'safety-planning', 'marac-feedback'])
    expect(after.targetPercent).toBeUndefined()
  })

  it('names the date when no definition is in force', () => {
    expect(() => engagementDefinitionInForce(cambs, '2000-01-01')).toThrow('No engagement definition is in force on 2000-01-01')
  })
})
