/**
 * Every output of a report is made from the one computed result (QuarterlyReport): the web page and the
 * standalone HTML (and the PDF printed from it) share `quarterlyBody`; CSV, XLSX and JSON flatten the same
 * rows with `quarterlyTable`. So the outputs cannot disagree.
 *
 * Charts are SVG drawn on the server: role="img" with a title and a description, and always the data table
 * beside them (the table is the accessible version, and the chart says so).
 */
import ExcelJS from 'exceljs'
import { csvRow, neutraliseCell } from '../imports/csvSafe.ts'
import type { CountRow, Figures, QuarterlyReport, ReportRow } from './quarterly.ts'

const esc = (value: unknown): string =>
  String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** How a withheld count is printed. */
export const SUPPRESSED = '*'

const num = (v: number | null, suppressed: boolean) => (suppressed ? SUPPRESSED : v === null ? 'N/A' : v.toLocaleString('en-GB'))
const pct = (v: number | null, suppressed: boolean) => (suppressed ? SUPPRESSED : v === null ? 'N/A' : `${v}%`)

// ---------------------------------------------------------------------------------------------------------
// The flat table (CSV, XLSX)
// ---------------------------------------------------------------------------------------------------------

export const quarterlyColumns = [
  'section', 'key', 'label', 'period', 'referrals', 'engaged', 'engagement_percent', 'repeats', 'repeat_percent', 'count', 'suppressed',
] as const

export function quarterlyTable(report: QuarterlyReport): (string | number | null)[][] {
  const out: (string | number | null)[][] = []
  const figureRow = (section: string, r: ReportRow, which: 'current' | 'previous') => {
    const f = r[which]
    const period = which === 'current' ? report.period.shortLabel : report.comparison.shortLabel
    if (f === null) return out.push([section, r.key, r.label, period, null, null, null, null, null, null, 'not-applicable'])
    out.push([section, r.key, r.label, period, f.referrals, f.engaged, f.engagementPercent, f.repeats, f.repeatPercent, null, f.suppressed.join(';')])
  }
  for (const which of ['current', 'previous'] as const) {
    figureRow('total', report.total, which)
    for (const r of report.teams) figureRow('team', r, which)
    for (const r of report.districts) figureRow('district', r, which)
    if (report.unassigned) figureRow('unassigned', report.unassigned, which)
  }
  for (const r of report.police.rows) {
    for (const which of ['current', 'previous'] as const) {
      const f = r[which]
      out.push(['police', r.key, r.label, which === 'current' ? report.period.shortLabel : report.comparison.shortLabel, null, null, null, null, f?.crimeRatePercent ?? null, f?.incidents ?? null, f === null ? 'not-loaded' : ''])
    }
  }
  for (const c of [...report.diversity, report.marac]) {
    for (const which of ['current', 'previous'] as const) {
      out.push([c.key === 'marac' ? 'marac' : 'diversity', c.key, c.label, which === 'current' ? report.period.shortLabel : report.comparison.shortLabel, null, null, null, null, null, c[which], c.suppressed.includes(which) ? 'count' : ''])
    }
  }
  return out
}

export function quarterlyCsv(report: QuarterlyReport): string {
  return csvRow(quarterlyColumns) + quarterlyTable(report).map(r => csvRow(r, { preserveNumbers: true })).join('')
}

export async function quarterlyXlsx(report: QuarterlyReport): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Hearth'
  wb.created = new Date(report.generatedAt)
  const about = wb.addWorksheet('About')
  about.addRows([
    ['Report', `Domestic abuse quarterly performance report, ${report.period.label}`],
    ['Partnership', report.partnership.name],
    ['Compared with', report.comparison.label],
    ['Generated', report.generatedAt],
    ['Version', report.publication ? `Publication (counts under ${report.suppressionThreshold} withheld)` : 'Internal (not for publication)'],
    ['Counting unit', report.countingUnit],
    [],
    ...report.definitions.map(d => [d.title, d.text + (d.inForce.length ? ' In force: ' + d.inForce.map(s => `${s.from} to ${s.to}: ${s.text}`).join('; ') : '')]),
    [],
    ...report.annotations.map(a => [a.date, a.text]),
    [],
    ...report.footnotes.map(f => ['Note', f]),
  ].map(row => row.map(cell => (typeof cell === 'string' ? neutraliseCell(cell) : cell))))
  about.getColumn(1).width = 22
  about.getColumn(2).width = 120
  const data = wb.addWorksheet('Figures')
  data.addRow([...quarterlyColumns])
  data.getRow(1).font = { bold: true }
  for (const row of quarterlyTable(report)) data.addRow(row.map(cell => (typeof cell === 'string' ? neutraliseCell(cell) : cell)))
  data.columns.forEach((c, i) => { c.width = i === 2 ? 40 : 16 })
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

// ---------------------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------------------

export type HtmlOptions = {
  /** When given, each figure links to its records: drillHref(rowKey, measure, which). Only for permitted users. */
  drillHref?: (row: string, measure: string, which: 'current' | 'previous') => string
}

/** A horizontal bar chart of referrals: this quarter and the same quarter a year before. */
export function barChart(id: string, title: string, rows: { label: string; current: number | null; previous: number | null }[], labels: { current: string; previous: string }, missingPrevious = 'N/A'): string {
  const barH = 10
  const gap = 8
  const labelW = 230
  const plotW = 360
  const rowH = barH * 2 + gap
  const top = 28
  const height = top + rows.length * rowH + 10
  const max = Math.max(1, ...rows.flatMap(r => [r.current ?? 0, r.previous ?? 0]))
  const scale = (v: number) => Math.round((v / max) * plotW)
  const desc = rows.map(r => `${r.label}: ${r.current ?? 'not shown'} (${labels.previous}: ${r.previous ?? missingPrevious})`).join('; ')
  const bars = rows.map((r, i) => {
    const y = top + i * rowH
    const c = r.current ?? 0
    const p = r.previous ?? 0
    return `<g><text x="${labelW - 6}" y="${y + barH + 3}" text-anchor="end" font-size="12">${esc(r.label)}</text>`
      + `<rect x="${labelW}" y="${y}" width="${scale(c)}" height="${barH}" fill="#1d70b8"/>`
      + `<text x="${labelW + scale(c) + 4}" y="${y + barH - 1}" font-size="10">${r.current === null ? SUPPRESSED : c}</text>`
      + `<rect x="${labelW}" y="${y + barH}" width="${scale(p)}" height="${barH}" fill="#b1b4b6"/>`
      + `<text x="${labelW + scale(p) + 4}" y="${y + 2 * barH - 1}" font-size="10">${r.previous === null ? esc(missingPrevious) : p}</text></g>`
  }).join('')
  return `<figure class="hearth-chart govuk-!-margin-0 govuk-!-margin-bottom-4">
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${labelW + plotW + 50} ${height}" width="100%" style="max-width:640px" font-family="Arial, sans-serif">
<title id="${id}-title">${esc(title)}</title>
<desc id="${id}-desc">Bar chart. The same figures are in the table below. ${esc(desc)}</desc>
<rect x="${labelW}" y="4" width="10" height="10" fill="#1d70b8"/><text x="${labelW + 14}" y="13" font-size="11">${esc(labels.current)}</text>
<rect x="${labelW + 130}" y="4" width="10" height="10" fill="#b1b4b6"/><text x="${labelW + 144}" y="13" font-size="11">${esc(labels.previous)}</text>
${bars}
</svg>
<figcaption class="govuk-body-s">${esc(title)}. The table below gives the same figures.</figcaption>
</figure>`
}

function cell(f: Figures | null, field: keyof Omit<Figures, 'suppressed'>, opts: HtmlOptions, row: string, which: 'current' | 'previous', measure: string): string {
  if (f === null) return '<td class="govuk-table__cell govuk-table__cell--numeric">N/A</td>'
  const hidden = f.suppressed.includes(field)
  const text = field.endsWith('Percent') ? pct(f[field], hidden) : num(f[field], hidden)
  const body = opts.drillHref && !hidden && f[field] !== null ? `<a class="govuk-link" href="${esc(opts.drillHref(row, measure, which))}">${esc(text)}</a>` : esc(text)
  return `<td class="govuk-table__cell govuk-table__cell--numeric">${body}</td>`
}

function figuresTable(id: string, caption: string, rows: ReportRow[], report: QuarterlyReport, opts: HtmlOptions, firstHeader: string): string {
  const head = ['Referrals', 'Engagement', 'Repeats', `${report.comparison.shortLabel} referrals for comparison`]
  const body = rows.map(r => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${esc(r.label)}</th>`
    + cell(r.current, 'referrals', opts, r.key, 'current', 'referrals')
    + cell(r.current, 'engagementPercent', opts, r.key, 'current', 'engaged')
    + cell(r.current, 'repeatPercent', opts, r.key, 'current', 'repeats')
    + cell(r.previous, 'referrals', opts, r.key, 'previous', 'referrals') + '</tr>').join('\n')
  return `<table class="govuk-table" id="${id}"><caption class="govuk-table__caption govuk-table__caption--m">${esc(caption)}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">${esc(firstHeader)}</th>${head.map(h => `<th scope="col" class="govuk-table__header govuk-table__header--numeric">${esc(h)}</th>`).join('')}</tr></thead>
<tbody class="govuk-table__body">${body}</tbody></table>`
}

function countsTable(id: string, caption: string, rows: CountRow[], report: QuarterlyReport, opts: HtmlOptions): string {
  const c = (r: CountRow, which: 'current' | 'previous') => {
    const hidden = r.suppressed.includes(which)
    const text = num(r[which], hidden)
    const measure = r.key.startsWith('diversity:') ? r.key.slice(10) : r.key === 'marac' ? 'referrals' : null
    const link = opts.drillHref && !hidden && measure && r[which] !== null ? `<a class="govuk-link" href="${esc(opts.drillHref(r.key, measure, which))}">${esc(text)}</a>` : esc(text)
    return `<td class="govuk-table__cell govuk-table__cell--numeric">${link}</td>`
  }
  return `<table class="govuk-table" id="${id}"><caption class="govuk-table__caption govuk-table__caption--m">${esc(caption)}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header"></th><th scope="col" class="govuk-table__header govuk-table__header--numeric">${esc(report.period.shortLabel)}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">${esc(report.comparison.shortLabel)}</th></tr></thead>
<tbody class="govuk-table__body">${rows.map(r => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${esc(r.label)}</th>${c(r, 'current')}${c(r, 'previous')}</tr>`).join('\n')}</tbody></table>`
}

function policeTable(report: QuarterlyReport): string {
  if (!report.police.available) return `<p class="govuk-body" id="police">${esc(report.police.note)}</p>`
  const n = (v: number | null | undefined) => (v === null || v === undefined ? 'N/A' : v.toLocaleString('en-GB'))
  const p = (v: number | null | undefined) => (v === null || v === undefined ? 'N/A' : `${v}%`)
  const c = (text: string) => `<td class="govuk-table__cell govuk-table__cell--numeric">${esc(text)}</td>`
  return `<table class="govuk-table" id="police"><caption class="govuk-table__caption govuk-table__caption--m">Police DA incidents and crime rate</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">District</th>${[`Incidents ${report.period.shortLabel}`, `Incidents ${report.comparison.shortLabel}`, `Crime rate ${report.period.shortLabel}`, `Crime rate ${report.comparison.shortLabel}`].map(h => `<th scope="col" class="govuk-table__header govuk-table__header--numeric">${esc(h)}</th>`).join('')}</tr></thead>
<tbody class="govuk-table__body">${report.police.rows.map(r => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${esc(r.label)}</th>${c(n(r.current?.incidents))}${c(n(r.previous?.incidents))}${c(p(r.current?.crimeRatePercent))}${c(p(r.previous?.crimeRatePercent))}</tr>`).join('\n')}</tbody></table>
<p class="govuk-body-s">${esc(report.police.note)}</p>`
}

/** The report's content (headings, charts, tables, definitions, footnotes), for the page and the standalone document. */
export function quarterlyBody(report: QuarterlyReport, opts: HtmlOptions = {}): string {
  const labels = { current: report.period.shortLabel, previous: report.comparison.shortLabel }
  const chartRows = (rows: ReportRow[]) => rows.map(r => ({ label: r.label, current: r.current.referrals, previous: r.previous?.referrals ?? null }))
  const totalRows = [report.total, ...(report.unassigned ? [report.unassigned] : [])]
  return `<h1 class="govuk-heading-l">Domestic abuse quarterly performance report<span class="govuk-caption-m">${esc(report.partnership.name)}, ${esc(report.period.label)}</span></h1>
${report.publication ? `<div class="govuk-inset-text">Publication version: counts under ${report.suppressionThreshold} are withheld and shown as ${SUPPRESSED}.</div>` : '<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>Internal version with small numbers: not for publication.</strong></div>'}
<p class="govuk-body">Compared with ${esc(report.comparison.label)}. Counting unit: referrals. Generated ${esc(report.generatedAt.slice(0, 16).replace('T', ' '))} UTC from ${report.sources.importedReferrals.toLocaleString('en-GB')} imported and ${report.sources.appReferrals.toLocaleString('en-GB')} app-entered referrals.</p>
${figuresTable('total', 'Total IDVA referrals', totalRows, report, opts, '')}
${report.reconciliation.note ? `<p class="govuk-body govuk-!-font-weight-bold" id="reconciliation">${esc(report.reconciliation.note)}</p>` : ''}
<h2 class="govuk-heading-m">All risk level IDVAs (specialist teams)</h2>
${barChart('chart-teams', `Referrals by specialist team, ${labels.current} and ${labels.previous}`, chartRows(report.teams), labels)}
${figuresTable('teams', `${report.period.shortLabel} by specialist team`, report.teams, report, opts, 'Team')}
<h2 class="govuk-heading-m">High-risk IDVAs by district</h2>
${barChart('chart-districts', `High-risk referrals by district, ${labels.current} and ${labels.previous}`, chartRows(report.districts), labels)}
${figuresTable('districts', `${report.period.shortLabel} by district`, report.districts, report, opts, 'District')}
${countsTable('diversity', 'Diversity', report.diversity, report, opts)}
${countsTable('other', 'Other relevant data', [report.marac], report, opts)}
${policeTable(report)}
<h2 class="govuk-heading-m">Definitions</h2>
<dl class="govuk-summary-list">${report.definitions.map(d => `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${esc(d.title)}</dt><dd class="govuk-summary-list__value">${esc(d.text)}${d.inForce.length ? `<ul class="govuk-list govuk-list--bullet">${d.inForce.map(s => `<li>${esc(s.from)} to ${esc(s.to)}: ${esc(s.text)}${s.targetPercent !== undefined ? ` (target ${s.targetPercent}%)` : ''}</li>`).join('')}</ul>` : ''}</dd></div>`).join('')}</dl>
${report.annotations.length ? `<h2 class="govuk-heading-m">Changes that affect the trend</h2><ul class="govuk-list govuk-list--bullet" id="annotations">${report.annotations.map(a => `<li>${esc(a.date)}: ${esc(a.text)}${a.source ? ` (${esc(a.source)})` : ''}</li>`).join('')}</ul>` : ''}
<h2 class="govuk-heading-m">Notes</h2>
<ul class="govuk-list govuk-list--bullet" id="footnotes">${report.footnotes.map(f => `<li>${esc(f)}</li>`).join('')}</ul>`
}

/** A standalone HTML document (the CLI's html format, and what Chromium prints to PDF). */
export function quarterlyHtml(report: QuarterlyReport): string {
  return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Quarterly performance report ${esc(report.period.shortLabel)} - ${esc(report.partnership.name)}</title>
<style>
body{font-family:Arial,sans-serif;color:#0b0c0c;margin:2em;max-width:60em}
table{border-collapse:collapse;margin:0 0 1.5em;width:100%}caption{text-align:left;font-weight:bold;font-size:1.2em;margin-bottom:.5em}
th,td{border-bottom:1px solid #b1b4b6;padding:.4em .6em;text-align:left}.govuk-table__cell--numeric,.govuk-table__header--numeric{text-align:right}
.govuk-caption-m{display:block;color:#505a5f;font-size:.6em;font-weight:normal}.govuk-visually-hidden{position:absolute;left:-9999px}
dt{font-weight:bold}dd{margin:0 0 1em}figure{margin:0 0 1em}a{color:#1d70b8}
@media print{body{margin:0}h2{break-after:avoid}table,figure{break-inside:avoid}}
</style></head><body><main>
${quarterlyBody(report)}
</main></body></html>
`
}
