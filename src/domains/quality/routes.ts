/**
 * The data quality page: the sources' "Summary of Datasets" layout (fields down the side, agencies across:
 * recorded?, % not known, % declined, % unknown; then timeliness, consistency and linkage), for episodes
 * referred in a period, with a CSV download (formula-safe).
 *
 *   GET /reports/data-quality?from=YYYY-MM-DD&to=YYYY-MM-DD
 *   GET /reports/data-quality.csv?from=…&to=…
 *
 * Needs report.read (others get "not found"). The figures are what the reader may see: the report's
 * queries run as the reader, so an agency-scoped reader (an IDVA manager) sees their own agency only
 * (row-level security on service_episode). Each report is recorded in the audit log (REPORT_VIEW).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { formErrors, type FieldProblem } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { qualityCsv, qualityTable } from './render.ts'
import { createQualityService, QualityReportError } from './service.ts'

const period = z.object({ from: z.string().trim().default(''), to: z.string().trim().default('') })
const isoDate = /^\d{4}-\d{2}-\d{2}$/

export const qualityRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const quality = createQualityService({ db: services.db, now: services.clock })
  const reader = (request: FastifyRequest): Actor => {
    const actor = request.actor
    if (!actor || !can(actor.roles, 'report.read')) throw new NotFoundError()
    return actor
  }

  async function build(request: FastifyRequest) {
    const actor = reader(request)
    const { from, to } = period.parse(request.query ?? {})
    if (from === '' && to === '') return { from, to, report: null, problems: [] as FieldProblem[] }
    const problems: FieldProblem[] = []
    if (!isoDate.test(from)) problems.push({ field: 'from', message: 'Enter the start date as YYYY-MM-DD, for example 2023-04-01' })
    if (!isoDate.test(to)) problems.push({ field: 'to', message: 'Enter the end date as YYYY-MM-DD, for example 2024-03-31' })
    if (problems.length > 0) return { from, to, report: null, problems }
    try {
      return { from, to, report: await quality.report(actor, { from, to }), problems }
    } catch (error) {
      if (error instanceof QualityReportError && error.code === 'invalid-period') return { from, to, report: null, problems: [{ field: 'from', message: error.message }] }
      throw error
    }
  }

  app.get('/reports/data-quality', async (request, reply) => {
    const { from, to, report, problems } = await build(request)
    const table = report ? qualityTable(report) : null
    // rows grouped by field, for a rowgroup header per field
    const groups: { group: string; rows: { measure: string; cells: readonly string[] }[] }[] = []
    for (const row of table?.rows ?? []) {
      const last = groups[groups.length - 1]
      if (last && last.group === row.group) last.rows.push(row)
      else groups.push({ group: row.group, rows: [row] })
    }
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    return reply.code(problems.length > 0 ? 400 : 200).view('quality/views/quality.njk', {
      title: report ? `Data quality, ${from} to ${to}` : 'Data quality',
      from,
      to,
      report,
      agencies: report?.agencies ?? [],
      groups,
      csvHref: `/reports/data-quality.csv?${query}`,
      errors: problems.length > 0 ? formErrors(problems) : undefined,
    })
  })

  app.get('/reports/data-quality.csv', async (request, reply) => {
    const { report, problems } = await build(request)
    if (!report) return reply.code(400).type('text/plain; charset=utf-8').send(problems[0]?.message ?? 'Give from and to as YYYY-MM-DD')
    return reply
      .header('content-disposition', `attachment; filename="data-quality-${report.period.from}-${report.period.to}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(qualityCsv(report))
  })
}
