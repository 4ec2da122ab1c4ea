import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { type EarlierReferral, engagementDefinitionInForce, idvaRepeatFinding, isIdvaRepeat, isWithinMonths, maracRepeatFinding, type IdvaReferralKey } from './rules.ts'

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

describe('repeats over linked people (clusters), with the evidence', () => {
  const earlier = (over: Partial<EarlierReferral>): EarlierReferral => ({
    kind: 'idva', source: 'referral', date: '2026-01-10', agencyName: 'Police', referralId: 'r1', victimCluster: 'V', perpetratorClusters: ['P'], ...over,
  })
  const now = { victimCluster: 'V', perpetratorClusters: ['P'], referralDate: '2027-01-10' }

  it('IDVA: same victim and perpetrator cluster, within the window of the latest earlier one (the anniversary counts)', () => {
    const imported = earlier({ source: 'import', date: '2026-03-01', referralId: null, agencyName: 'Refuge provider' })
    const found = idvaRepeatFinding(now, [earlier({}), imported], 12)
    expect(found).toEqual({ repeat: true, last: imported, windowMonths: 12 })
    expect(idvaRepeatFinding({ ...now, referralDate: '2027-03-01' }, [imported], 12).repeat).toBe(true)
    expect(idvaRepeatFinding({ ...now, referralDate: '2027-03-02' }, [imported], 12)).toMatchObject({ repeat: false, last: imported })
  })

  it('IDVA: not for another victim cluster, another perpetrator, the same day, a later referral, or a MARAC record', () => {
    expect(idvaRepeatFinding(now, [earlier({ victimCluster: 'W' })], 12)).toEqual({ repeat: false, last: null, windowMonths: 12 })
    expect(idvaRepeatFinding(now, [earlier({ perpetratorClusters: ['Q'] })], 12).repeat).toBe(false)
    expect(idvaRepeatFinding(now, [earlier({ perpetratorClusters: [] })], 12).repeat).toBe(false)
    expect(idvaRepeatFinding(now, [earlier({ date: '2027-01-10' })], 12).repeat).toBe(false)
    expect(idvaRepeatFinding(now, [earlier({ date: '2027-02-10' })], 12).repeat).toBe(false)
    expect(idvaRepeatFinding(now, [earlier({ kind: 'marac' })], 12).repeat).toBe(false)
    // any one of several perpetrators is enough
    expect(idvaRepeatFinding({ ...now, perpetratorClusters: ['Q', 'P'] }, [earlier({ perpetratorClusters: ['P', 'R'] })], 12).repeat).toBe(true)
  })

  it('MARAC: the victim cluster\'s latest earlier MARAC, app or imported, within the window', () => {
    const marac = earlier({ kind: 'marac', source: 'import', date: '2026-06-30', perpetratorClusters: [] })
    expect(maracRepeatFinding(now, [marac, earlier({ kind: 'marac', source: 'marac-case', date: '2025-12-01' })], 12)).toEqual({ repeat: true, last: marac, windowMonths: 12 })
    expect(maracRepeatFinding({ ...now, referralDate: '2027-07-01' }, [marac], 12).repeat).toBe(false)
    expect(maracRepeatFinding(now, [earlier({})], 12).repeat).toBe(false)
    expect(maracRepeatFinding(now, [{ ...marac, victimCluster: 'W' }], 12).last).toBeNull()
  })

  it('refuses dates that are not real and windows that are not whole months', () => {
    expect(() => idvaRepeatFinding({ ...now, referralDate: '2027-02-30' }, [], 12)).toThrow(/real date/)
    expect(() => maracRepeatFinding(now, [earlier({ date: '10/01/2026' })], 12)).toThrow(/real date/)
    expect(() => idvaRepeatFinding(now, [], 0)).toThrow(RangeError)
  })
})
