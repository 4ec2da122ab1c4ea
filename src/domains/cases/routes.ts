import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { labelOf } from '../../standard/codeLists.ts'
import { formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { activityLabel, closureReasons } from './caseworkRules.ts'
import { decodeCaseListCursor, encodeCaseListCursor } from './rules.ts'
import { CASE_PAGE_SIZE, NotFoundError } from './service.ts'

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  status: z.enum(['awaiting-allocation', 'open', 'closed']).optional().or(z.literal('').transform(() => undefined)),
})

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const caseListItem = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    reference: { type: 'string' },
    personId: { type: 'string', format: 'uuid' },
    personName: { type: 'string' },
    teamName: { type: ['string', 'null'] },
    allocatedTo: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['awaiting-allocation', 'open', 'closed'] },
    openedOn: { type: 'string', format: 'date' },
    riskLevel: { type: ['string', 'null'] },
  },
} as const

/** Case lists and records, as pages and as JSON. Row-level security decides which cases exist for the user. */
export const caseRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  /** The casework sections of the case page (risk, contact, engagement, safety plan, needs, actions, notes, outcomes). */
  const caseworkView = async (actor: Actor, caseId: string) => {
    const work = await services.casework.details(actor, caseId)
    const outcomes = work.outcomes
    return {
      work,
      engagementText: (work.casework.engagementActivities ?? []).map(activityLabel).join(', ').toLowerCase(),
      supportNeedsText: (work.casework.supportNeeds ?? []).map(n => labelOf('support_needs', n) ?? n).join(', '),
      closureReasonText: closureReasons.find(r => r.code === work.casework.closureReason)?.label ?? work.casework.closureReason ?? '',
      outcomeRows: outcomes ? [
        ...outcomes.abuse.filter(a => a.result !== 'none').map(a => ({
          key: { text: a.label },
          value: { text: a.result === 'stopped' ? 'Stopped' : a.result === 'continued' ? 'Still happening at exit' : 'Started during support' },
        })),
        { key: { text: 'Feels safer at exit' }, value: { text: outcomes.feelsSafer === 'yes' ? 'Yes' : outcomes.feelsSafer === 'no' ? 'No' : 'Not known' } },
        { key: { text: 'Quality of life' }, value: { text: outcomes.qualityOfLife.change === null ? 'Not measured at both ends'
          : `${outcomes.qualityOfLife.intake} at intake, ${outcomes.qualityOfLife.exit} at exit (${outcomes.qualityOfLife.change >= 0 ? '+' : ''}${outcomes.qualityOfLife.change})` } },
      ] : [],
    }
  }

  app.get('/cases', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query)
    if (!parsed.success) return reply.code(400).view('errors/bad-request.njk', { message: 'The page or status in the address is not valid.' })
    const result = await services.cases.list(request.actor!, parsed.data)
    const base = parsed.data.status ? `/cases?status=${parsed.data.status}&` : '/cases?'
    return reply.view('cases/views/list.njk', { title: 'Cases', ...result, status: parsed.data.status ?? '', pagination: pagination(result.page, result.pages, base) })
  })

  app.get<{ Params: { id: string } }>('/cases/:id', async (request, reply) => {
    if (!uuid.test(request.params.id)) throw new NotFoundError()
    const result = await services.cases.view(request.actor!, request.params.id)
    return reply.view('cases/views/case.njk', { title: `Case ${result.case.reference}`, ...result, ...(await caseworkView(request.actor!, request.params.id)),
      staleAction: (request.query as Record<string, string | undefined>).stale === 'action' })
  })

  // Break-glass: a user outside the named roles reads sealed details, giving a reason that is recorded.
  app.post<{ Params: { id: string } }>('/cases/:id/sealed', async (request, reply) => {
    if (!uuid.test(request.params.id)) throw new NotFoundError()
    const reason = String((request.body as Record<string, unknown> | undefined)?.reason ?? '').trim()
    if (reason.length < 10 || reason.length > 500) {
      const result = await services.cases.view(request.actor!, request.params.id)
      return reply.code(400).view('cases/views/case.njk', {
        title: `Case ${result.case.reference}`, ...result, ...(await caseworkView(request.actor!, request.params.id)), reason,
        errors: formErrors([{ field: 'reason', message: 'Explain why you need to see the sealed details, in 10 to 500 characters' }]),
      })
    }
    const result = await services.cases.view(request.actor!, request.params.id, { breakGlassReason: reason })
    return reply.view('cases/views/case.njk', { title: `Case ${result.case.reference}`, ...result, ...(await caseworkView(request.actor!, request.params.id)), brokeGlass: true })
  })

  app.get('/api/v1/cases', {
    schema: {
      tags: ['cases'],
      summary: 'A page of the cases the caller may see, newest first (25 a page)',
      security: [{ session: [] }],
      description: 'Two ways to page. By number (`page`, the default): the answer has the total and the number of pages, '
        + 'and costs a count of every case the caller may see. By cursor (`after`, empty for the first page, then each '
        + 'answer\'s `nextCursor`): nothing is counted and every page costs the same; for clients that walk the list. '
        + 'Both answers give `nextCursor` (null on the last page). A cursor Hearth did not issue is 400.',
      querystring: {
        type: 'object',
        properties: {
          page: { type: 'integer', minimum: 1, default: 1 },
          after: { type: 'string', maxLength: 80, description: 'Cursor paging: empty for the first page, then the previous answer\'s nextCursor' },
          status: { type: 'string', enum: ['awaiting-allocation', 'open', 'closed'] },
        },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          required: ['rows', 'pageSize', 'nextCursor'],
          properties: {
            rows: { type: 'array', items: caseListItem },
            total: { type: 'integer', description: 'Numbered paging only' },
            page: { type: 'integer', description: 'Numbered paging only' },
            pageSize: { type: 'integer' },
            pages: { type: 'integer', description: 'Numbered paging only' },
            nextCursor: { type: ['string', 'null'] },
          },
        },
        400: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  }, async (request, reply) => {
    const query = listQuery.parse(request.query)
    const after = (request.query as { after?: string }).after
    if (after !== undefined) {
      const cursor = after === '' ? undefined : decodeCaseListCursor(after)
      if (after !== '' && !cursor) return reply.code(400).send({ error: 'bad-request', message: `after: "${after.slice(0, 80)}" is not a cursor from this list; start again with after= (empty)` })
      if (!can(request.actor!.roles, 'case.read')) return { rows: [], pageSize: CASE_PAGE_SIZE, nextCursor: null }
      const result = await services.cases.listAfter(request.actor!, { after: cursor, status: query.status })
      return { rows: result.rows, pageSize: result.pageSize, nextCursor: result.next ? encodeCaseListCursor(result.next) : null }
    }
    if (!can(request.actor!.roles, 'case.read')) return { rows: [], total: 0, page: query.page, pageSize: CASE_PAGE_SIZE, pages: 1, nextCursor: null }
    const result = await services.cases.list(request.actor!, query)
    const last = result.rows.at(-1)
    return { ...result, nextCursor: result.page < result.pages && last ? encodeCaseListCursor({ openedOn: last.openedOn, id: last.id }) : null }
  })
}

/** GOV.UK pagination items: first, last, and neighbours of the current page, with ellipses. */
export function pagination(page: number, pages: number, base: string) {
  const numbers = [...new Set([1, page - 1, page, page + 1, pages])].filter(n => n >= 1 && n <= pages).sort((a, b) => a - b)
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = []
  numbers.forEach((n, i) => {
    if (i > 0 && n - numbers[i - 1]! > 1) items.push({ ellipsis: true })
    items.push({ number: n, href: `${base}page=${n}`, current: n === page })
  })
  return {
    items,
    previous: page > 1 ? { href: `${base}page=${page - 1}` } : undefined,
    next: page < pages ? { href: `${base}page=${page + 1}` } : undefined,
  }
}
