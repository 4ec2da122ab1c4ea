import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { asArray, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { createSanctuaryService } from './sanctuary.ts'
import { therapyHousingRoutes } from './therapyHousingRoutes.ts'
import { createWhaService } from './wha.ts'
import { fundingCategories, fundingCategoryLabels, fundingStatusLabels, isOpenReciprocal, reciprocalStatuses, reciprocalStatusLabels } from './whaRules.ts'
import {
  deviceLabels, devices, formatPounds, jobStatuses, jobStatusLabels, outcomeLabels, outcomeMeasures, outcomes, tenureLabels, tenures,
} from './sanctuaryRules.ts'

type Body = Record<string, unknown>
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '')
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A GOV.UK date input as an ISO date ('' when not a date), and the parts typed. */
function dateFrom(body: Body, name: string) {
  const parts = { day: str(body, `${name}-day`), month: str(body, `${name}-month`), year: str(body, `${name}-year`) }
  if (!parts.day && !parts.month && !parts.year) return { iso: '', parts }
  const ok = /^\d{1,2}$/.test(parts.day) && /^\d{1,2}$/.test(parts.month) && /^\d{4}$/.test(parts.year)
  return { iso: ok ? `${parts.year}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}` : 'invalid', parts }
}
const partsOf = (iso: string | null) => (iso ? { day: String(Number(iso.slice(8, 10))), month: String(Number(iso.slice(5, 7))), year: iso.slice(0, 4) } : { day: '', month: '', year: '' })

const vocab = { tenures, tenureLabels, devices, deviceLabels, jobStatuses, jobStatusLabels, outcomes, outcomeLabels, outcomeMeasures }
const rowDateIds = (id: string) => ({ [`paidOn-${id}`]: `paidOn-${id}-day`, [`movedOn-${id}`]: `movedOn-${id}-day` })
const dateIds = { referredOn: 'referredOn-day', surveyedOn: 'surveyedOn-day', fittedOn: 'fittedOn-day', followUpOn: 'followUpOn-day' }

/** Additional security / sanctuary: jobs referred by DA specialists and delivered by the provider. */
export const sanctuaryRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const sanctuary = createSanctuaryService({ db: services.db, clock: services.clock })

  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (!(request.routeOptions.url ?? '').startsWith('/services/')) return
    if (request.actor && !can(request.actor.roles, 'wha.refer') && !can(request.actor.roles, 'wha.deliver') && !can(request.actor.roles, 'therapy.deliver')) throw new NotFoundError()
  })

  app.get('/services/sanctuary', async (request, reply) => {
    const result = await sanctuary.list(request.actor!)
    return reply.view('services/views/sanctuary-list.njk', { title: 'Additional security (sanctuary)', ...result, vocab, formatPounds })
  })

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    if (!can(request.actor!.roles, 'wha.refer')) throw new NotFoundError()
    const options = await sanctuary.options(request.actor!)
    return reply.code(status).view('services/views/sanctuary-new.njk', {
      title: 'Refer for additional security', ...options, vocab, values: { referredOn: partsOf(sanctuary.today()) }, ...extra,
    })
  }
  app.get('/services/sanctuary/new', async (request, reply) => renderNew(request, reply))
  app.post('/services/sanctuary/new', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const referredOn = dateFrom(body, 'referredOn')
    const values = {
      referredOn: referredOn.parts, tenure: str(body, 'tenure'), districtCode: str(body, 'districtCode'),
      childrenInHousehold: str(body, 'childrenInHousehold'), providerAgencyId: str(body, 'providerAgencyId'),
    }
    try {
      const id = await sanctuary.refer(request.actor!, { ...values, referredOn: referredOn.iso })
      return reply.redirect(`/services/sanctuary/${id}`, 303)
    } catch (error) {
      if (error instanceof UserInputError) return renderNew(request, reply, { values, errors: formErrors(error.problems, dateIds) }, 400)
      throw error
    }
  })

  const renderJob = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    if (!uuid.test(id)) throw new NotFoundError()
    const result = await sanctuary.job(request.actor!, id)
    const j = result.job
    return reply.code(status).view('services/views/sanctuary-job.njk', {
      title: `Additional security ${j.reference}`, ...result, vocab, formatPounds,
      values: {
        status: j.status, surveyedOn: partsOf(j.surveyedOn), fittedOn: partsOf(j.fittedOn), devices: j.devices,
        cost: j.costPence === null ? '' : (j.costPence / 100).toFixed(2), childrenProtected: String(j.childrenProtected), closureReason: j.closureReason ?? '',
      },
      followUpValues: { followUpOn: partsOf(sanctuary.today()) },
      ...extra,
    })
  }
  app.get<{ Params: { id: string } }>('/services/sanctuary/:id', async (request, reply) => renderJob(request, reply, request.params.id))

  app.post<{ Params: { id: string } }>('/services/sanctuary/:id', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const surveyedOn = dateFrom(body, 'surveyedOn')
    const fittedOn = dateFrom(body, 'fittedOn')
    const input = {
      status: str(body, 'status'), surveyedOn: surveyedOn.iso, fittedOn: fittedOn.iso, devices: asArray(body.devices), cost: str(body, 'cost'),
      childrenProtected: str(body, 'childrenProtected'), closureReason: str(body, 'closureReason'),
    }
    try {
      await sanctuary.update(request.actor!, request.params.id, input, Number(str(body, 'version')))
    } catch (error) {
      const values = { ...input, surveyedOn: surveyedOn.parts, fittedOn: fittedOn.parts }
      if (error instanceof UserInputError) return renderJob(request, reply, request.params.id, { values, errors: formErrors(error.problems, dateIds) }, 400)
      if (error instanceof ConcurrentEditError) {
        return renderJob(request, reply, request.params.id, { errors: formErrors([{ field: 'status', message: 'Someone else changed this job while you were looking at it. It is shown as it is now.' }]) }, 409)
      }
      throw error
    }
    return reply.redirect(`/services/sanctuary/${request.params.id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/services/sanctuary/:id/follow-up', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const on = dateFrom(body, 'followUpOn')
    const input = { surveyedOn: on.iso, safety: str(body, 'safety'), empowerment: str(body, 'empowerment'), healthWellbeing: str(body, 'healthWellbeing'), recoverCope: str(body, 'recoverCope') }
    try {
      await sanctuary.followUp(request.actor!, request.params.id, input)
    } catch (error) {
      if (error instanceof UserInputError) {
        return renderJob(request, reply, request.params.id, { followUpValues: { ...input, followUpOn: on.parts }, errors: formErrors(error.problems.map(p => ({ ...p, field: p.field === 'surveyedOn' ? 'followUpOn' : p.field })), dateIds) }, 400)
      }
      throw error
    }
    return reply.redirect(`/services/sanctuary/${request.params.id}`, 303)
  })

  // ---- Flexible funding and managed reciprocals ----

  const wha = createWhaService({ db: services.db, clock: services.clock })
  const whaVocab = { fundingCategories, fundingCategoryLabels, fundingStatusLabels, reciprocalStatuses, reciprocalStatusLabels, isOpenReciprocal }
  const mustRefer = (request: FastifyRequest) => {
    if (!can(request.actor!.roles, 'wha.refer')) throw new NotFoundError()
  }

  const renderFunding = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    mustRefer(request)
    const result = await wha.fundingList(request.actor!)
    return reply.code(status).view('services/views/flexible-funding.njk', {
      title: 'Flexible funding', ...result, vocab: whaVocab, formatPounds, values: { requestedOn: partsOf(wha.today()) }, ...extra,
    })
  }
  app.get('/services/flexible-funding', async (request, reply) => renderFunding(request, reply))
  app.post('/services/flexible-funding', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const on = dateFrom(body, 'requestedOn')
    const input = { fundCode: str(body, 'fundCode'), category: str(body, 'category'), whatFor: str(body, 'whatFor'), amount: str(body, 'amount'), requestedOn: on.iso }
    try {
      await wha.requestFunding(request.actor!, input)
    } catch (error) {
      if (error instanceof UserInputError) return renderFunding(request, reply, { values: { ...input, requestedOn: on.parts }, errors: formErrors(error.problems, dateIds), open: true }, 400)
      throw error
    }
    return reply.redirect('/services/flexible-funding', 303)
  })
  app.post<{ Params: { id: string } }>('/services/flexible-funding/:id', async (request, reply) => {
    if (!uuid.test(request.params.id)) throw new NotFoundError()
    const body = (request.body ?? {}) as Body
    const paid = dateFrom(body, 'paidOn')
    try {
      await wha.decideFunding(request.actor!, request.params.id, { status: str(body, 'status'), paidOn: paid.iso }, Number(str(body, 'version')))
    } catch (error) {
      if (error instanceof UserInputError || error instanceof ConcurrentEditError) {
        const problems = error instanceof UserInputError ? error.problems : [{ field: 'status', message: 'Someone else changed this request while you were looking at it. It is shown as it is now.' }]
        return renderFunding(request, reply, { errors: formErrors(problems.map(p => ({ ...p, field: `${p.field}-${request.params.id}` })), rowDateIds(request.params.id)), editing: request.params.id }, error instanceof UserInputError ? 400 : 409)
      }
      throw error
    }
    return reply.redirect('/services/flexible-funding', 303)
  })

  const renderReciprocals = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    mustRefer(request)
    const result = await wha.reciprocalList(request.actor!)
    return reply.code(status).view('services/views/reciprocals.njk', {
      title: 'Managed reciprocals', ...result, vocab: whaVocab, values: { requestedOn: partsOf(wha.today()) }, ...extra,
    })
  }
  app.get('/services/reciprocals', async (request, reply) => renderReciprocals(request, reply))
  app.post('/services/reciprocals', async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const on = dateFrom(body, 'requestedOn')
    const input = { landlordFrom: str(body, 'landlordFrom'), areas: str(body, 'areas'), bedroomsNeeded: str(body, 'bedroomsNeeded'), requestedOn: on.iso }
    try {
      await wha.requestReciprocal(request.actor!, input)
    } catch (error) {
      if (error instanceof UserInputError) return renderReciprocals(request, reply, { values: { ...input, requestedOn: on.parts }, errors: formErrors(error.problems, dateIds), open: true }, 400)
      throw error
    }
    return reply.redirect('/services/reciprocals', 303)
  })
  app.post<{ Params: { id: string } }>('/services/reciprocals/:id', async (request, reply) => {
    if (!uuid.test(request.params.id)) throw new NotFoundError()
    const body = (request.body ?? {}) as Body
    const moved = dateFrom(body, 'movedOn')
    try {
      await wha.updateReciprocal(request.actor!, request.params.id, { status: str(body, 'status'), landlordTo: str(body, 'landlordTo'), offers: str(body, 'offers'), movedOn: moved.iso }, Number(str(body, 'version')))
    } catch (error) {
      if (error instanceof UserInputError || error instanceof ConcurrentEditError) {
        const problems = error instanceof UserInputError ? error.problems : [{ field: 'status', message: 'Someone else changed this request while you were looking at it. It is shown as it is now.' }]
        return renderReciprocals(request, reply, { errors: formErrors(problems.map(p => ({ ...p, field: `${p.field}-${request.params.id}` })), rowDateIds(request.params.id)), editing: request.params.id }, error instanceof UserInputError ? 400 : 409)
      }
      throw error
    }
    return reply.redirect('/services/reciprocals', 303)
  })

  // ---- Therapeutic support and housing approaches ----
  await app.register(therapyHousingRoutes, { services })
}
