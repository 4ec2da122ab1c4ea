/**
 * The data quality report laid out like the sources' "Summary of Datasets" table: fields down the side,
 * agencies across, a "Recorded?" row and the unknown percentages for each field, then timeliness,
 * consistency and linkage in the same layout. Pure: report in, text out.
 *
 * - `qualityTable(report)`: the table as rows of cells (for a web page to render with its own templates);
 * - `qualityCsv(report)`: CSV, formula-safe (csvSafe), with a BOM so that Excel reads it as UTF-8;
 * - `qualityHtml(report)`: a standalone HTML document (escaped), for `hearth quality --format html`.
 */
import { csvRow } from '../imports/csvSafe.ts'
import type { QualityReport } from './report.ts'

export interface QualityTableRow {
  /** The field or section ("Ethnicity", "Referral to first contact"...). */
  readonly group: string
  readonly measure: string
  /** One cell per agency, in report.agencies order. '' where nothing applies (as the sources leave blanks). */
  readonly cells: readonly string[]
}

export interface QualityTable {
  readonly headers: readonly string[]
  readonly rows: readonly QualityTableRow[]
}

const pct = (n: number | null | undefined) => (n === null || n === undefined ? '' : `${n}%`)
const num = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n))

export function qualityTable(report: QualityReport): QualityTable {
  const codes = report.agencies.map((a) => a.code)
  const rows: QualityTableRow[] = []
  const add = (group: string, measure: string, cell: (code: string) => string) => rows.push({ group, measure, cells: codes.map(cell) })

  add('Episodes', `Referred ${report.period.from} to ${report.period.to}`, (c) => String(report.agencies.find((a) => a.code === c)!.rows))
  for (const f of report.fields) {
    add(f.label, 'Recorded?', (c) => (f.byAgency[c]!.recorded ? 'Yes' : 'No'))
    add(f.label, '% not known', (c) => pct(f.byAgency[c]!.pctNotKnown))
    add(f.label, '% declined', (c) => pct(f.byAgency[c]!.pctDeclined))
    add(f.label, '% unknown (not known + declined)', (c) => pct(f.byAgency[c]!.pctUnknown))
    add(f.label, '% not recorded (blank)', (c) => pct(f.byAgency[c]!.pctBlank))
  }
  const t = report.timeliness
  const timely = 'Referral to first contact'
  add(timely, 'Episodes with a first contact date', (c) => num(t[c]?.withFirstContact))
  add(timely, 'Median days', (c) => num(t[c]?.medianDays))
  add(timely, 'Mean days', (c) => num(t[c]?.meanDays))
  add(timely, '90th percentile, days', (c) => num(t[c]?.p90Days))
  add(timely, '% within 2 days', (c) => pct(t[c]?.pctWithin2Days))

  const risk = report.consistency.riskVsDash
  const riskGroup = 'Risk level against DASH score (bands in force on the referral date)'
  if (risk) {
    add(riskGroup, 'Episodes checked', (c) => num(risk[c]?.checked))
    add(riskGroup, '% consistent', (c) => pct(risk[c]?.pctConsistent))
    add(riskGroup, 'Recorded higher than the DASH band', (c) => num(risk[c]?.higher))
    add(riskGroup, 'Recorded lower than the DASH band', (c) => num(risk[c]?.lower))
  } else add(riskGroup, 'Not available: no partnership profile', () => '')
  const children = report.consistency.children
  const childGroup = 'Children count against household type'
  add(childGroup, 'Episodes checked', (c) => num(children[c]?.checked))
  add(childGroup, 'Inconsistent', (c) => num(children[c]?.inconsistent))
  add(childGroup, '% inconsistent', (c) => pct(children[c]?.pctInconsistent))
  const team = report.consistency.team
  const teamGroup = 'Team against its eligibility rules'
  if (team) {
    add(teamGroup, 'Episodes with a team', (c) => num(team[c]?.withTeam))
    add(teamGroup, 'Checked', (c) => num(team[c]?.checked))
    add(teamGroup, 'Eligible', (c) => num(team[c]?.eligible))
    add(teamGroup, 'Not eligible', (c) => num(team[c]?.notEligible))
    add(teamGroup, 'Cannot be checked', (c) => num(team[c]?.notCheckable))
  } else add(teamGroup, 'Not available: no partnership profile', () => '')
  const link = report.linkage
  const linkGroup = 'Linked to another agency (same name and date of birth)'
  add(linkGroup, 'Episodes with name and date of birth', (c) => num(link[c]?.linkable))
  add(linkGroup, 'Linked', (c) => num(link[c]?.linked))
  add(linkGroup, '% linked', (c) => pct(link[c]?.pctLinked))

  return { headers: ['Field', 'Measure', ...report.agencies.map((a) => a.name)], rows }
}

export function qualityCsv(report: QualityReport): string {
  const table = qualityTable(report)
  let out = '\uFEFF' + csvRow(table.headers)
  for (const r of table.rows) out += csvRow([r.group, r.measure, ...r.cells])
  return out
}

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

export function qualityHtml(report: QualityReport): string {
  const table = qualityTable(report)
  const e = escapeHtml
  const body: string[] = []
  let i = 0
  while (i < table.rows.length) {
    const group = table.rows[i]!.group
    let span = 0
    while (i + span < table.rows.length && table.rows[i + span]!.group === group) span++
    for (let k = 0; k < span; k++) {
      const r = table.rows[i + k]!
      const head = k === 0 ? `<th scope="rowgroup" rowspan="${span}">${e(group)}</th>` : ''
      body.push(`<tr>${head}<th scope="row">${e(r.measure)}</th>${r.cells.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`)
    }
    i += span
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${e(report.title)}: ${e(report.partnership.name)}</title>
<style>
body { font-family: Arial, sans-serif; margin: 1.5rem; color: #0b0c0c; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; vertical-align: top; }
thead th { background: #f3f2f1; }
td { text-align: right; }
th[scope="rowgroup"] { text-align: left; background: #f8f8f8; }
th[scope="row"] { text-align: left; font-weight: normal; }
</style>
</head>
<body>
<h1>${e(report.title)}</h1>
<p>${e(report.partnership.name)}. Episodes referred from ${e(report.period.from)} to ${e(report.period.to)}. Data standard ${e(report.standardVersion)}. Produced ${e(report.generatedAt)}.</p>
<table>
<caption>Fields down the side, agencies across. Blank: the agency does not record the field.</caption>
<thead><tr>${table.headers.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table>
<ul>
${report.notes.map((n) => `<li>${e(n)}</li>`).join('\n')}
</ul>
</body>
</html>
`
}
