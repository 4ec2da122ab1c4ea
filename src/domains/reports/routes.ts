/**
 * Report pages. /reports/quarterly?quarter=2022-Q1[&publication=1]: the page (charts and tables);
 * /reports/quarterly/2022-Q1.{json,csv,xlsx,html,pdf}: the same computed result as files;
 * /reports/quarterly/2022-Q1/drill?row=…&measure=…&which=current|previous: the records behind a figure
 * (report.drill only). Readers without report.read get "not found", as elsewhere.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { htmlToPdf } from './cli.ts'
import { accommodationTypeLabels, declineReasonLabels, moveOnDestinationLabels, reasonCodeLabels, type ReasonCode, stayBands, unmetCharacteristics } from '../accommodation/rules.ts'
import { needsBody, needsHtml } from './needs.ts'
import { needsCsv, needsXlsx } from './needsPublication.ts'
import { maracReturnCsv } from './maracReturn.ts'
import { PART4_DEFINITIONS, type Part4FieldId } from './part4.ts'
import { maracReturnBody, part4Body } from './returnsHtml.ts'
import { csvRow } from '../imports/csvSafe.ts'
import { quarterlyBody, quarterlyCsv, quarterlyHtml, quarterlyXlsx } from './render.ts'
import { parseQuarter } from './rules.ts'
import { labelOf } from '../../standard/codeLists.ts'

/** The characteristic tables of the needs assessment, as a drill page names them. */
const episodeDimensionLabels: Record<string, string> = {
  age: 'age band', sex: 'sex', 'gender-identity': 'gender identity', ethnicity: 'ethnicity', disability: 'disability',
  'sexual-orientation': 'sexual orientation', nrpf: 'no recourse to public funds', children: 'children',
}
import { createReportService, type DrillMeasure, MARAC_DRILL_MEASURES, type MaracDrillMeasure, ReportError } from './service.ts'

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/** The Part 4 return's record kinds, as a drill page names them. */
const part4KindLabels: Record<string, string> = {
  space: 'Room', sanctuary: 'Sanctuary job', member: 'Household member', household: 'Household (stay)', referral: 'Referral to a provider',
  declined: 'Referral declined', ended: 'Stay ended',
}

/** The needs assessment's safe accommodation records and figures (`sa:…`), as a drill page names them. */
const accommodationKindLabels: Record<string, string> = { unit: 'Unit', space: 'Room', stay: 'Stay', referral: 'Referral to a provider', declined: 'Referral declined' }
const referralStatusLabels: Record<string, string> = { pending: 'waiting for a decision', accepted: 'accepted (room held)', placed: 'placed', declined: 'declined', withdrawn: 'withdrawn' }
const label = (labels: Record<string, string>, code: string) => labels[code] ?? code
function accommodationHeading(figure: string): string {
  const [, part, a = '', b = ''] = figure.split(':')
  const type = (code: string) => (code === 'all' ? 'all safe accommodation' : label(accommodationTypeLabels, code))
  switch (part) {
    case 'demand': return `${label({ bedspaces: 'Bedspaces', referrals: 'Referrals to providers', declined: 'Referrals declined', households: 'Households supported', occupancy: 'Occupancy' }, b)}: ${type(a)}`
    case 'outcome': return `Referrals to providers in the period: ${label(referralStatusLabels, a)}`
    case 'declined': return `Referrals declined, for: ${label(declineReasonLabels, a)}`
    case 'occupancy': return label({ bedspaces: 'Bedspaces', percent: 'Occupancy (room-nights with a household in)', 'moved-in': 'Households moved in', 'moved-out': 'Households moved out', 'in-at-end': 'Households in at the end of the period' }, a)
    case 'stay': return label({ ended: 'Stays ended in the period', median: 'Median length of stay', mean: 'Mean length of stay', longest: 'Longest stay' }, a)
    case 'stay-band': return `Stays ended in the period, length: ${stayBands.find(s => s.code === a)?.label ?? a}`
    case 'move-on': return `Move-on: ${label(moveOnDestinationLabels, a)}`
    default: return figure
  }
}

/** The Marac return's columns, as a drill page names them. */
const maracMeasureLabels: Record<MaracDrillMeasure, string> = {
  cases: 'MARAC cases', repeats: 'Repeat cases', children: 'Cases with children in the household', referredByPolice: 'Cases referred by police',
  referredByPartners: 'Cases referred by partner agencies', minoritised: 'Cases: victim Black, Asian or racially minoritised', lgbt: 'Cases: victim LGBT+',
  disability: 'Cases: victim has a disability', male: 'Cases: victim male', aged16to17: 'Cases: victim aged 16-17',
}

const measures: DrillMeasure[] = ['referrals', 'engaged', 'repeats', 'male', 'disability', 'lgbt']
const quarterPattern = /^\d{4}-Q[1-4]$/

export const reportRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const reports = createReportService({ db: services.db, now: services.clock })
  const reader = (request: FastifyRequest): Actor => {
    const actor = request.actor
    if (!actor || !can(actor.roles, 'report.read')) throw new NotFoundError()
    return actor
  }

  app.get('/reports', async (request, reply) => {
    reader(request)
    return reply.redirect('/reports/quarterly')
  })

  app.get('/reports/quarterly', async (request, reply) => {
    const actor = reader(request)
    const query = request.query as Record<string, string | undefined>
    const quarter = (query.quarter ?? '').trim()
    const publication = query.publication === '1'
    const base = { title: 'Quarterly performance report', quarter, publication, mayDrill: can(actor.roles, 'report.drill') }
    if (quarter === '') return reply.view('reports/views/quarterly.njk', base)
    if (!quarterPattern.test(quarter)) {
      return reply.code(400).view('reports/views/quarterly.njk', { ...base, error: 'Enter a quarter like 2022-Q1 (April to June 2022)' })
    }
    const report = await reports.quarterly(actor, { quarter, publication })
    const drillable = base.mayDrill && !publication
    const body = quarterlyBody(report, drillable ? { drillHref: (row, measure, which) => `/reports/quarterly/${quarter}/drill?row=${encodeURIComponent(row)}&measure=${measure}&which=${which}` } : {})
    const suffix = publication ? '?publication=1' : ''
    const downloads = ['pdf', 'xlsx', 'csv', 'json'].map(f => ({ text: f.toUpperCase(), href: `/reports/quarterly/${quarter}.${f}${suffix}` }))
    return reply.view('reports/views/quarterly.njk', { ...base, title: `Quarterly performance report ${report.period.shortLabel}`, body, downloads })
  })

  const isoDate = /^\d{4}-\d{2}-\d{2}$/
  const needs = async (request: FastifyRequest) => {
    const actor = reader(request)
    const query = request.query as Record<string, string | undefined>
    const from = (query.from ?? '').trim()
    const to = (query.to ?? '').trim()
    const publication = query.publication === '1'
    if (from === '' && to === '') return { actor, from, to, publication, report: null, error: null }
    if (!isoDate.test(from) || !isoDate.test(to)) return { actor, from, to, publication, report: null, error: 'Enter both dates as YYYY-MM-DD' }
    try {
      return { actor, from, to, publication, report: await reports.needsAssessment(actor, { from, to, publication }), error: null }
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-period') return { actor, from, to, publication, report: null, error: error.message }
      throw error
    }
  }

  app.get('/reports/needs-assessment', async (request, reply) => {
    const { actor, from, to, publication, report, error } = await needs(request)
    const mayDrill = can(actor.roles, 'report.drill')
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const body = report ? needsBody(report, mayDrill && !publication ? { drillHref: figure => `/reports/needs-assessment/drill?${q}&figure=${encodeURIComponent(figure)}` } : {}) : null
    const downloads = report ? ['pdf', 'xlsx', 'csv', 'json'].map(f => ({ text: f.toUpperCase(), href: `/reports/needs-assessment.${f}?${q}${publication ? '&publication=1' : ''}` })) : []
    return reply.code(error ? 400 : 200).view('reports/views/needs.njk', { title: 'Needs assessment', from, to, publication, error, body, downloads, mayDrill })
  })

  for (const format of ['json', 'csv', 'xlsx', 'html', 'pdf'] as const) {
    app.get(`/reports/needs-assessment.${format}`, async (request, reply) => {
      const { report, error } = await needs(request)
      if (!report) {
        if (format === 'json') return reply.code(400).send({ error: 'bad-request', message: error ?? 'Give from and to as YYYY-MM-DD' })
        return reply.code(400).view('errors/bad-request.njk', { message: error ?? 'Give from and to as YYYY-MM-DD' })
      }
      const name = `needs-assessment-${report.period.from}-${report.period.to}${report.publication ? '-publication' : ''}.${format}`
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store')
      switch (format) {
        case 'json': return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2))
        case 'csv': return reply.type('text/csv; charset=utf-8').send(needsCsv(report))
        case 'xlsx': return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(await needsXlsx(report)))
        case 'html': return reply.type('text/html; charset=utf-8').send(needsHtml(report))
        default: return reply.type('application/pdf').send(Buffer.from(await htmlToPdf(needsHtml(report))))
      }
    })
  }

  /** The heading of a needs assessment drill-down to episodes, naming the table and the figure's row. */
  const episodesHeading = async (actor: Actor, figure: string): Promise<string> => {
    const [kind, a = '', b = ''] = figure.split(':') as [string, string?, string?]
    const service = (code: string) => (code === 'all' ? 'all services' : code)
    const profile = await reports.profileOf(actor.partnershipId)
    switch (kind) {
      case 'people': return { episodes: `Episodes: ${service(a)}`, 'within-agencies': `People within each agency: ${service(a)}`, unique: `Unique people: ${service(a)}` }[b] ?? figure
      case 'used': return `People who used ${a === '3+' ? '3 or more services' : a === '1' ? '1 service' : `${a} services`} in the period`
      case 'district': return `Episodes: ${profile.districts.find(d => d.code === a)?.name ?? a}, all services (rates per 1,000 population aged 16+)`
      case 'idva-team': return `IDVA referrals: ${profile.teams.find(t => t.code === a)?.name ?? a} (referrals per FTE)`
      case 'trend': return `Episodes: ${service(b)}, ${a}/${String((Number(a) + 1) % 100).padStart(2, '0')}`
      default: {
        const field = ({ sex: 'sex', 'gender-identity': 'gender_identity', ethnicity: 'ethnicity', 'sexual-orientation': 'sexual_orientation' } as const)[a as 'sex']
        return `Episodes: ${episodeDimensionLabels[a] ?? a}: ${(field && labelOf(field, b)) || b} (all services)`
      }
    }
  }

  app.get('/reports/needs-assessment/drill', async (request, reply) => {
    const actor = reader(request)
    if (!can(actor.roles, 'report.drill')) throw new NotFoundError()
    const query = request.query as Record<string, string | undefined>
    const from = query.from ?? ''
    const to = query.to ?? ''
    if (!isoDate.test(from) || !isoDate.test(to) || !query.figure) throw new NotFoundError()
    try {
      const result = await reports.needsDrill(actor, { from, to, figure: query.figure })
      const back = `/reports/needs-assessment?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
      if (result.kind === 'episodes') {
        const heading = await episodesHeading(actor, query.figure)
        return reply.view('reports/views/needs-episodes-drill.njk', { title: heading, heading, result, back, people: result.unit === 'people' })
      }
      if (result.kind === 'accommodation') {
        const heading = accommodationHeading(query.figure)
        const records = (result.accommodation ?? []).map(r => ({
          ...r, what: accommodationKindLabels[r.kind], type: r.accommodationType ? label(accommodationTypeLabels, r.accommodationType) : '',
          counted: r.kind === 'referral' ? `referral, now ${label(referralStatusLabels, r.status ?? '')}`
            : r.kind === 'declined' ? `declined: ${label(declineReasonLabels, r.reason ?? 'other')}`
            : r.kind === 'stay' ? (r.endedOn && r.endedOn <= result.period.to ? `stay ended after ${r.nights} night${r.nights === 1 ? '' : 's'}; moved on to: ${label(moveOnDestinationLabels, r.reason ?? 'not-known')}` : 'household in during the period')
            : r.kind === 'space' ? 'room (bedspace)' : 'unit',
        }))
        const basis = /^sa:stay:/.test(query.figure) ? 'the stays that ended in the period' : 'the rooms (bedspaces), and the stays in the period that occupied them'
        const rateText = result.rate ? (result.rate.value === null ? 'not computed' : `${result.rate.value}${result.rate.label.includes('%') ? '%' : ''}`) : ''
        return reply.view('reports/views/needs-accommodation-drill.njk', { title: heading, heading, result, records, basis, rateText, back: `${back}#safe-accommodation` })
      }
      if (result.kind === 'marac-cases') {
        const heading = 'MARAC cases (the benchmark\'s cases per 10,000 adult females)'
        return reply.view('reports/views/marac-drill.njk', { title: heading, heading, caption: `${result.period.label}`, result, back, backText: 'Back to the needs assessment' })
      }
      const reason = query.figure.slice('unmet:'.length)
      const characteristic = query.figure.startsWith('unmet-characteristic:') ? query.figure.slice('unmet-characteristic:'.length) : null
      const heading = query.figure === 'searches:all' ? 'All vacancy searches'
        : characteristic ? `Searches that found no suitable room, for a household: ${unmetCharacteristics.find(c => c.code === characteristic)?.label ?? characteristic}`
        : reason === 'all' ? 'Searches that found no suitable room' : `Searches that found no suitable room, where units were ruled out for: ${reasonCodeLabels[reason as ReasonCode] ?? reason}`
      const labels = result.searches.map(s => ({ ...s, reasons: s.reasonCodes.map(c => reasonCodeLabels[c as ReasonCode] ?? c).join(', ') }))
      return reply.view('reports/views/needs-drill.njk', { title: heading, heading, result, searches: labels, back: `${back}#safe-accommodation` })
    } catch (error) {
      if (error instanceof ReportError && (error.code === 'invalid-figure' || error.code === 'invalid-period')) throw new NotFoundError()
      throw error
    }
  })

  app.get<{ Params: { file: string } }>('/reports/quarterly/:file', async (request, reply) => {
    const actor = reader(request)
    const match = /^(\d{4}-Q[1-4])\.(json|csv|xlsx|html|pdf)$/.exec(request.params.file)
    if (!match) throw new NotFoundError()
    const [, quarter, format] = match as unknown as [string, string, string]
    const publication = (request.query as Record<string, string | undefined>).publication === '1'
    const report = await reports.quarterly(actor, { quarter, publication })
    const name = `quarterly-${quarter}${publication ? '-publication' : ''}.${format}`
    reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store')
    switch (format) {
      case 'json': return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2))
      case 'csv': return reply.type('text/csv; charset=utf-8').send(quarterlyCsv(report))
      case 'xlsx': return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(await quarterlyXlsx(report)))
      case 'html': return reply.type('text/html; charset=utf-8').send(quarterlyHtml(report))
      default: return reply.type('application/pdf').send(Buffer.from(await htmlToPdf(quarterlyHtml(report))))
    }
  })

  app.get<{ Params: { quarter: string } }>('/reports/quarterly/:quarter/drill', async (request, reply) => {
    const actor = reader(request)
    if (!can(actor.roles, 'report.drill')) throw new NotFoundError()
    const quarter = request.params.quarter
    const query = request.query as Record<string, string | undefined>
    const measure = (query.measure ?? 'referrals') as DrillMeasure
    const which = query.which === 'previous' ? 'previous' : 'current'
    if (!quarterPattern.test(quarter) || !measures.includes(measure) || !query.row) throw new NotFoundError()
    if (query.row === 'marac') {
      const result = await reports.quarterlyMaracDrill(actor, { quarter, which })
      const heading = `MARAC cases: ${which === 'current' ? 'the quarter' : 'the same quarter a year before'}`
      return reply.view('reports/views/marac-drill.njk', { title: heading, heading, caption: result.period.label, result, back: `/reports/quarterly?quarter=${parseQuarter(quarter).code}`, backText: 'Back to the report' })
    }
    try {
      const result = await reports.drill(actor, { quarter, row: query.row, measure, which })
      const profile = await reports.profileOf(actor.partnershipId)
      const [kind, code] = query.row.split(':')
      const label = kind === 'team' ? profile.teams.find(t => t.code === code)?.name : kind === 'district' ? `High-risk IDVA, ${profile.districts.find(d => d.code === code)?.name}` : query.row === 'total' ? 'All IDVA referrals' : query.row === 'unassigned' ? 'Referrals in no team or district row' : query.row
      const what = { referrals: 'Referrals', engaged: 'Engaged referrals', repeats: 'Repeat referrals', male: 'Male referrals', disability: 'Referrals declaring a disability', lgbt: 'LGBT referrals' }[measure]
      return reply.view('reports/views/drill.njk', { title: `${what}: ${label}`, heading: `${what}: ${label}`, result, back: `/reports/quarterly?quarter=${parseQuarter(quarter).code}` })
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-figure') throw new NotFoundError()
      throw error
    }
  })

  // ---- The Part 4 return and the SafeLives Marac return ------------------------------------------------
  const yearPattern = /^\d{4}-\d{2}$/
  app.get('/reports/part4', async (request, reply) => {
    const actor = reader(request)
    const year = ((request.query as Record<string, string | undefined>).year ?? '').trim()
    const base = { title: 'Part 4 safe accommodation return', action: '/reports/part4', button: 'Show return', field: { name: 'year', label: 'Financial year, for example 2023-24 for April 2023 to March 2024', value: year } }
    if (year === '') return reply.view('reports/views/return.njk', base)
    try {
      if (!yearPattern.test(year)) throw new ReportError('invalid-period', 'Enter a financial year like 2023-24')
      const report = await reports.part4(actor, { year })
      const drillHref = can(actor.roles, 'report.drill') ? (figure: string) => `/reports/part4/drill?year=${report.period.code}&figure=${encodeURIComponent(figure)}` : undefined
      return reply.view('reports/views/return.njk', { ...base, title: `Part 4 safe accommodation return ${report.period.code}`, body: part4Body(report, { drillHref }), downloads: [{ text: 'JSON', href: `/reports/part4/${report.period.code}.json` }] })
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-period') return reply.code(400).view('reports/views/return.njk', { ...base, error: error.message })
      throw error
    }
  })
  app.get('/reports/part4/drill', async (request, reply) => {
    const actor = reader(request)
    if (!can(actor.roles, 'report.drill')) throw new NotFoundError()
    const query = request.query as Record<string, string | undefined>
    const year = query.year ?? ''
    if (!yearPattern.test(year) || !query.figure) throw new NotFoundError()
    try {
      const result = await reports.part4Drill(actor, { year, figure: query.figure })
      const [field, ...path] = result.figure.split('/')
      const definition = PART4_DEFINITIONS.fields[field as Part4FieldId]
      const heading = `${field} ${definition.label}${path.length ? `: ${path.filter(p => !['byType', 'byReturnCategory', 'byReason', 'byDestination', 'byAgencyKind', 'characteristics'].includes(p)).join(', ')}` : ''}`
      const characteristic = field === 'P4-C6' && path[0] === 'characteristics' ? path[1] : null
      const records = result.records.map(r => ({
        ...r, what: part4KindLabels[r.kind],
        counted: r.kind === 'member' ? [r.role, r.gender ?? 'gender not recorded', ...(field === 'P4-C2-trans' ? [`trans: ${r.trans ?? 'not asked'}`] : [])].join(', ')
          : r.kind === 'household' ? (characteristic ? `lead adult: ${characteristic}${path[2] === 'knownFor' ? ' (recorded)' : ''}` : 'household')
          : r.kind === 'referral' ? `${r.status}; from ${r.referrerKind}`
          : r.kind === 'declined' ? `declined: ${r.reason}`
          : r.kind === 'ended' ? `moved on: ${r.reason}`
          : r.kind === 'space' ? (r.byAndFor?.length ? `by and for: ${r.byAndFor.join(', ')}` : 'room')
          : 'sanctuary measures fitted',
      }))
      return reply.view('reports/views/part4-drill.njk', { title: heading, heading, result, records, rule: definition.rule, back: `/reports/part4?year=${result.year}` })
    } catch (error) {
      if (error instanceof ReportError && (error.code === 'invalid-figure' || error.code === 'invalid-period')) throw new NotFoundError()
      throw error
    }
  })
  app.get<{ Params: { file: string } }>('/reports/part4/:file', async (request, reply) => {
    const actor = reader(request)
    const match = /^(\d{4}-\d{2})\.json$/.exec(request.params.file)
    if (!match) throw new NotFoundError()
    try {
      const report = await reports.part4(actor, { year: match[1]! })
      return reply.header('content-disposition', `attachment; filename="part4-${report.period.code}.json"`).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2))
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-period') throw new NotFoundError()
      throw error
    }
  })

  app.get('/reports/marac-return', async (request, reply) => {
    const actor = reader(request)
    const quarter = ((request.query as Record<string, string | undefined>).quarter ?? '').trim()
    const base = { title: 'SafeLives Marac quarterly return', action: '/reports/marac-return', button: 'Show return', field: { name: 'quarter', label: 'Quarter (financial year), for example 2022-Q1 for April to June 2022', value: quarter } }
    if (quarter === '') return reply.view('reports/views/return.njk', base)
    if (!quarterPattern.test(quarter)) return reply.code(400).view('reports/views/return.njk', { ...base, error: 'Enter a quarter like 2022-Q1 (April to June 2022)' })
    const report = await reports.maracReturn(actor, { quarter })
    const drillHref = can(actor.roles, 'report.drill') ? (meeting: string, measure: string) => `/reports/marac-return/drill?quarter=${report.period.code}&meeting=${meeting}&measure=${measure}` : undefined
    return reply.view('reports/views/return.njk', {
      ...base, title: `SafeLives Marac quarterly return ${report.period.code}`, body: maracReturnBody(report, { drillHref }),
      downloads: ['csv', 'json'].map(f => ({ text: f.toUpperCase(), href: `/reports/marac-return/${report.period.code}.${f}` })),
    })
  })
  app.get('/reports/marac-return/drill', async (request, reply) => {
    const actor = reader(request)
    if (!can(actor.roles, 'report.drill')) throw new NotFoundError()
    const query = request.query as Record<string, string | undefined>
    const quarter = query.quarter ?? ''
    const measure = query.measure as MaracDrillMeasure
    if (!quarterPattern.test(quarter) || !query.meeting || !MARAC_DRILL_MEASURES.includes(measure)) throw new NotFoundError()
    try {
      const result = await reports.maracReturnDrill(actor, { quarter, meeting: query.meeting, measure })
      const what = maracMeasureLabels[measure]
      const heading = `${what}: ${result.meeting === 'total' ? 'all meetings' : `meeting of ${longDate.format(new Date(`${result.meeting}T12:00:00Z`))}`}`
      const drill = { ...result, count: result.listed + result.notOpen }
      return reply.view('reports/views/marac-drill.njk', {
        title: heading, heading, caption: `SafeLives Marac return, ${result.period.label}`, back: `/reports/marac-return?quarter=${result.quarter}`, backText: 'Back to the Marac return',
        result: drill, showChildren: measure === 'children', children: result.count,
      })
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-figure') throw new NotFoundError()
      throw error
    }
  })
  app.get<{ Params: { file: string } }>('/reports/marac-return/:file', async (request, reply) => {
    const actor = reader(request)
    const match = /^(\d{4}-Q[1-4])\.(json|csv)$/.exec(request.params.file)
    if (!match) throw new NotFoundError()
    const report = await reports.maracReturn(actor, { quarter: match[1]! })
    reply.header('content-disposition', `attachment; filename="marac-return-${report.period.code}.${match[2]}"`).header('cache-control', 'no-store')
    if (match[2] === 'csv') return reply.type('text/csv; charset=utf-8').send(maracReturnCsv(report, csvRow))
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2))
  })

  // ---- JSON API (Bearer token; the same permission checks as the pages: report.read, else 404) ----------
  const reportSchema = (contract: string) => ({
    type: 'object', additionalProperties: true,
    description: `The computed report: contract ${contract} (docs/reports.md)`,
    properties: { contract: { type: 'string', const: contract } },
  })
  const errors = {
    400: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
    404: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
  }
  const publicationQuery = { publication: { type: 'boolean', description: 'The publication version: small numbers withheld, with secondary suppression' } }
  const apiCall = async <T>(reply: FastifyReply, run: () => Promise<T>) => {
    try {
      return await run()
    } catch (error) {
      if (error instanceof ReportError && error.code === 'invalid-period') return reply.code(400).send({ error: 'bad-request', message: error.message })
      throw error
    }
  }

  app.get<{ Params: { quarter: string }; Querystring: { publication?: boolean } }>('/api/v1/reports/quarterly/:quarter', {
    schema: {
      tags: ['reports'], summary: 'The quarterly performance report (hearth.report.quarterly/1), beside the same quarter a year before', security: [{ session: [] }],
      params: { type: 'object', properties: { quarter: { type: 'string', pattern: '^\\d{4}-Q[1-4]$', description: 'Financial-year quarter: 2022-Q1 is April to June 2022' } }, required: ['quarter'] },
      querystring: { type: 'object', properties: publicationQuery },
      response: { 200: reportSchema('hearth.report.quarterly/1'), ...errors },
    },
  }, async (request, reply) => {
    const actor = reader(request)
    return apiCall(reply, () => reports.quarterly(actor, { quarter: request.params.quarter, publication: request.query.publication === true }))
  })

  app.get<{ Querystring: { from: string; to: string; publication?: boolean } }>('/api/v1/reports/needs-assessment', {
    schema: {
      tags: ['reports'], summary: 'The needs assessment (hearth.report.needs-assessment/1) for any period', security: [{ session: [] }],
      querystring: { type: 'object', properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' }, ...publicationQuery }, required: ['from', 'to'] },
      response: { 200: reportSchema('hearth.report.needs-assessment/1'), ...errors },
    },
  }, async (request, reply) => {
    const actor = reader(request)
    return apiCall(reply, () => reports.needsAssessment(actor, { from: request.query.from, to: request.query.to, publication: request.query.publication === true }))
  })

  app.get<{ Params: { year: string } }>('/api/v1/reports/part4/:year', {
    schema: {
      tags: ['reports'], summary: 'The Part 4 safe accommodation return (hearth.report.part4/1) for a financial year', security: [{ session: [] }],
      params: { type: 'object', properties: { year: { type: 'string', pattern: '^\\d{4}-\\d{2}$', description: 'Financial year: 2023-24 is April 2023 to March 2024' } }, required: ['year'] },
      response: { 200: reportSchema('hearth.report.part4/1'), ...errors },
    },
  }, async (request, reply) => {
    const actor = reader(request)
    return apiCall(reply, () => reports.part4(actor, { year: request.params.year }))
  })

  app.get<{ Params: { quarter: string } }>('/api/v1/reports/marac-return/:quarter', {
    schema: {
      tags: ['reports'], summary: 'The SafeLives Marac quarterly dataset (hearth.report.marac-return/1), per meeting date', security: [{ session: [] }],
      params: { type: 'object', properties: { quarter: { type: 'string', pattern: '^\\d{4}-Q[1-4]$' } }, required: ['quarter'] },
      response: { 200: reportSchema('hearth.report.marac-return/1'), ...errors },
    },
  }, async (request, reply) => {
    const actor = reader(request)
    return apiCall(reply, () => reports.maracReturn(actor, { quarter: request.params.quarter }))
  })
}
