import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProfile } from '../partnership/profile.ts'
import { buildNeedsAssessment, needsBody, type NeedsEpisodeGroup } from './needs.ts'
import { needsCsv, needsForPublication } from './needsPublication.ts'
import { dateRange, exposedByLines, suppressLines } from './rules.ts'

const parsed = parseProfile(JSON.parse(readFileSync(new URL('../../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8')))
if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
const profile = parsed.profile

describe('suppression over linked lines', () => {
  it('withholds counts under the threshold and, where a line would give one away, its smallest other cell', () => {
    // 3 + 10 + 20 = 33 (the total is the last cell of the line)
    const lines = [[0, 1, 2, 3]]
    const r = suppressLines([3, 10, 20, 33], lines, 5, { protect: new Set([3]) })
    expect(r.hidden).toEqual([true, true, false, false])
    expect(r.reason).toEqual(['primary', 'secondary', null, null])
    expect(exposedByLines(lines, r.hidden)).toEqual([])
  })

  it('shows zeros, prefers non-zero cells, and withholds a protected total only when nothing else is left', () => {
    expect(suppressLines([0, 2, 0, 2], [[0, 1, 2, 3]], 5, { protect: new Set([3]) }).hidden).toEqual([false, true, false, true])
    const r = suppressLines([0, 2, 7, 9], [[0, 1, 2, 3]], 5, { protect: new Set([3]) })
    expect(r.hidden).toEqual([false, true, true, false])
  })

  it('follows a withheld cell across crossing lines until no line has exactly one withheld cell', () => {
    // A 2 x 2 table with row and column totals: a (3) b (40) | 43; c (6) d (20) | 26; column totals 9 60 | 69.
    const values = [3, 40, 43, 6, 20, 26, 9, 60, 69]
    const lines = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8]]
    const r = suppressLines(values, lines, 5, { protect: new Set([2, 5, 6, 7, 8]) })
    expect(exposedByLines(lines, r.hidden)).toEqual([])
    expect(r.hidden.filter(Boolean).length).toBe(4)
    expect([r.hidden[0], r.hidden[1], r.hidden[3], r.hidden[4]]).toEqual([true, true, true, true])
  })
})

describe('the needs assessment publication version', () => {
  const g = (service: string, sex: string, episodes: number, district = 'fenland'): NeedsEpisodeGroup => ({
    service, district, team: null, sex, gender_identity: null, trans: null, ethnicity: 'white-british', sexual_orientation: null, nrpf: null, age: 30,
    disabilities: 0, disability_blank: true, disability_unknown: false, children_count: 0, episodes,
  })
  const groups = {
    episodes: [g('idva', 'female', 40), g('idva', 'male', 3, 'peterborough'), g('outreach', 'female', 20), g('outreach', 'male', 6)],
    maracCases: 12, peopleByService: [{ service: 'idva', people: 41 }, { service: 'outreach', people: 26 }], peopleAll: 60, trends: [{ service: 'idva', year: '2022', episodes: 43 }, { service: 'outreach', year: '2022', episodes: 26 }],
  }
  const report = buildNeedsAssessment({ profile, period: dateRange('2022-04-01', '2023-03-31'), groups, populationShares: {}, generatedAt: '2026-11-30T00:00:00Z' })
  const pub = needsForPublication(report)
  const sex = (s: { sex: { code: string; count: number | null }[] }) => Object.fromEntries(s.sex.map(r => [r.code, r.count]))

  it('withholds the small count and enough others that the sex table cannot be solved from its totals', () => {
    expect(sex(report.services[0]!)).toEqual({ female: 40, male: 3 })
    const [idva, outreach] = pub.services
    // idva male 3 is primary; its row (43) then needs one more (female 40); the male column (3 + 6 = 9) needs outreach male; outreach's row then female.
    expect(sex(idva!)).toEqual({ female: null, male: null })
    expect(sex(outreach!)).toEqual({ female: null, male: null })
    expect(sex(pub.all)).toEqual({ female: 60, male: 9 })
    expect(idva!.episodes).toBe(43)
    expect(pub.suppressed).toEqual(expect.arrayContaining(['services.idva.sex.male', 'services.idva.sex.female', 'services.outreach.sex.male']))
    // The percentages of withheld counts go with them.
    expect(idva!.sex.find(r => r.code === 'male')!.percent).toBeNull()
  })

  it('keeps district episodes from being worked out from the total, and prints withheld values as * with the definitions', () => {
    // fenland 66 + peterborough 3 = 69 = all episodes: peterborough is primary, so fenland goes too.
    expect(Object.fromEntries(pub.ratesByDistrict.filter(d => d.code === 'fenland' || d.code === 'peterborough').map(d => [d.code, d.episodes]))).toEqual({ fenland: null, peterborough: null })
    const html = needsBody(pub)
    expect(html).toContain('Publication version')
    expect(html).toContain('id="definitions"')
    expect(html).not.toContain('/drill')
    expect(needsCsv(pub)).toContain('"sex","idva","male","Male","","","","suppressed"')
    expect(report.publication).toBe(false)
  })
})
