import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { a8Nationalities, parseProfile, type PartnershipProfile } from './profile.ts'

const readProfileJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../profiles/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>

/** A deep copy of the fictional profile, changed by `change`, for negative tests. */
const fictionalWith = (change: (profile: any) => void): unknown => {
  const copy = structuredClone(readProfileJson('fictional-test'))
  change(copy)
  return copy
}

const errorsOf = (raw: unknown): string[] => {
  const result = parseProfile(raw)
  if (result.ok) {
    throw new Error('expected the profile to be rejected')
  }
  return result.errors
}

const parsed = (name: string): PartnershipProfile => {
  const result = parseProfile(readProfileJson(name))
  if (!result.ok) {
    throw new Error(result.errors.join('\n'))
  }
  return result.profile
}

describe('the shipped profiles', () => {
  it('Cambridgeshire & Peterborough passes parseProfile', () => {
    const result = parseProfile(readProfileJson('cambridgeshire-peterborough'))
    expect(result.ok ? [] : result.errors).toEqual([])
  })

  it('the fictional test profile passes parseProfile', () => {
    const result = parseProfile(readProfileJson('fictional-test'))
    expect(result.ok ? [] : result.errors).toEqual([])
  })

  it('Cambridgeshire & Peterborough has the facts the sources give', () => {
    const profile = parsed('cambridgeshire-peterborough')
    expect(profile.partnership.synthetic).toBe(false)
    expect(profile.districts.map(d => d.code)).toEqual([
      'cambridge',
      'east-cambridgeshire',
      'fenland',
      'huntingdonshire',
      'south-cambridgeshire',
      'peterborough',
    ])
    expect(profile.districts.find(d => d.code === 'peterborough')?.population.all).toBe(202000)
    expect(profile.risk.maracThreshold.map(t => [t.effectiveFrom, t.score])).toEqual([
      ['2009-01-01', 14],
      ['2020-01-01', 17],
    ])
    expect(profile.risk.bands[0]?.bands).toEqual([
      { level: 'standard', min: 0, max: 5 },
      { level: 'medium', min: 6, max: 9 },
      { level: 'high', min: 10, max: 24 },
    ])
    expect(profile.marac.meetingsPerWeek).toBe(3)
    expect(profile.repeatWindows[0]?.idvaMonths).toBe(12)
    expect(profile.sealedFields.readableBy).toEqual(['idva', 'idva-manager', 'safe-accommodation-worker'])
    expect(profile.suppression.threshold).toBe(5)
    const a8 = profile.teams.find(t => t.code === 'a8-idva-peterborough')?.eligibility.find(r => r.kind === 'nationality')
    expect(a8 && 'anyOf' in a8 ? [...a8.anyOf].sort() : []).toEqual([...a8Nationalities])
    expect(profile.annotations.map(a => a.date)).toEqual(expect.arrayContaining(['2021-11-01', '2022-04-01', '2022-06-01']))
  })

  it('the fictional profile is marked synthetic', () => {
    expect(parsed('fictional-test').partnership.synthetic).toBe(true)
  })
})

describe('parseProfile rejects, naming the path and the value', () => {
  it('the sources\' 0-5 / 6-9 / over-10 bands, naming score 10', () => {
    const raw = fictionalWith(p => {
      p.risk.bands = [
        {
          effectiveFrom: '2020-01-01',
          bands: [
            { level: 'standard', min: 0, max: 5 },
            { level: 'medium', min: 6, max: 9 },
            { level: 'high', min: 11, max: 24 },
          ],
        },
      ]
    })
    expect(errorsOf(raw)).toEqual(['risk.bands[0] (from 2020-01-01): score 10 is not in any band; bands are 0-5, 6-9, 11-24'])
  })

  it('several unassigned scores, grouped into ranges', () => {
    const raw = fictionalWith(p => {
      p.risk.bands[1].bands = [
        { level: 'standard', min: 1, max: 5 },
        { level: 'high', min: 9, max: 23 },
      ]
    })
    expect(errorsOf(raw)).toEqual([
      'risk.bands[1] (from 2023-04-01): scores 0, 6-8 and 24 are not in any band; bands are 1-5, 9-23',
    ])
  })

  it('a score in two bands', () => {
    const raw = fictionalWith(p => {
      p.risk.bands[1].bands[1] = { level: 'medium', min: 8, max: 13 }
    })
    expect(errorsOf(raw)).toEqual([
      'risk.bands[1] (from 2023-04-01): score 13 is in more than one band (medium 8-13 and high 13-24); each score needs exactly one band',
    ])
  })

  it('a band whose min is above its max, and a score above 24', () => {
    expect(
      errorsOf(
        fictionalWith(p => {
          p.risk.bands[1].bands[1] = { level: 'medium', min: 12, max: 8 }
        }),
      ),
    ).toEqual(['risk.bands[1] (from 2023-04-01).bands[1]: medium band runs from 12 down to 8; min must not be above max'])
    expect(
      errorsOf(
        fictionalWith(p => {
          p.risk.bands[1].bands[2].max = 25
        }),
      ),
    ).toEqual(['risk.bands[1].bands[2].max: must be a DASH score from 0 to 24; got 25'])
  })

  it('levels that do not rise with the score', () => {
    const raw = fictionalWith(p => {
      p.risk.bands[1].bands = [
        { level: 'high', min: 0, max: 7 },
        { level: 'standard', min: 8, max: 24 },
      ]
    })
    expect(errorsOf(raw)).toEqual([
      'risk.bands[1] (from 2023-04-01): standard (8-24) is on higher scores than high (0-7); levels must rise with the score (standard, then medium, then high)',
    ])
  })

  it('gapped and overlapping effective periods', () => {
    const gapped = fictionalWith(p => {
      p.risk.bands[1].effectiveFrom = '2023-05-01'
    })
    expect(errorsOf(gapped)).toEqual([
      'risk.bands: nothing is in force from 2023-04-01 to 2023-04-30, between risk.bands[0] (2015-01-01 to 2023-03-31) and risk.bands[1] (from 2023-05-01)',
    ])
    const overlapping = fictionalWith(p => {
      p.repeatWindows = [
        { effectiveFrom: '2015-01-01', effectiveTo: '2022-12-31', idvaMonths: 12, maracMonths: 12 },
        { effectiveFrom: '2022-06-01', idvaMonths: 12, maracMonths: 3 },
      ]
    })
    expect(errorsOf(overlapping)).toEqual([
      'repeatWindows[1] (from 2022-06-01) overlaps repeatWindows[0] (2015-01-01 to 2022-12-31): both are in force from 2022-06-01 to 2022-12-31',
    ])
  })

  it('effectiveTo before effectiveFrom', () => {
    const raw = fictionalWith(p => {
      p.risk.maracThreshold = [{ effectiveFrom: '2015-01-01', effectiveTo: '2014-01-01', score: 14 }, { effectiveFrom: '2014-01-02', score: 17 }]
    })
    expect(errorsOf(raw)).toContain('risk.maracThreshold[0]: effectiveTo 2014-01-01 is before effectiveFrom 2015-01-01')
  })

  it('unknown agency and district codes in teams', () => {
    const raw = fictionalWith(p => {
      p.teams[0].agencyCode = 'nowhere-idva'
      p.teams[4].districtCodes = ['northmoor', 'lower-dale']
    })
    expect(errorsOf(raw)).toEqual([
      'teams[0] (yp-idva).agencyCode: "nowhere-idva" is not a code in agencies',
      'teams[4] (high-risk-north).districtCodes[1]: "lower-dale" is not a code in districts; known districts are northmoor, castlebridge, upper-dale',
    ])
  })

  it('duplicate codes', () => {
    const raw = fictionalWith(p => {
      p.agencies[2].code = 'moorshire-police'
      p.districts.push({ ...p.districts[0], name: 'Northmoor again' })
      p.teams[5].code = 'high-risk-north'
    })
    expect(errorsOf(raw)).toEqual([
      'districts[3].code: "northmoor" is already used by districts[0]; codes must be unique',
      'agencies[2].code: "moorshire-police" is already used by agencies[0]; codes must be unique',
      'teams[5].code: "high-risk-north" is already used by teams[4]; codes must be unique',
    ])
  })

  it('a suppression threshold below 1', () => {
    expect(errorsOf(fictionalWith(p => (p.suppression.threshold = 0)))).toEqual([
      'suppression.threshold: must be at least 1; got 0',
    ])
  })

  it('defaults the suppression threshold to 5 when suppression is left out', () => {
    const result = parseProfile(fictionalWith(p => delete p.suppression))
    expect(result.ok && result.profile.suppression.threshold).toBe(5)
  })

  it('an unknown role in sealedFields.readableBy', () => {
    const errors = errorsOf(fictionalWith(p => p.sealedFields.readableBy.push('police-officer')))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^sealedFields\.readableBy\[3\]: "police-officer" is not a known role; known roles are referrer, idva, /)
  })

  it('wrong types, missing fields, misspelt fields and unknown values', () => {
    const raw = fictionalWith(p => {
      p.partnership.synthetic = 'yes'
      delete p.profileVersion
      p.marac.meetingWeekday = p.marac.meetingWeekdays
      delete p.marac.meetingWeekdays
      p.agencies[0].kind = 'constabulary'
      p.teams[0].eligibility[0] = { kind: 'postcode', anyOf: ['NM1'] }
      p.annotations[0].date = '2022-13-01'
    })
    expect(errorsOf(raw)).toEqual([
      'profileVersion: is missing (a string is needed)',
      'partnership.synthetic: must be a boolean; got a string ("yes")',
      'agencies[0].kind: "constabulary" is not allowed; use one of "police", "health", "housing", "children-social-care", "adult-social-care", "education", "idva-service", "refuge-provider", "specialist-da-service", "probation", "local-authority", "other"',
      'teams[0].eligibility[0].kind: "postcode" is not a known kind; use one of "age", "nationality", "gender", "referring-agency-kind", "stalking", "relationship", "ethnicity-not-in", "risk-level", "team-districts"',
      'marac.meetingWeekdays: is missing (a list is needed)',
      'marac: has an unknown field "meetingWeekday" (check the spelling)',
      'annotations[0].date: must be a real date written YYYY-MM-DD; got "2022-13-01"',
    ])
  })

  it('codes that are not in the data standard', () => {
    const raw = fictionalWith(p => {
      p.teams[1].eligibility[0].anyOf = ['PL', 'XX', 'pl']
      p.teams[2].eligibility[0].anyOf = ['male']
    })
    const errors = errorsOf(raw)
    expect(errors).toHaveLength(3)
    expect(errors[0]).toBe('teams[1].eligibility[0].anyOf[1]: must be a two-letter ISO 3166-1 country code in capitals, such as PL; got "XX"')
    expect(errors[1]).toBe('teams[1].eligibility[0].anyOf[2]: must be a two-letter ISO 3166-1 country code in capitals, such as PL; got "pl"')
    expect(errors[2]).toMatch(/^teams\[2\]\.eligibility\[0\]\.anyOf\[0\]: "male" is not allowed; use one of "woman", "man", "non-binary"/)
  })

  it('a team with no eligibility rules', () => {
    expect(errorsOf(fictionalWith(p => (p.teams[1].eligibility = []))))
      .toEqual(['teams[1].eligibility: must list at least one rule; a team with no rules would be suggested for every referral; got a list of 0'])
  })

  it('something that is not an object at all', () => {
    expect(errorsOf('hello')).toEqual(['profile: must be an object; got a string ("hello")'])
  })
})
