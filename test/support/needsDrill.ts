/**
 * For the needs assessment's drill-down tests: every figure of the people, services-used, rates, benchmarks and
 * trends tables that counts records, with the count the report gives it, and every such drill link on the page.
 */
import { expect } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { needsBody, type NeedsAssessment } from '../../src/domains/reports/needs.ts'
import type { ReportService } from '../../src/domains/reports/service.ts'

export function countedFigures(report: NeedsAssessment): [string, number][] {
  const figures: [string, number | null][] = []
  for (const s of [...report.services, report.all]) {
    figures.push([`people:${s.service}:episodes`, s.episodes], [`people:${s.service}:within-agencies`, s.peopleWithinAgencies])
    if (report.unit.linkage.available) figures.push([`people:${s.service}:unique`, s.people])
  }
  for (const r of report.servicesUsed.rows) figures.push([`used:${r.code}`, r.count])
  for (const r of report.ratesByDistrict) figures.push([`district:${r.code}`, r.episodes])
  figures.push(['marac', report.benchmarks.marac.cases])
  for (const t of report.benchmarks.idvaPerFte.filter(t => t.fte !== null)) figures.push([`idva-team:${t.team}`, t.referrals])
  for (const t of report.trends) figures.push([`trend:${t.year}:${t.service}`, t.episodes])
  return figures.map(([f, n]) => [f, n ?? 0])
}

/** Drills every counted figure as `analyst` and checks the drill's count, and the records it lists, against the report. */
export async function expectEveryFigureDrills(reports: ReportService, analyst: Actor, report: NeedsAssessment): Promise<number> {
  const period = { from: report.period.from, to: report.period.to }
  const figures = countedFigures(report)
  // Every drill link on the page (bar the characteristic tables and the safe accommodation section, tested elsewhere) is one of them.
  const html = needsBody(report, { drillHref: f => `/drill?figure=${encodeURIComponent(f)}` })
  const linked = [...html.matchAll(/href="\/drill\?figure=([^"]+)"/g)].map(m => decodeURIComponent(m[1]!)).filter(f => !/^(episodes|unmet|unmet-characteristic|searches|sa):/.test(f))
  const known = new Set(figures.map(([f]) => f))
  for (const f of linked) expect(known.has(f), `linked figure ${f} is checked`).toBe(true)
  for (const [figure, n] of figures) if (n > 0) expect(linked, `figure ${figure} (${n}) has a link`).toContain(figure)
  let checked = 0
  for (const [figure, n] of figures) {
    const drill = await reports.needsDrill(analyst, { ...period, figure })
    expect(drill.count, figure).toBe(n)
    if (drill.kind === 'marac-cases') {
      // Every case is listed: the app's MARAC cases through the de-identified drill view (hearth_report_drill_marac).
      expect(drill.notOpen, figure).toBe(0)
      expect(drill.cases.length, figure).toBe(n)
      expect(new Set(drill.cases.map(c => c.reference)).size, figure).toBe(drill.cases.length)
    } else if (drill.unit === 'people') {
      expect(new Set(drill.episodes.map(e => e.person)).size, figure).toBe(n)
      expect(drill.episodes.length, figure).toBe(drill.episodeCount)
      expect(drill.episodes.every(e => /^Person \d+$/.test(e.person ?? '')), figure).toBe(true)
    } else {
      expect(drill.episodes.length, figure).toBe(n)
      expect(new Set(drill.episodes.map(e => `${e.agency}/${e.recordId}`)).size, figure).toBe(n)
    }
    checked++
  }
  return checked
}
