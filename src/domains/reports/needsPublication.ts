/**
 * The needs assessment's publication version and its flat table (CSV, XLSX). Pure.
 *
 * Publication: every count from 1 to threshold - 1 is withheld, and secondary suppression makes sure no
 * withheld count can be worked out from what is published. The additive relations used ("lines"):
 * - each characteristics table, per service and for all services: a row's categories add up to its episodes,
 *   and each category's service counts add up to the all-services count (a two-way table with both totals);
 *   the services' episodes add up to all episodes. Ethnicity also has the known total (derivable from the
 *   shares of known), which adds up with not known, declined and not recorded to the episodes;
 * - districts with the episodes in no district add up to all episodes;
 * - people by services used (1, 2, 3+) add up to the people counted;
 * - safe accommodation: each column of demand by type adds up to its total row, referral outcomes to the
 *   referrals, decline reasons to the declines, move-on destinations and stay bands to the stays ended.
 * Totals are withheld only when nothing else can protect a line, and a total withheld in one table is
 * withheld in every table (repeated until nothing changes). A withheld count takes its percentage, share and
 * ratio with it; a row whose total is withheld loses its percentages. The data quality appendix (internal)
 * and drill links are left out; the definitions are printed as footnotes.
 */
import ExcelJS from 'exceljs'
import { csvRow, neutraliseCell } from '../imports/csvSafe.ts'
import type { Breakdown, BreakdownRow, EthnicityRow, NeedsAssessment, ServiceSection } from './needs.ts'
import { suppressLines } from './rules.ts'

/** A set of numbers and the lines that tie them, then what to do with those to be withheld. */
class Cells {
  values: number[] = []
  hideFns: (() => void)[] = []
  lines: number[][] = []
  protect = new Set<number>()
  pre = new Set<number>()
  add(value: number | null, onHide: () => void, opts: { protect?: boolean; hidden?: boolean } = {}): number {
    const i = this.values.length
    this.values.push(value ?? 0)
    this.hideFns.push(onHide)
    if (opts.protect) this.protect.add(i)
    if (opts.hidden || value === null) this.pre.add(i)
    return i
  }
  line(cells: number[]) {
    if (cells.length > 1) this.lines.push(cells)
  }
  hidden(threshold: number): boolean[] {
    return suppressLines(this.values, this.lines, threshold, { preHidden: this.pre, protect: this.protect }).hidden
  }
}

type Dimension = 'ageBands' | 'sex' | 'genderIdentity' | 'trans' | 'disability' | 'sexualOrientation' | 'nrpf' | 'children' | 'ethnicity'
const dimensions: Dimension[] = ['ageBands', 'sex', 'genderIdentity', 'trans', 'ethnicity', 'disability', 'sexualOrientation', 'nrpf', 'children']
const unknownEthnicity = ['not-known', 'declined', 'not-recorded']

export function needsForPublication(report: NeedsAssessment): NeedsAssessment {
  const t = report.suppressionThreshold
  const out: NeedsAssessment = structuredClone(report)
  const suppressed = new Set<string>()
  const sections: ServiceSection[] = [...out.services, out.all]
  const name = (s: ServiceSection) => (s === out.all ? 'all' : `services.${s.service}`)
  const S = out.services.length

  // 1. Which sections' episode totals are withheld: the services add up to all; each characteristics table may add more.
  const hiddenTotal = new Set<number>()
  const totalsPass = () => {
    const cells = new Cells()
    const idx = sections.map((s, r) => cells.add(s.episodes, () => {}, { hidden: hiddenTotal.has(r) }))
    cells.line(idx)
    cells.hidden(t).forEach((h, r) => { if (h) hiddenTotal.add(r) })
  }
  type Plan = { cells: Cells; totals: number[] }
  const dimensionPlan = (dim: Dimension): Plan => {
    const cells = new Cells()
    const codes = [...new Set(sections.flatMap(s => (s[dim] as BreakdownRow[]).map(r => r.code)))]
    const grid = sections.map((s, r) => {
      const rows = s[dim] as (BreakdownRow | EthnicityRow)[]
      return codes.map(code => {
        const row = rows.find(x => x.code === code)
        return cells.add(row?.count ?? 0, () => {
          if (!row) return
          row.count = null
          if ('percent' in row) row.percent = null
          row.suppressed = true
          if ('shareOfKnown' in row) Object.assign(row, { shareOfKnown: null, ratio: null, flag: null })
          suppressed.add(`${name(s)}.${dim}.${code}`)
        })
      }).concat(cells.add(s.episodes, () => {}, { protect: true, hidden: hiddenTotal.has(r) }))
    })
    grid.forEach(row => cells.line(row))
    for (let c = 0; c <= codes.length; c++) cells.line(grid.map(row => row[c]!))
    if (dim === 'ethnicity') {
      // The known total is derivable from the shares of known: it is one more published number.
      const known = sections.map((s, r) => {
        const rows = s.ethnicity
        const k = cells.add(rows.filter(e => !unknownEthnicity.includes(e.code)).reduce((a, e) => a + (e.count ?? 0), 0), () => {
          for (const e of rows) Object.assign(e, { shareOfKnown: null, ratio: null, flag: null })
        }, { protect: true })
        cells.line([...codes.map((code, c) => (unknownEthnicity.includes(code) ? -1 : grid[r]![c]!)).filter(i => i >= 0), k])
        cells.line([k, ...codes.map((code, c) => (unknownEthnicity.includes(code) ? grid[r]![c]! : -1)).filter(i => i >= 0), grid[r]![codes.length]!])
        return k
      })
      cells.line(known)
    }
    return { cells, totals: grid.map(row => row[codes.length]!) }
  }
  for (let pass = 0; pass < 6; pass++) {
    const before = hiddenTotal.size
    totalsPass()
    for (const dim of dimensions) {
      const plan = dimensionPlan(dim)
      const hidden = plan.cells.hidden(t)
      plan.totals.forEach((i, r) => { if (hidden[i]) hiddenTotal.add(r) })
    }
    if (hiddenTotal.size === before && pass > 0) break
  }
  for (const dim of dimensions) {
    const plan = dimensionPlan(dim)
    plan.cells.hidden(t).forEach((h, i) => { if (h) plan.cells.hideFns[i]!() })
  }
  sections.forEach((s, r) => {
    if (!hiddenTotal.has(r)) return
    s.episodes = null
    suppressed.add(`${name(s)}.episodes`)
    for (const dim of dimensions) for (const row of s[dim] as (BreakdownRow | EthnicityRow)[]) if ('percent' in row) row.percent = null
    for (const e of s.ethnicity) Object.assign(e, { shareOfKnown: null, ratio: null, flag: null })
  })
  for (const s of sections) {
    for (const key of ['people', 'peopleWithinAgencies'] as const) {
      const v = s[key]
      if (v !== null && v > 0 && v < t) {
        s[key] = null
        suppressed.add(`${name(s)}.${key}`)
      }
    }
  }

  // 2. People by services used: 1 + 2 + 3+ = the people counted.
  {
    const cells = new Cells()
    const peopleKey = out.servicesUsed.unit === 'people' ? 'people' : 'peopleWithinAgencies'
    const rows = out.servicesUsed.rows.map(r => cells.add(r.count, () => hideRow(r, `servicesUsed.${r.code}`)))
    const total = cells.add(out.servicesUsed.total, () => {
      out.servicesUsed.total = null
      for (const r of out.servicesUsed.rows) r.percent = null
      suppressed.add('servicesUsed.total')
    }, { protect: true, hidden: out.all[peopleKey] === null })
    cells.line([...rows, total])
    cells.hidden(t).forEach((h, i) => { if (h) cells.hideFns[i]!() })
  }

  // 3. Districts: with the episodes in no district, they add up to all episodes.
  {
    const cells = new Cells()
    const districts = out.ratesByDistrict.map(d => cells.add(d.episodes, () => {
      d.episodes = null
      d.per1000 = null
      suppressed.add(`ratesByDistrict.${d.code}`)
    }))
    const inDistricts = out.ratesByDistrict.reduce((a, d) => a + (d.episodes ?? 0), 0)
    const rest = (report.all.episodes ?? 0) - inDistricts
    const other = cells.add(rest, () => {}, { hidden: rest > 0 })
    const all = cells.add(out.all.episodes, () => {}, { protect: true, hidden: out.all.episodes === null })
    cells.line([...districts, other, all])
    cells.hidden(t).forEach((h, i) => { if (h) cells.hideFns[i]!() })
  }

  // 4. Benchmarks and trends: primary only (no published totals tie them), and a trend in the period follows its service.
  const small = (v: number | null) => v !== null && v > 0 && v < t
  if (small(out.benchmarks.marac.cases)) {
    Object.assign(out.benchmarks.marac, { cases: null, value: null, percentOfBenchmark: null })
    suppressed.add('benchmarks.marac.cases')
  }
  for (const b of out.benchmarks.idvaPerFte) {
    if (small(b.referrals)) {
      Object.assign(b, { referrals: null, value: null, percentOfBenchmark: null })
      suppressed.add(`benchmarks.idvaPerFte.${b.team}`)
    }
  }
  const fyOf = (date: string) => String(Number(date.slice(0, 4)) - (Number(date.slice(5, 7)) < 4 ? 1 : 0))
  const periodYears = new Set([fyOf(out.period.from), fyOf(out.period.to)])
  for (const tr of out.trends) {
    const service = out.services.find(s => s.service === tr.service)
    if (small(tr.episodes) || (service?.episodes === null && periodYears.has(tr.year))) {
      tr.episodes = null
      suppressed.add(`trends.${tr.year}.${tr.service}`)
    }
  }

  // 5. Safe accommodation.
  suppressSafeAccommodation(out.safeAccommodation, t, { demand: true, stays: true, unmet: true }, suppressed)

  function hideRow(r: BreakdownRow, path: string) {
    r.count = null
    r.percent = null
    r.suppressed = true
    suppressed.add(path)
  }

  out.publication = true
  out.suppressed = [...suppressed]
  out.dataQuality = null
  out.missing = [...out.missing, 'The data quality appendix is internal: it is not in the publication version.']
  return out
}

export type SafeAccommodationParts = { demand: boolean; stays: boolean; unmet: boolean }

/**
 * Small numbers withheld in the safe accommodation section, part by part (the parts share no line, so each can
 * be withheld alone): `demand` (referrals and declines), `stays` (households supported, moves, length of stay,
 * move-on) and `unmet` (unmet-need searches). Used for the publication version (every part) and for readers
 * who would see those figures withheld on the safe accommodation pages. Changes `sa` in place; adds the paths.
 */
export function suppressSafeAccommodation(sa: NeedsAssessment['safeAccommodation'], t: number, parts: SafeAccommodationParts, suppressed: Set<string>): void {
  const hideRow = (r: BreakdownRow, path: string) => {
    r.count = null
    r.percent = null
    r.suppressed = true
    suppressed.add(path)
  }
  const cells = new Cells()
  const columns = [...(parts.demand ? ['referrals', 'declined'] as const : []), ...(parts.stays ? ['householdsSupported'] as const : [])]
  const grid = sa.demandAndSupply.map(row => columns.map(col => cells.add(row[col], () => {
    row[col] = null
    suppressed.add(`safeAccommodation.demandAndSupply.${row.type}.${col}`)
  }, { protect: row.type === 'all' })))
  columns.forEach((_, c) => cells.line(grid.map(r => r[c]!)))
  const totalRow = grid[grid.length - 1]!
  const breakdownLine = (rows: Breakdown, path: string, total: number) => cells.line([...rows.map(r => cells.add(r.count, () => hideRow(r, `${path}.${r.code}`))), total])
  if (parts.demand) {
    breakdownLine(sa.referralOutcomes, 'safeAccommodation.referralOutcomes', totalRow[0]!)
    breakdownLine(sa.declinedByReason, 'safeAccommodation.declinedByReason', totalRow[1]!)
  }
  if (parts.stays) {
    const ended = cells.add(sa.lengthOfStay.endedStays, () => {
      sa.lengthOfStay.endedStays = null
      sa.occupancy.movedOut = null
      suppressed.add('safeAccommodation.lengthOfStay.endedStays')
    }, { protect: true })
    breakdownLine(sa.moveOn, 'safeAccommodation.moveOn', ended)
    breakdownLine(sa.lengthOfStay.bands, 'safeAccommodation.lengthOfStay.bands', ended)
    for (const key of ['movedIn', 'inAtEnd'] as const) {
      cells.add(sa.occupancy[key], () => {
        sa.occupancy[key] = null
        suppressed.add(`safeAccommodation.occupancy.${key}`)
      })
    }
  }
  if (parts.unmet) {
    for (const key of ['searches', 'allSearches'] as const) {
      cells.add(sa.unmetNeed[key], () => {
        sa.unmetNeed[key] = null
        suppressed.add(`safeAccommodation.unmetNeed.${key}`)
      })
    }
    for (const list of ['reasons', 'characteristics'] as const) for (const r of sa.unmetNeed[list]) cells.add(r.count, () => hideRow(r, `safeAccommodation.unmetNeed.${list}.${r.code}`))
  }
  cells.hidden(t).forEach((h, i) => { if (h) cells.hideFns[i]!() })
  if (parts.stays) {
    // One stay's length is one household's: averages of fewer than the threshold, and the longest stay, are withheld.
    if (sa.lengthOfStay.endedStays === null || sa.lengthOfStay.endedStays < t) Object.assign(sa.lengthOfStay, { medianDays: null, meanDays: null })
    sa.lengthOfStay.longestDays = null
  }
  sa.withheld = [...new Set([...sa.withheld, ...(Object.keys(parts) as (keyof SafeAccommodationParts)[]).filter(k => parts[k])])]
}

// ---------------------------------------------------------------------------------------------------------
// The flat table (CSV, XLSX)
// ---------------------------------------------------------------------------------------------------------

export const needsColumns = ['table', 'group', 'code', 'label', 'count', 'percent', 'value', 'note'] as const
type Cell = string | number | null

/** Every figure of the needs assessment, one line each. Withheld counts are empty with note "suppressed". */
export function needsTable(report: NeedsAssessment): Cell[][] {
  const out: Cell[][] = []
  const sup = (r: { suppressed?: true }) => (r.suppressed ? 'suppressed' : '')
  for (const s of [report.all, ...report.services]) {
    out.push(['people', s.service, 'episodes', 'Episodes', s.episodes, null, null, s.episodes === null ? 'suppressed' : ''])
    out.push(['people', s.service, 'people-within-agencies', 'People within each agency', s.peopleWithinAgencies, null, null, s.peopleWithinAgencies === null ? 'suppressed' : ''])
    out.push(['people', s.service, 'people', 'Unique people (record linkage)', s.people, null, null, report.unit.linkage.available ? (s.people === null ? 'suppressed' : '') : 'record linkage not run'])
    for (const dim of ['ageBands', 'sex', 'genderIdentity', 'trans', 'disability', 'sexualOrientation', 'nrpf', 'children'] as const) {
      for (const r of s[dim]) out.push([dim, s.service, r.code, r.label, r.count, r.percent, null, sup(r)])
    }
    for (const e of s.ethnicity) out.push(['ethnicity', s.service, e.code, e.label, e.count, e.shareOfKnown, e.ratio, [sup(e), e.flag ?? '', e.populationShare === null ? '' : `population ${Math.round(e.populationShare * 1000) / 10}%`].filter(Boolean).join('; ')])
  }
  for (const r of report.servicesUsed.rows) out.push(['servicesUsed', report.servicesUsed.unit, r.code, r.label, r.count, r.percent, null, sup(r)])
  for (const d of report.ratesByDistrict) out.push(['ratesByDistrict', 'all', d.code, d.name, d.episodes, null, d.per1000, `per 1,000 of ${d.population16plus} aged 16+${d.episodes === null ? '; suppressed' : ''}`])
  const m = report.benchmarks.marac
  out.push(['benchmarks', 'marac', 'marac-per-10k-females', 'MARAC cases per 10,000 adult females (annualised)', m.cases, m.percentOfBenchmark, m.value, `benchmark ${m.benchmark}`])
  for (const b of report.benchmarks.idvaPerFte) out.push(['benchmarks', 'idva', b.team, `${b.name}: referrals per FTE (annualised)`, b.referrals, b.percentOfBenchmark, b.value, b.fte === null ? 'no FTE recorded' : `benchmark ${b.benchmark}; FTE ${b.fte}`])
  for (const tr of report.trends) out.push(['trends', tr.service, tr.year, `${tr.year}/${String((Number(tr.year) + 1) % 100).padStart(2, '0')}`, tr.episodes, null, null, tr.episodes === null ? 'suppressed' : ''])
  const sa = report.safeAccommodation
  for (const r of sa.demandAndSupply) {
    out.push(['safeAccommodation.demandAndSupply', r.type, 'bedspaces', `${r.label}: bedspaces`, r.bedspaces, null, null, ''])
    out.push(['safeAccommodation.demandAndSupply', r.type, 'referrals', `${r.label}: referrals`, r.referrals, null, null, r.referrals === null ? 'suppressed' : ''])
    out.push(['safeAccommodation.demandAndSupply', r.type, 'declined', `${r.label}: declined`, r.declined, null, null, r.declined === null ? 'suppressed' : ''])
    out.push(['safeAccommodation.demandAndSupply', r.type, 'households-supported', `${r.label}: households supported`, r.householdsSupported, null, null, r.householdsSupported === null ? 'suppressed' : ''])
    out.push(['safeAccommodation.demandAndSupply', r.type, 'occupancy', `${r.label}: occupancy`, null, r.occupancyPercent, null, ''])
  }
  for (const [table, rows] of [['referralOutcomes', sa.referralOutcomes], ['declinedByReason', sa.declinedByReason], ['unmetNeed.reasons', sa.unmetNeed.reasons], ['unmetNeed.characteristics', sa.unmetNeed.characteristics], ['lengthOfStay.bands', sa.lengthOfStay.bands], ['moveOn', sa.moveOn]] as const) {
    for (const r of rows) out.push([`safeAccommodation.${table}`, 'all', r.code, r.label, r.count, r.percent, null, sup(r)])
  }
  out.push(['safeAccommodation.unmetNeed', 'all', 'searches', 'Searches that found no suitable room', sa.unmetNeed.searches, null, null, sa.unmetNeed.searches === null ? 'suppressed' : ''])
  out.push(['safeAccommodation.unmetNeed', 'all', 'all-searches', 'All vacancy searches', sa.unmetNeed.allSearches, null, null, sa.unmetNeed.allSearches === null ? 'suppressed' : ''])
  const o = sa.occupancy
  out.push(['safeAccommodation.occupancy', 'all', 'occupancy', 'Occupancy (room-nights occupied ÷ room-nights)', o.occupiedNights, o.occupancyPercent, o.roomNights, `${o.bedspaces} bedspaces`])
  out.push(['safeAccommodation.occupancy', 'all', 'moved-in', 'Households moved in', o.movedIn, null, null, o.movedIn === null ? 'suppressed' : ''])
  out.push(['safeAccommodation.occupancy', 'all', 'in-at-end', 'Households in at the end of the period', o.inAtEnd, null, null, o.inAtEnd === null ? 'suppressed' : ''])
  const l = sa.lengthOfStay
  out.push(['safeAccommodation.lengthOfStay', 'all', 'ended', 'Stays ended', l.endedStays, null, null, l.endedStays === null ? 'suppressed' : ''])
  out.push(['safeAccommodation.lengthOfStay', 'all', 'median-days', 'Median length of stay (days)', null, null, l.medianDays, ''])
  out.push(['safeAccommodation.lengthOfStay', 'all', 'mean-days', 'Mean length of stay (days)', null, null, l.meanDays, ''])
  return out
}

export function needsCsv(report: NeedsAssessment): string {
  return csvRow(needsColumns) + needsTable(report).map(r => csvRow(r, { preserveNumbers: true })).join('')
}

export async function needsXlsx(report: NeedsAssessment): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Hearth'
  wb.created = new Date(report.generatedAt)
  const safe = (row: Cell[]) => row.map(cell => (typeof cell === 'string' ? neutraliseCell(cell) : cell))
  const about = wb.addWorksheet('About')
  about.addRows([
    ['Report', `Needs assessment, ${report.period.label}`],
    ['Partnership', report.partnership.name],
    ['Generated', report.generatedAt],
    ['Version', report.publication ? `Publication (counts under ${report.suppressionThreshold} withheld)` : 'Internal (not for publication)'],
    ['Counting unit', report.unit.note],
    [],
    ...report.definitions.map(d => [d.title, d.text]),
    [],
    ...report.missing.map(m => ['Not included', m]),
  ].map(r => safe(r as Cell[])))
  about.getColumn(1).width = 24
  about.getColumn(2).width = 120
  const data = wb.addWorksheet('Figures')
  data.addRow([...needsColumns])
  data.getRow(1).font = { bold: true }
  for (const row of needsTable(report)) data.addRow(safe(row))
  data.columns.forEach((c, i) => { c.width = i === 3 ? 48 : 18 })
  return new Uint8Array(await wb.xlsx.writeBuffer())
}
