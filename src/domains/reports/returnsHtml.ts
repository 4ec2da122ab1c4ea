/**
 * The Part 4 return and the SafeLives Marac return as page content (GOV.UK tables), made from the same
 * computed results as their JSON and CSV. Pure.
 */
import type { MaracReturn } from './maracReturn.ts'
import type { Part4Return } from './part4.ts'

const esc = (value: unknown): string => String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * A computed value: a number, or a nested list of named numbers. With drillHref, each count above zero links to the
 * records behind it, by its path ("P4-C2/women": see part4Figures).
 */
function valueHtml(value: unknown, path = '', drillHref?: (figure: string) => string): string {
  if (value === null || value === undefined) return 'Not recorded'
  if (typeof value === 'number') {
    const text = value.toLocaleString('en-GB')
    return drillHref && path && value > 0 ? `<a class="govuk-link" href="${esc(drillHref(path))}">${text}</a>` : text
  }
  if (typeof value === 'string') return esc(value)
  if (Array.isArray(value)) return value.length ? esc(value.join(', ')) : 'None'
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return 'None'
  return `<ul class="govuk-list">${entries.map(([k, v]) => `<li>${esc(k)}: ${valueHtml(v, `${path}/${k}`, drillHref)}</li>`).join('')}</ul>`
}

/** When given, every computed count links to the records behind it (users with report.drill). */
export type Part4HtmlOptions = { drillHref?: (figure: string) => string }

export function part4Body(report: Part4Return, opts: Part4HtmlOptions = {}): string {
  const sections: Record<string, string> = { A: 'Governance', B: 'Provision and capacity', C: 'Individuals and households supported', D: 'Referrals', E: 'Households unable to be supported', F: 'Households that stopped receiving support', G: 'Spend' }
  const computed = report.fields.filter(f => !f.notComputed).length
  return `<h1 class="govuk-heading-l">Part 4 safe accommodation return<span class="govuk-caption-m">${esc(report.partnership.name)}, ${esc(report.period.label)}</span></h1>
<p class="govuk-body" id="summary">${computed} of the return's ${report.fields.length} fields are computed from the safe accommodation records. The others are marked <strong>not computed</strong> with the reason. Field definitions version ${esc(report.definitions.version)}: V verified, P partly verified, I inferred (check against the year's MHCLG template).</p>
${Object.entries(sections).map(([code, title]) => {
    const fields = report.fields.filter(f => f.section === code)
    return `<table class="govuk-table" id="section-${code}"><caption class="govuk-table__caption govuk-table__caption--m">${esc(code)}. ${esc(title)}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Field</th><th scope="col" class="govuk-table__header">Value</th><th scope="col" class="govuk-table__header">Status</th><th scope="col" class="govuk-table__header">Rule</th></tr></thead>
<tbody class="govuk-table__body">${fields.map(f => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${esc(f.id)} ${esc(f.label)}</th><td class="govuk-table__cell">${f.notComputed ? `<strong class="govuk-tag govuk-tag--grey">Not computed</strong> ${esc(f.notComputed.reason)}` : valueHtml(f.value, f.id, opts.drillHref)}</td><td class="govuk-table__cell">${esc(f.status)}</td><td class="govuk-table__cell govuk-body-s">${esc(f.rule)}</td></tr>`).join('')}</tbody></table>`
  }).join('\n')}`
}

/** When given, every count of the Marac return links to its cases: drillHref(meeting date or "total", measure). */
export type MaracReturnHtmlOptions = { drillHref?: (meeting: string, measure: string) => string }

export function maracReturnBody(report: MaracReturn, opts: MaracReturnHtmlOptions = {}): string {
  const cols: [keyof MaracReturn['meetings'][number], string][] = [
    ['cases', 'Cases'], ['repeats', 'Repeats'], ['children', 'Children'], ['referredByPolice', 'Referred by police'], ['referredByPartners', 'Referred by partners'],
    ['minoritised', 'Black, Asian or racially minoritised'], ['lgbt', 'LGBT+'], ['disability', 'Disability'], ['male', 'Male'], ['aged16to17', 'Aged 16-17'],
  ]
  const t = report.totals
  const cell = (meeting: string, measure: string, v: unknown) => `<td class="govuk-table__cell govuk-table__cell--numeric">${opts.drillHref && typeof v === 'number' && v > 0 ? `<a class="govuk-link" href="${esc(opts.drillHref(meeting, measure))}">${esc(v)}</a>` : esc(v)}</td>`
  return `<h1 class="govuk-heading-l">SafeLives Marac quarterly return<span class="govuk-caption-m">${esc(report.partnership.name)}, ${esc(report.period.label)}</span></h1>
<p class="govuk-body">${t.meetings} meeting${t.meetings === 1 ? '' : 's'}, ${t.cases} cases; repeats ${t.repeatPercent ?? 'N/A'}${t.repeatPercent === null ? '' : '%'} (within ${report.repeatWindowMonths} months); referred by partner agencies ${t.partnerPercent ?? 'N/A'}${t.partnerPercent === null ? '' : '%'}. Perpetrators aged 17 or below (M-11) are not recorded in Hearth.</p>
<table class="govuk-table" id="meetings"><caption class="govuk-table__caption govuk-table__caption--m">Cases by meeting date</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Meeting</th>${cols.map(([, h]) => `<th scope="col" class="govuk-table__header govuk-table__header--numeric">${esc(h)}</th>`).join('')}</tr></thead>
<tbody class="govuk-table__body">${report.meetings.map(m => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${esc(m.meetingDate)}</th>${cols.map(([k]) => cell(m.meetingDate, k, m[k])).join('')}</tr>`).join('')}
<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">Total</th>${cols.map(([k]) => cell('total', k, t[k as keyof typeof t])).join('')}</tr></tbody></table>
<h2 class="govuk-heading-m">Definitions (version ${esc(report.definitions.version)})</h2>
<ul class="govuk-list govuk-list--bullet" id="definitions">${Object.entries(report.definitions.fields).map(([id, f]) => `<li>${esc(id)} ${esc(f.label)}: ${esc('rule' in f ? f.rule : '')} (${esc(f.status)})</li>`).join('')}</ul>`
}
