/**
 * Pages for therapeutic support (referral, waiting list, sessions) and housing approaches (H-CLIC style, with
 * temporary accommodation episodes). Registered inside the services plugin, whose hook already refuses anyone
 * without wha.refer, wha.deliver or therapy.deliver; each page checks its own permission too, and row-level security decides
 * which rows exist. Every form works without JavaScript.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { can } from '../../access/policy.ts'
import { formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { ConcurrentEditError, UserInputError } from '../auth/users.ts'
import { NotFoundError } from '../cases/service.ts'
import { createHousingService } from './housing.ts'
import {
  accommodationAtApproach, accommodationAtApproachLabels, type ApproachInput, dutyLabels, mainDutyDecisionLabels, mainDutyDecisions,
  temporaryAccommodationKindLabels, temporaryAccommodationKinds,
} from './housingRules.ts'
import { createTherapyService } from './therapy.ts'
import {
  attendanceLabels, attendances, CHILD_MAX_AGE, clientLabels, clients, isOpenTherapy, supportKindLabels, supportKinds, therapyStatusLabels,
} from './therapyRules.ts'

/** A form body: every field a string (or, for repeated fields, the first string). */
const bodySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]).transform(v => (Array.isArray(v) ? v[0] ?? '' : v).trim())).catch({})
type Body = Record<string, string>
const parseBody = (request: FastifyRequest): Body => bodySchema.parse(request.body ?? {})
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
const idOf = (value: string) => {
  if (!uuid.safeParse(value).success) throw new NotFoundError()
  return value
}
const versionOf = (body: Body) => (/^\d{1,9}$/.test(body['version'] ?? '') ? Number(body['version']) : -1)

type DateParts = { day: string; month: string; year: string }
/** A GOV.UK date input as an ISO date ('' when left blank, 'invalid' when not a date), and the parts typed. */
function dateFrom(body: Body, name: string): { iso: string; parts: DateParts } {
  const parts = { day: body[`${name}-day`] ?? '', month: body[`${name}-month`] ?? '', year: body[`${name}-year`] ?? '' }
  if (!parts.day && !parts.month && !parts.year) return { iso: '', parts }
  const ok = /^\d{1,2}$/.test(parts.day) && /^\d{1,2}$/.test(parts.month) && /^\d{4}$/.test(parts.year)
  return { iso: ok ? `${parts.year}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}` : 'invalid', parts }
}
const partsOf = (iso: string | null): DateParts => (iso ? { day: String(Number(iso.slice(8, 10))), month: String(Number(iso.slice(5, 7))), year: iso.slice(0, 4) } : { day: '', month: '', year: '' })
/** 1 August 2026, for page titles. */
const longDate = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const dayIds = (...names: string[]) => Object.fromEntries(names.map(n => [n, `${n}-day`]))
const concurrent = (field: string) => [{ field, message: 'Someone else changed this while you were looking at it. It is shown as it is now: check it and try again.' }]

const therapyVocab = { clients, clientLabels, supportKinds, supportKindLabels, therapyStatusLabels, attendances, attendanceLabels, isOpenTherapy, CHILD_MAX_AGE }
const housingVocab = { accommodationAtApproach, accommodationAtApproachLabels, dutyLabels, mainDutyDecisions, mainDutyDecisionLabels, temporaryAccommodationKinds, temporaryAccommodationKindLabels }
const approachDates = ['approachedOn', 'preventionStartedOn', 'preventionEndedOn', 'reliefStartedOn', 'reliefEndedOn', 'mainDutyDecidedOn'] as const

export const therapyHousingRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const therapy = createTherapyService({ db: services.db, clock: services.clock })
  const housing = createHousingService({ db: services.db, clock: services.clock })

  // ---- Therapeutic support ----

  const renderTherapyList = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = request.actor!
    const [result, providers] = await Promise.all([therapy.list(actor), can(actor.roles, 'wha.refer') ? therapy.providers(actor) : Promise.resolve([])])
    return reply.code(status).view('services/views/therapy-list.njk', {
      title: 'Therapeutic support', ...result, providers, vocab: therapyVocab, values: { referredOn: partsOf(therapy.today()) }, ...extra,
    })
  }
  app.get('/services/therapy', async (request, reply) => renderTherapyList(request, reply))
  app.post('/services/therapy', async (request, reply) => {
    if (!can(request.actor!.roles, 'wha.refer')) throw new NotFoundError()
    const body = parseBody(request)
    const on = dateFrom(body, 'referredOn')
    const input = {
      client: body['client'] ?? '', ageAtReferral: body['ageAtReferral'] ?? '', supportKind: body['supportKind'] ?? '',
      providerAgencyId: body['providerAgencyId'] ?? '', referredOn: on.iso, caseReference: body['caseReference'] ?? '',
    }
    try {
      const id = await therapy.refer(request.actor!, input)
      return reply.redirect(`/services/therapy/${id}`, 303)
    } catch (error) {
      if (error instanceof UserInputError) {
        return renderTherapyList(request, reply, { values: { ...input, referredOn: on.parts }, errors: formErrors(error.problems, { ...dayIds('referredOn'), client: 'client' }), open: true }, 400)
      }
      throw error
    }
  })

  const renderReferral = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await therapy.referral(request.actor!, id)
    return reply.code(status).view('services/views/therapy-referral.njk', {
      title: `Therapeutic support referral of ${longDate(result.referral.referredOn)}`, ...result, vocab: therapyVocab,
      sessionValues: { sessionOn: partsOf(therapy.today()), attendance: '' }, closeValues: { endedOn: partsOf(therapy.today()), status: '', note: '' }, ...extra,
    })
  }
  app.get<{ Params: { id: string } }>('/services/therapy/:id', async (request, reply) => renderReferral(request, reply, idOf(request.params.id)))

  app.post<{ Params: { id: string } }>('/services/therapy/:id/sessions', async (request, reply) => {
    const id = idOf(request.params.id)
    const body = parseBody(request)
    const on = dateFrom(body, 'sessionOn')
    const input = { sessionOn: on.iso, attendance: body['attendance'] ?? '' }
    try {
      await therapy.addSession(request.actor!, id, input, versionOf(body))
    } catch (error) {
      if (error instanceof UserInputError) return renderReferral(request, reply, id, { sessionValues: { ...input, sessionOn: on.parts }, errors: formErrors(error.problems, dayIds('sessionOn')) }, 400)
      if (error instanceof ConcurrentEditError) return renderReferral(request, reply, id, { errors: formErrors(concurrent('attendance')) }, 409)
      throw error
    }
    return reply.redirect(`/services/therapy/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/services/therapy/:id/close', async (request, reply) => {
    const id = idOf(request.params.id)
    const body = parseBody(request)
    const on = dateFrom(body, 'endedOn')
    const input = { status: body['closeStatus'] ?? '', endedOn: on.iso, note: body['closeNote'] ?? '' }
    try {
      await therapy.close(request.actor!, id, input, versionOf(body))
    } catch (error) {
      if (error instanceof UserInputError) return renderReferral(request, reply, id, { closeValues: { ...input, endedOn: on.parts }, errors: formErrors(error.problems, dayIds('endedOn')) }, 400)
      if (error instanceof ConcurrentEditError) return renderReferral(request, reply, id, { errors: formErrors(concurrent('closeStatus')) }, 409)
      throw error
    }
    return reply.redirect(`/services/therapy/${id}`, 303)
  })

  // ---- Housing approaches ----

  const approachInput = (body: Body) => {
    const dates = Object.fromEntries(approachDates.map(n => [n, dateFrom(body, n)])) as Record<(typeof approachDates)[number], ReturnType<typeof dateFrom>>
    const input: ApproachInput = {
      approachedOn: dates.approachedOn.iso, daReasonForLoss: body['daReasonForLoss'] ?? '', accommodationAtApproach: body['accommodationAtApproach'] ?? '',
      caseReference: body['caseReference'] ?? '', preventionStartedOn: dates.preventionStartedOn.iso, preventionEndedOn: dates.preventionEndedOn.iso,
      reliefStartedOn: dates.reliefStartedOn.iso, reliefEndedOn: dates.reliefEndedOn.iso, mainDutyDecidedOn: dates.mainDutyDecidedOn.iso,
      mainDutyDecision: body['mainDutyDecision'] ?? '',
    }
    const values = { ...input, ...Object.fromEntries(approachDates.map(n => [n, dates[n].parts])) }
    return { input, values }
  }
  const approachErrorIds = { ...dayIds(...approachDates), daReasonForLoss: 'daReasonForLoss' }

  const renderApproaches = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await housing.list(request.actor!)
    const blank = Object.fromEntries(approachDates.map(n => [n, partsOf(null)]))
    return reply.code(status).view('services/views/housing-approaches.njk', {
      title: 'Housing approaches', ...result, vocab: housingVocab, values: { ...blank, approachedOn: partsOf(housing.today()) }, ...extra,
    })
  }
  app.get('/services/housing-approaches', async (request, reply) => renderApproaches(request, reply))
  app.post('/services/housing-approaches', async (request, reply) => {
    const { input, values } = approachInput(parseBody(request))
    try {
      const id = await housing.record(request.actor!, input)
      return reply.redirect(`/services/housing-approaches/${id}`, 303)
    } catch (error) {
      if (error instanceof UserInputError) return renderApproaches(request, reply, { values, errors: formErrors(error.problems, approachErrorIds), open: true }, 400)
      throw error
    }
  })

  const renderApproach = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await housing.approach(request.actor!, id)
    const a = result.approach
    return reply.code(status).view('services/views/housing-approach.njk', {
      title: `Housing approach of ${longDate(a.approachedOn)}`, ...result, vocab: housingVocab,
      values: {
        daReasonForLoss: a.daReasonForLoss ? 'yes' : 'no', accommodationAtApproach: a.accommodationAtApproach, mainDutyDecision: a.mainDutyDecision ?? '',
        ...Object.fromEntries(approachDates.map(n => [n, partsOf(a[n])])),
      },
      episodeValues: { placedOn: partsOf(null), leftOn: partsOf(null), kind: '' },
      ...extra,
    })
  }
  app.get<{ Params: { id: string } }>('/services/housing-approaches/:id', async (request, reply) => renderApproach(request, reply, idOf(request.params.id)))

  app.post<{ Params: { id: string } }>('/services/housing-approaches/:id', async (request, reply) => {
    const id = idOf(request.params.id)
    const body = parseBody(request)
    const { input, values } = approachInput(body)
    try {
      await housing.update(request.actor!, id, input, versionOf(body))
    } catch (error) {
      if (error instanceof UserInputError) return renderApproach(request, reply, id, { values, errors: formErrors(error.problems, approachErrorIds) }, 400)
      if (error instanceof ConcurrentEditError) return renderApproach(request, reply, id, { errors: formErrors(concurrent('daReasonForLoss'), approachErrorIds) }, 409)
      throw error
    }
    return reply.redirect(`/services/housing-approaches/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/services/housing-approaches/:id/episodes', async (request, reply) => {
    const id = idOf(request.params.id)
    const body = parseBody(request)
    const placed = dateFrom(body, 'placedOn')
    const left = dateFrom(body, 'leftOn')
    const input = { placedOn: placed.iso, leftOn: left.iso, kind: body['kind'] ?? '' }
    try {
      await housing.addEpisode(request.actor!, id, input, versionOf(body))
    } catch (error) {
      const episodeValues = { ...input, placedOn: placed.parts, leftOn: left.parts }
      if (error instanceof UserInputError) return renderApproach(request, reply, id, { episodeValues, errors: formErrors(error.problems, dayIds('placedOn', 'leftOn')), openEpisode: true }, 400)
      if (error instanceof ConcurrentEditError) return renderApproach(request, reply, id, { episodeValues, errors: formErrors(concurrent('kind')), openEpisode: true }, 409)
      throw error
    }
    return reply.redirect(`/services/housing-approaches/${id}`, 303)
  })

  app.post<{ Params: { id: string; episodeId: string } }>('/services/housing-approaches/:id/episodes/:episodeId/left', async (request, reply) => {
    const id = idOf(request.params.id)
    const episodeId = idOf(request.params.episodeId)
    const body = parseBody(request)
    const left = dateFrom(body, 'leftOn')
    try {
      await housing.endEpisode(request.actor!, id, episodeId, { leftOn: left.iso }, versionOf(body))
    } catch (error) {
      const field = `leftOn-${episodeId}`
      if (error instanceof UserInputError) return renderApproach(request, reply, id, { errors: formErrors(error.problems, { [field]: `${field}-day` }) }, 400)
      if (error instanceof ConcurrentEditError) return renderApproach(request, reply, id, { errors: formErrors(concurrent(field), { [field]: `${field}-day` }) }, 409)
      throw error
    }
    return reply.redirect(`/services/housing-approaches/${id}`, 303)
  })
}
