import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { LinkageError, type LinkageSettings, settingsProblems } from './service.ts'

type Body = Record<string, unknown>
const str = (body: unknown, name: string): string => {
  const v = (body as Body | undefined)?.[name]
  return typeof v === 'string' ? v.trim() : ''
}
const percent = (p: number) => `${Math.round(p * 1000) / 10}%`
const pairUrl = (a: string, b: string) => `/linkage/review/pair?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`
const PAGE = 25

/**
 * Record linkage pages: the people count (as a range), the review queue of uncertain pairs, a pair side by
 * side with only the fields the reviewer may see, decisions (audited, reversible) and the thresholds.
 */
export const linkageRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const linkage = services.linkage

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const actor = request.actor
    if (!actor) return
    const mayLook = can(actor.roles, 'linkage.review') || can(actor.roles, 'report.read') || can(actor.roles, 'partnership.configure')
    if (!mayLook) throw new NotFoundError()
  })

  app.get('/linkage', async (request, reply) => {
    const o = await linkage.overview(request.actor!)
    return reply.view('linkage/views/overview.njk', { title: 'Linked people', overview: o, percent, mayReview: can(request.actor!.roles, 'linkage.review'), mayConfigure: can(request.actor!.roles, 'partnership.configure') })
  })

  app.get<{ Querystring: { page?: string; decided?: string } }>('/linkage/review', async (request, reply) => {
    if (!can(request.actor!.roles, 'linkage.review')) throw new NotFoundError()
    const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1)
    const q = await linkage.queue(request.actor!, { offset: (page - 1) * PAGE, limit: PAGE })
    return reply.view('linkage/views/queue.njk', {
      title: 'Pairs to review', queue: q, page, pages: Math.max(1, Math.ceil(q.total / PAGE)), percent, pairUrl, decided: request.query.decided,
    })
  })

  async function pairPage(request: FastifyRequest, reply: FastifyReply, a: string, b: string, problems: FieldProblem[] = [], values: Record<string, string> = {}) {
    const pair = await linkage.reviewPair(request.actor!, a, b)
    return reply.code(problems.length ? 400 : 200).view('linkage/views/pair.njk', {
      title: 'Is this the same person?', pair, percent, values,
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }

  app.get<{ Querystring: { a?: string; b?: string } }>('/linkage/review/pair', async (request, reply) => {
    if (!can(request.actor!.roles, 'linkage.review')) throw new NotFoundError()
    const { a, b } = request.query
    if (!a || !b || a.length > 300 || b.length > 300) throw new NotFoundError()
    return pairPage(request, reply, a, b)
  })

  app.post('/linkage/review/pair', async (request, reply) => {
    if (!can(request.actor!.roles, 'linkage.review')) throw new NotFoundError()
    const a = str(request.body, 'a')
    const b = str(request.body, 'b')
    const decision = str(request.body, 'decision')
    const reason = str(request.body, 'reason')
    if (!a || !b) throw new NotFoundError()
    const problems: FieldProblem[] = []
    if (decision !== 'same' && decision !== 'different') problems.push({ field: 'decision', message: 'Select whether these are the same person or different people' })
    if (reason.length > 1000) problems.push({ field: 'reason', message: 'Reason must be 1,000 characters or fewer' })
    if (problems.length) return pairPage(request, reply, a, b, problems, { reason })
    await linkage.decide(request.actor!, a, b, decision as 'same' | 'different', reason || null)
    return reply.redirect(`/linkage/review?decided=${decision}`, 303)
  })

  app.get('/linkage/decisions', async (request, reply) => {
    if (!can(request.actor!.roles, 'linkage.review')) throw new NotFoundError()
    const decisions = await linkage.decisions(request.actor!)
    return reply.view('linkage/views/decisions.njk', { title: 'Linkage decisions', decisions, percent, pairUrl })
  })

  app.post<{ Params: { id: string } }>('/linkage/decisions/:id/withdraw', async (request, reply) => {
    if (!can(request.actor!.roles, 'linkage.review')) throw new NotFoundError()
    const reason = str(request.body, 'reason')
    if (!reason) {
      const decisions = await linkage.decisions(request.actor!)
      return reply.code(400).view('linkage/views/decisions.njk', {
        title: 'Linkage decisions', decisions, percent, pairUrl, withdrawing: request.params.id,
        errors: formErrors([{ field: `reason-${request.params.id}`, message: 'Enter why the decision is being withdrawn' }]),
      })
    }
    await linkage.withdraw(request.actor!, request.params.id, reason.slice(0, 1000))
    return reply.redirect('/linkage/decisions?withdrawn=1', 303)
  })

  const settingsView = (reply: FastifyReply, settings: LinkageSettings | Record<string, string>, extra: Record<string, unknown> = {}) =>
    reply.view('linkage/views/settings.njk', { title: 'Linkage thresholds', settings, ...extra })

  app.get<{ Querystring: { saved?: string } }>('/linkage/settings', async (request, reply) => {
    if (!can(request.actor!.roles, 'partnership.configure')) throw new NotFoundError()
    const settings = await linkage.settings(request.actor!)
    return settingsView(reply, { ...settings, countThresholds: settings.countThresholds.join(', ') } as unknown as Record<string, string>, { saved: request.query.saved })
  })

  app.post('/linkage/settings', async (request, reply) => {
    if (!can(request.actor!.roles, 'partnership.configure')) throw new NotFoundError()
    const raw = {
      matchThreshold: str(request.body, 'matchThreshold'),
      reviewThreshold: str(request.body, 'reviewThreshold'),
      conflictBelow: str(request.body, 'conflictBelow'),
      countThresholds: str(request.body, 'countThresholds'),
    }
    const parsed: LinkageSettings = {
      matchThreshold: Number(raw.matchThreshold),
      reviewThreshold: Number(raw.reviewThreshold),
      conflictBelow: raw.conflictBelow === '' ? Number.NaN : Number(raw.conflictBelow),
      countThresholds: raw.countThresholds.split(/[\s,]+/).filter(Boolean).map(Number),
    }
    const problems = settingsProblems(parsed)
    if (problems.length) {
      const field = (m: string) => (/match/i.test(m) && !/review/i.test(m) ? 'matchThreshold' : /review/i.test(m) && !/conflict/i.test(m) ? 'reviewThreshold' : /conflict/i.test(m) ? 'conflictBelow' : 'countThresholds')
      return settingsView(reply.code(400), raw, { errors: formErrors(problems.map(m => ({ field: field(m), message: m }))) })
    }
    try {
      await linkage.updateSettings(request.actor!, parsed)
    } catch (error) {
      if (error instanceof LinkageError) return settingsView(reply.code(400), raw, { errors: formErrors([{ field: 'matchThreshold', message: error.message }]) })
      throw error
    }
    return reply.redirect('/linkage/settings?saved=1', 303)
  })
}
