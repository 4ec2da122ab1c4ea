import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile, type PartnershipProfile } from '../partnership/profile.ts'
import { caseloadAgainstCapacity, decodeCaseListCursor, encodeCaseListCursor, suggestIdvaTeam, type IdvaTeamInput } from './rules.ts'

const loadProfile = (name: string): PartnershipProfile => {
  const result = parseProfile(JSON.parse(readFileSync(new URL(`../../../profiles/${name}.json`, import.meta.url), 'utf8')))
  if (!result.ok) {
    throw new Error(result.errors.join('\n'))
  }
  return result.profile
}
const cambs = loadProfile('cambridgeshire-peterborough')
const fictional = loadProfile('fictional-test')

/** A referral that fits no specialist team: an adult White British woman, partner abuse, medium risk. */
const base: IdvaTeamInput = {
  age: 34,
  onDate: '2022-09-01',
  sex: 'female',
  nationality: 'GB',
  ethnicity: 'white-british',
  additionalNeeds: false,
  referringAgencyKind: 'police',
  stalking: false,
  relationship: 'intimate-partner',
  riskLevel: 'medium',
  districtCode: 'fenland',
}
const suggest = (changes: Partial<IdvaTeamInput>, profile = cambs) => suggestIdvaTeam({ ...base, ...changes }, profile)
const teamFor = (changes: Partial<IdvaTeamInput>, profile = cambs) => suggest(changes, profile)?.teamCode ?? null

describe('suggestIdvaTeam: the Cambridgeshire & Peterborough teams', () => {
  it('suggests nothing for a medium-risk referral that fits no specialist team', () => {
    expect(suggest({})).toBeNull()
  })

  it('sends high risk to the team for the victim\'s district', () => {
    expect(teamFor({ riskLevel: 'high' })).toBe('high-risk-idva-fenland')
    expect(teamFor({ riskLevel: 'high', districtCode: 'peterborough' })).toBe('high-risk-idva-peterborough')
    expect(teamFor({ riskLevel: 'high', districtCode: 'south-cambridgeshire' })).toBe('high-risk-idva-south-cambridgeshire')
    expect(teamFor({ riskLevel: 'high', districtCode: null })).toBeNull()
    expect(teamFor({ riskLevel: 'high', districtCode: 'norwich' })).toBeNull()
  })

  it('explains the suggestion', () => {
    expect(suggest({ riskLevel: 'high' })).toEqual({
      teamCode: 'high-risk-idva-fenland',
      teamName: 'High-risk IDVA team (Fenland)',
      reason: 'High-risk IDVA team (Fenland): high risk; lives in Fenland',
    })
  })

  describe('Young People (13-19, or up to 24 with additional needs, own intimate relationship)', () => {
    it.each([
      [12, false, null],
      [13, false, 'yp-idva-cambridgeshire'],
      [19, false, 'yp-idva-cambridgeshire'],
      [20, false, null],
      [20, true, 'yp-idva-cambridgeshire'],
      [24, true, 'yp-idva-cambridgeshire'],
      [25, true, null],
    ] as const)('age %i, additional needs %s -> %s', (age, additionalNeeds, team) => {
      expect(teamFor({ age, additionalNeeds })).toBe(team)
    })

    it('works out the age from the date of birth on the referral date', () => {
      const dob = { age: undefined, dateOfBirth: '2002-09-02' }
      expect(teamFor({ ...dob, onDate: '2022-09-01' })).toBe('yp-idva-cambridgeshire') // still 19
      expect(teamFor({ ...dob, onDate: '2022-09-02' })).toBeNull() // 20 today
      expect(() => suggest({ ...dob, onDate: undefined })).toThrow(/onDate is needed/)
    })

    it('splits by area and needs an intimate relationship', () => {
      expect(teamFor({ age: 16, districtCode: 'peterborough' })).toBe('yp-idva-peterborough')
      expect(teamFor({ age: 16, relationship: 'former-intimate-partner' })).toBe('yp-idva-cambridgeshire')
      expect(teamFor({ age: 16, relationship: 'parent-to-child' })).toBeNull()
    })

    it('gives the reason with the age band used', () => {
      expect(suggest({ age: 22, additionalNeeds: true })?.reason).toBe(
        "Young People's IDVA (Cambridgeshire): aged 22 with additional needs, within 13-24; relationship: intimate partner; lives in Fenland",
      )
    })
  })

  it('A8 nationalities go to the A8 IDVA for their area; others do not', () => {
    for (const nationality of ['PL', 'LT', 'LV', 'EE', 'CZ', 'SK', 'HU', 'SI']) {
      expect(teamFor({ nationality, ethnicity: 'white-other' })).toBe('a8-idva-cambridgeshire')
    }
    expect(teamFor({ nationality: 'lt', ethnicity: 'white-other', districtCode: 'peterborough' })).toBe('a8-idva-peterborough')
    expect(teamFor({ nationality: 'RO', ethnicity: 'white-other' })).toBeNull()
    expect(teamFor({ nationality: null })).toBeNull()
  })

  it('Male Victims IDVA: identifies as a man, from November 2021', () => {
    expect(teamFor({ sex: 'male', genderIdentity: 'man', onDate: '2021-11-01' })).toBe('male-victims-idva')
    expect(teamFor({ sex: 'male', genderIdentity: 'man', onDate: '2021-10-31' })).toBeNull()
    expect(teamFor({ sex: 'male', onDate: '2021-10-31', riskLevel: 'high' })).toBe('high-risk-idva-fenland')
    expect(() => suggest({ sex: 'male', onDate: undefined })).toThrow(/onDate is needed: team "male-victims-idva"/)
  })

  it('Male Victims IDVA goes by gender identity, with recorded sex standing in only when it is not recorded', () => {
    expect(suggest({ sex: 'female', genderIdentity: 'man' })?.reason).toBe('Male Victims IDVA: gender identity: man')
    expect(teamFor({ sex: 'male', genderIdentity: 'woman' })).toBeNull()
    expect(teamFor({ sex: 'male', genderIdentity: 'non-binary' })).toBeNull()
    expect(suggest({ sex: 'male' })?.reason).toBe('Male Victims IDVA: recorded as male (gender identity not recorded)')
    expect(teamFor({ sex: 'male', genderIdentity: 'declined' })).toBe('male-victims-idva')
    expect(teamFor({ sex: 'not-known', genderIdentity: 'not-known' })).toBeNull()
  })

  it('BAME IDVA: any recorded ethnicity except the White groups', () => {
    expect(teamFor({ ethnicity: 'asian-pakistani' })).toBe('bame-idva')
    expect(teamFor({ ethnicity: 'black-african' })).toBe('bame-idva')
    expect(teamFor({ ethnicity: 'mixed-white-asian' })).toBe('bame-idva')
    expect(teamFor({ ethnicity: 'other-arab' })).toBe('bame-idva')
    for (const white of ['white-british', 'white-irish', 'white-gypsy-irish-traveller', 'white-roma', 'white-other'] as const) {
      expect(teamFor({ ethnicity: white })).toBeNull()
    }
    expect(teamFor({ ethnicity: null })).toBeNull()
    expect(teamFor({ ethnicity: 'not-known' })).toBeNull()
    expect(teamFor({ ethnicity: 'declined' })).toBeNull()
  })

  it('Health and Housing IDVAs by referring agency kind and area', () => {
    expect(teamFor({ referringAgencyKind: 'health' })).toBe('health-idva-cambridgeshire')
    expect(teamFor({ referringAgencyKind: 'health', districtCode: 'peterborough' })).toBe('health-idva-peterborough')
    expect(teamFor({ referringAgencyKind: 'housing' })).toBe('housing-idva-cambridgeshire')
    expect(teamFor({ referringAgencyKind: 'housing', districtCode: 'peterborough' })).toBe('housing-idva-peterborough')
    expect(teamFor({ referringAgencyKind: 'children-social-care' })).toBeNull()
  })

  it('Stalking and Child to Parent Abuse IDVAs', () => {
    expect(teamFor({ stalking: true })).toBe('stalking-idva')
    expect(teamFor({ age: 52, relationship: 'child-to-parent' })).toBe('cpa-idva')
  })

  it('takes the first matching team in the profile order', () => {
    // A 17-year-old Polish young woman, referred by health, stalked, high risk: Young People first.
    const everything: Partial<IdvaTeamInput> = { age: 17, nationality: 'PL', referringAgencyKind: 'health', stalking: true, riskLevel: 'high' }
    expect(teamFor(everything)).toBe('yp-idva-cambridgeshire')
    expect(teamFor({ ...everything, age: 30 })).toBe('stalking-idva')
    expect(teamFor({ ...everything, age: 30, stalking: false })).toBe('a8-idva-cambridgeshire')
    expect(teamFor({ ...everything, age: 30, stalking: false, nationality: 'GB' })).toBe('health-idva-cambridgeshire')
    expect(teamFor({ ...everything, age: 30, stalking: false, nationality: 'GB', referringAgencyKind: 'police' })).toBe(
      'high-risk-idva-fenland',
    )
  })

  it('reads the order from the profile, not from code', () => {
    const reordered: PartnershipProfile = { ...cambs, teams: [...cambs.teams].reverse() }
    expect(teamFor({ age: 17, riskLevel: 'high' }, reordered)).toBe('high-risk-idva-fenland')
  })

  it('refuses a bad age or date', () => {
    expect(() => suggest({ age: -1 })).toThrow(RangeError)
    expect(() => suggest({ onDate: '2022-02-30' })).toThrow(/onDate must be a real date/)
  })
})

describe('suggestIdvaTeam: the fictional profile', () => {
  it('uses the fictional teams and districts', () => {
    expect(teamFor({ riskLevel: 'high', districtCode: 'upper-dale' }, fictional)).toBe('high-risk-north')
    expect(teamFor({ riskLevel: 'high', districtCode: 'castlebridge' }, fictional)).toBe('high-risk-castlebridge')
    expect(teamFor({ referringAgencyKind: 'health', districtCode: 'northmoor' }, fictional)).toBeNull()
    expect(teamFor({ referringAgencyKind: 'health', districtCode: 'castlebridge' }, fictional)).toBe('health-idva')
  })
})

describe('caseloadAgainstCapacity', () => {
  it('is within capacity at exactly capacity, and over one case above it', () => {
    expect(caseloadAgainstCapacity(100, 1)).toEqual({
      cases: 100,
      capacity: 100,
      percentOfCapacity: 100,
      overCapacity: false,
      text: '100 cases in the last 12 months against a capacity of 100 (1 FTE at 100 a year): 100% of capacity',
    })
    expect(caseloadAgainstCapacity(101, 1).overCapacity).toBe(true)
    expect(caseloadAgainstCapacity(101, 1).percentOfCapacity).toBe(101)
  })

  it('handles part-time posts and a different capacity per FTE', () => {
    const yp = caseloadAgainstCapacity(230, 2.3)
    expect(yp.capacity).toBe(230)
    expect(yp.overCapacity).toBe(false)
    expect(caseloadAgainstCapacity(231, 2.3).overCapacity).toBe(true)
    expect(caseloadAgainstCapacity(90, 1, 80)).toMatchObject({ capacity: 80, percentOfCapacity: 112.5, overCapacity: true })
    expect(caseloadAgainstCapacity(1001, 10).percentOfCapacity).toBe(100.1)
  })

  it('reports no capacity for 0 FTE', () => {
    expect(caseloadAgainstCapacity(3, 0)).toEqual({
      cases: 3,
      capacity: 0,
      percentOfCapacity: null,
      overCapacity: true,
      text: '3 cases in the last 12 months with no funded capacity (0 FTE)',
    })
    expect(caseloadAgainstCapacity(0, 0).overCapacity).toBe(false)
  })

  it('refuses negative or non-whole inputs', () => {
    expect(() => caseloadAgainstCapacity(-1, 1)).toThrow(RangeError)
    expect(() => caseloadAgainstCapacity(1.5, 1)).toThrow(RangeError)
    expect(() => caseloadAgainstCapacity(10, -1)).toThrow(RangeError)
    expect(() => caseloadAgainstCapacity(10, 1, 0)).toThrow(RangeError)
  })
})

describe('case list cursors', () => {
  const cursor = { openedOn: '2024-02-29', id: '0b7c1f7e-3f9a-4c1e-9a51-3c2d1e0f9a10' }

  it('round-trips through the opaque, URL-safe form', () => {
    const text = encodeCaseListCursor(cursor)
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCaseListCursor(text)).toEqual(cursor)
  })

  it('refuses anything Hearth did not issue', () => {
    const encode = (s: string) => Buffer.from(s, 'utf8').toString('base64url')
    expect(decodeCaseListCursor('')).toBeUndefined()
    expect(decodeCaseListCursor('not a cursor!')).toBeUndefined()
    expect(decodeCaseListCursor(encode('2024-02-30~0b7c1f7e-3f9a-4c1e-9a51-3c2d1e0f9a10'))).toBeUndefined()
    expect(decodeCaseListCursor(encode('2024-02-29~not-a-uuid'))).toBeUndefined()
    expect(decodeCaseListCursor(encode("2024-02-29~0b7c1f7e-3f9a-4c1e-9a51-3c2d1e0f9a10' OR 1=1"))).toBeUndefined()
    expect(decodeCaseListCursor('A'.repeat(81))).toBeUndefined()
  })
})
