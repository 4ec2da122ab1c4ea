import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type PartnershipProfile, parseProfile } from '../partnership/profile.ts'
import { qualityCsv, qualityHtml, qualityTable } from './render.ts'
import {
  type QualityInput,
  type TeamInput,
  buildQualityReport,
  checkTeam,
  childrenConsistency,
  percent,
  reportFields,
  riskVsDash,
  timelinessFrom,
} from './report.ts'

const profile = (() => {
  const parsed = parseProfile(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'profiles', 'fictional-test.json'), 'utf8')))
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.profile
})()

const team = (over: Partial<TeamInput>): TeamInput => ({
  agencyId: 'a',
  team: 'a8-idva',
  teamOpen: true,
  age: 33,
  sex: 'female',
  genderIdentity: 'woman',
  nationality: 'PL',
  ethnicity: 'white-other',
  riskLevel: 'high',
  district: 'northmoor',
  referralSource: 'police',
  additionalNeeds: false,
  count: 1,
  ...over,
})

describe('percent', () => {
  it('rounds to 2 decimal places and has no value for no rows', () => {
    expect(percent(16, 200)).toBe(8)
    expect(percent(1, 3)).toBe(33.33)
    expect(percent(1, 80)).toBe(1.25)
    expect(percent(0, 0)).toBeNull()
  })
})

describe('timeliness from a histogram of days', () => {
  it('gives the median (the mean of the middle two when even), mean, 90th percentile (nearest rank) and % within 2 days', () => {
    expect(timelinessFrom([{ days: 0, count: 1 }, { days: 1, count: 1 }, { days: 3, count: 1 }, { days: 10, count: 1 }])).toEqual({
      withFirstContact: 4,
      medianDays: 2,
      meanDays: 3.5,
      p90Days: 10,
      pctWithin2Days: 50,
    })
    expect(timelinessFrom([{ days: 5, count: 3 }, { days: 1, count: 2 }])).toMatchObject({ withFirstContact: 5, medianDays: 5, meanDays: 3.4, p90Days: 5, pctWithin2Days: 40 })
    expect(timelinessFrom([])).toEqual({ withFirstContact: 0, medianDays: null, meanDays: null, p90Days: null, pctWithin2Days: null })
  })
})

describe('risk level against DASH score', () => {
  it('uses the bands in force on the referral date (the fictional profile changes them on 2023-04-01)', () => {
    // 13 is medium until 2023-03-31 and high from 2023-04-01
    expect(riskVsDash([{ periodFrom: '2015-01-01', score: 13, level: 'high', count: 2 }], profile)).toMatchObject({ checked: 2, consistent: 0, higher: 2, lower: 0 })
    expect(riskVsDash([{ periodFrom: '2023-04-01', score: 13, level: 'high', count: 2 }], profile)).toMatchObject({ checked: 2, consistent: 2, pctConsistent: 100 })
    expect(riskVsDash([{ periodFrom: '2023-04-01', score: 20, level: 'standard', count: 1 }], profile)).toMatchObject({ lower: 1 })
  })

  it('puts police DASH scores above 24 in the top band, and ignores not-assessed levels and dates with no bands', () => {
    expect(riskVsDash([{ periodFrom: '2023-04-01', score: 27, level: 'high', count: 1 }], profile)).toMatchObject({ checked: 1, consistent: 1 })
    expect(riskVsDash([{ periodFrom: '2023-04-01', score: 3, level: 'not-assessed', count: 1 }], profile)).toMatchObject({ checked: 0, pctConsistent: null })
    expect(riskVsDash([{ periodFrom: '2001-01-01', score: 3, level: 'standard', count: 1 }], profile)).toMatchObject({ checked: 0 })
  })
})

describe('children against household type', () => {
  it('counts children in a household without, and none in a household with', () => {
    expect(
      childrenConsistency([
        { householdType: 'single-with-children', childrenCount: 2, count: 5 },
        { householdType: 'single-with-children', childrenCount: 0, count: 1 },
        { householdType: 'couple', childrenCount: 1, count: 2 },
        { householdType: 'couple', childrenCount: 0, count: 2 },
      ]),
    ).toEqual({ checked: 10, inconsistent: 3, pctInconsistent: 30 })
  })
})

describe('team against its eligibility rules', () => {
  it('applies the profile team rules to the facts recorded', () => {
    expect(checkTeam(team({}), profile)).toBe('eligible')
    expect(checkTeam(team({ nationality: 'GB' }), profile)).toBe('not-eligible')
    expect(checkTeam(team({ nationality: 'not-known' }), profile)).toBe('not-checkable')
    expect(checkTeam(team({ team: 'high-risk-north', riskLevel: 'high', district: 'upper-dale' }), profile)).toBe('eligible')
    expect(checkTeam(team({ team: 'high-risk-north', riskLevel: 'high', district: 'castlebridge' }), profile)).toBe('not-eligible')
    expect(checkTeam(team({ team: 'high-risk-north', riskLevel: 'medium' }), profile)).toBe('not-eligible')
    expect(checkTeam(team({ team: 'high-risk-north', riskLevel: null }), profile)).toBe('not-checkable')
  })

  it('cannot check rules that need facts the standard does not carry, or a team that did not exist yet', () => {
    expect(checkTeam(team({ team: 'yp-idva', age: 17 }), profile)).toBe('not-checkable') // needs the relationship
    expect(checkTeam(team({ team: 'male-victims-idva', genderIdentity: 'man' }), profile)).toBe('eligible')
    expect(checkTeam(team({ team: 'male-victims-idva', genderIdentity: 'man', teamOpen: false }), profile)).toBe('not-eligible') // e.g. before it started in 2022
    expect(checkTeam(team({ team: 'a8-idva', age: null }), profile)).toBe('eligible') // no age rule
    expect(checkTeam(team({ team: 'male-victims-idva', genderIdentity: null, sex: 'male' }), profile)).toBe('eligible') // sex stands in
    expect(checkTeam(team({ team: 'health-idva', referralSource: 'health', district: 'castlebridge' }), profile)).toBe('eligible')
    expect(checkTeam(team({ team: 'health-idva', referralSource: 'self', district: 'castlebridge' }), profile)).toBe('not-eligible')
    expect(checkTeam(team({ team: 'health-idva', referralSource: 'not-known', district: 'castlebridge' }), profile)).toBe('not-checkable')
    expect(checkTeam(team({ team: 'no-such-team' }), profile)).toBe('not-checkable')
  })
})

function input(over: Partial<QualityInput> = {}): QualityInput {
  return {
    partnership: { code: 'p', name: 'Partnership' },
    from: '2023-01-01',
    to: '2023-12-31',
    generatedAt: '2026-11-29T12:00:00.000Z',
    agencies: [
      { id: 'A', code: 'police', name: 'Police', rows: 200 },
      { id: 'B', code: 'idva', name: 'IDVA', rows: 50 },
      { id: 'C', code: 'empty', name: 'Nobody', rows: 0 },
    ],
    supplied: [
      { agencyId: 'A', field: 'ethnicity' },
      { agencyId: 'B', field: 'ethnicity' },
      { agencyId: 'B', field: 'sexual_orientation' },
    ],
    fieldCounts: [
      { agencyId: 'A', field: 'ethnicity', blank: 0, notKnown: 28, declined: 20 },
      { agencyId: 'A', field: 'sexual_orientation', blank: 200, notKnown: 0, declined: 0 },
      { agencyId: 'B', field: 'ethnicity', blank: 5, notKnown: 2, declined: 1 },
      { agencyId: 'B', field: 'sexual_orientation', blank: 0, notKnown: 10, declined: 5 },
    ],
    timeliness: [{ agencyId: 'B', days: 1, count: 10 }],
    riskDash: [],
    children: [],
    teams: [],
    linkage: [{ agencyId: 'B', linkable: 40, linked: 10 }],
    profile: profile as PartnershipProfile,
    ...over,
  }
}

describe('the report', () => {
  it('gives recorded and the percentages per agency and field, blank for fields not supplied', () => {
    const report = buildQualityReport(input())
    expect(report.agencies.map((a) => a.code)).toEqual(['idva', 'police']) // agencies with episodes, by name
    expect(report.fields.map((f) => f.field)).toEqual(reportFields)
    const ethnicity = report.fields.find((f) => f.field === 'ethnicity')!
    expect(ethnicity.label).toBe('Ethnicity')
    expect(ethnicity.byAgency['police']).toEqual({ recorded: true, rows: 200, notKnown: 28, declined: 20, blank: 0, pctNotKnown: 14, pctDeclined: 10, pctUnknown: 24, pctBlank: 0 })
    const orientation = report.fields.find((f) => f.field === 'sexual_orientation')!
    expect(orientation.byAgency['police']).toMatchObject({ recorded: false, pctUnknown: null })
    expect(orientation.byAgency['idva']).toMatchObject({ recorded: true, pctNotKnown: 20, pctDeclined: 10, pctUnknown: 30 })
    expect(report.linkage['idva']).toEqual({ linkable: 40, linked: 10, pctLinked: 25 })
    expect(report.timeliness['police']!.withFirstContact).toBe(0)
  })

  it('says when there is no profile to check risk levels and teams against', () => {
    const report = buildQualityReport(input({ profile: null }))
    expect(report.consistency.riskVsDash).toBeNull()
    expect(report.consistency.team).toBeNull()
    expect(report.notes[0]).toMatch(/No partnership profile/)
    expect(qualityTable(report).rows.some((r) => r.measure === 'Not available: no partnership profile')).toBe(true)
  })

  it('renders fields down the side and agencies across, in CSV safe from formula injection and in escaped HTML', () => {
    const report = buildQualityReport(
      input({
        agencies: [
          { id: 'A', code: 'police', name: '=HYPERLINK("http://evil.example","Police")', rows: 200 },
          { id: 'B', code: 'idva', name: '<b>IDVA</b>', rows: 50 },
        ],
      }),
    )
    const table = qualityTable(report)
    expect(table.headers).toEqual(['Field', 'Measure', '<b>IDVA</b>', '=HYPERLINK("http://evil.example","Police")'])
    expect(table.rows[0]).toEqual({ group: 'Episodes', measure: 'Referred 2023-01-01 to 2023-12-31', cells: ['50', '200'] })
    const ethnicityRows = table.rows.filter((r) => r.group === 'Ethnicity')
    expect(ethnicityRows.map((r) => [r.measure, ...r.cells])).toEqual([
      ['Recorded?', 'Yes', 'Yes'],
      ['% not known', '4%', '14%'],
      ['% declined', '2%', '10%'],
      ['% unknown (not known + declined)', '6%', '24%'],
      ['% not recorded (blank)', '10%', '0%'],
    ])
    expect(table.rows.find((r) => r.group === 'Sexual orientation' && r.measure === '% unknown (not known + declined)')!.cells).toEqual(['30%', ''])

    const csv = qualityCsv(report)
    expect(csv.split('\r\n')[0]).toBe('\uFEFF"Field","Measure","<b>IDVA</b>","\'=HYPERLINK(""http://evil.example"",""Police"")"')
    const html = qualityHtml(report)
    expect(html).toContain('&lt;b&gt;IDVA&lt;/b&gt;')
    expect(html).not.toContain('<b>IDVA</b>')
    expect(html).toContain('<th scope="rowgroup" rowspan="5">Ethnicity</th>')
  })
})
