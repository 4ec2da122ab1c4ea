import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { codeList } from '../../standard/codeLists.ts'
import { formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { adultTransAnswers, adultTransLabels, CHILD_ROWS, emptyHouseholdForm, type HouseholdForm, householdNeedLabels, householdNeeds, householdToForm, parseAdultTrans, parseHousehold, readHouseholdForm } from './household.ts'
import {
  accommodationTypeLabels,
  accommodationTypes,
  addDays,
  adultGenderLabels,
  adultGenders,
  communities,
  communityLabels,
  declineReasonLabels,
  declineReasons,
  type Household,
  moveOnDestinationLabels,
  moveOnDestinations,
  petKinds,
  petLabels,
  reasonCodeLabels,
  stayBands,
} from './rules.ts'
import { sanctuaryRoutes } from '../services/routes.ts'
import { checkAddress, checkRoom, checkUnit, readUnitForm, unitToForm } from './unitForm.ts'
import { ConcurrentEditError, NotFoundError, type Period, UserInputError } from './service.ts'

type Body = Record<string, unknown>
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '')
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const checkId = (id: string) => {
  if (!uuid.test(id)) throw new NotFoundError()
  return id
}

/** A GOV.UK date input's three fields as an ISO date, or what was typed when it is not one. */
export function dateFrom(body: Body, name: string): { iso: string; parts: { day: string; month: string; year: string } } {
  const parts = { day: str(body, `${name}-day`), month: str(body, `${name}-month`), year: str(body, `${name}-year`) }
  const iso = /^\d{1,2}$/.test(parts.day) && /^\d{1,2}$/.test(parts.month) && /^\d{4}$/.test(parts.year)
    ? `${parts.year}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}` : ''
  return { iso, parts }
}
const partsOf = (iso: string) => ({ day: String(Number(iso.slice(8, 10))), month: String(Number(iso.slice(5, 7))), year: iso.slice(0, 4) })

const dateFieldIds = { movedInOn: 'movedInOn-day', movedOutOn: 'movedOutOn-day' }
const unitFieldIds = { type: 'type', gendersAccepted: 'gendersAccepted', petsAccepted: 'petsAccepted', localConnection: 'localConnection', byAndFor: 'byAndFor' }

/** Preset reporting periods (the financial year starts on 1 April). */
export function periodFor(code: string, today: string): Period & { code: string } {
  const year = Number(today.slice(0, 4))
  const fyStart = today.slice(5) >= '04-01' ? year : year - 1
  switch (code) {
    case '30-days': return { code, from: addDays(today, -29), to: today }
    case '3-months': return { code, from: addDays(today, -90), to: today }
    case 'this-financial-year': return { code, from: `${fyStart}-04-01`, to: today }
    case 'last-financial-year': return { code, from: `${fyStart - 1}-04-01`, to: `${fyStart}-03-31` }
    default: return { code: '12-months', from: addDays(today, -364), to: today }
  }
}
const periodOptions = [
  { value: '30-days', text: 'Last 30 days' },
  { value: '3-months', text: 'Last 3 months' },
  { value: '12-months', text: 'Last 12 months' },
  { value: 'this-financial-year', text: 'This financial year' },
  { value: 'last-financial-year', text: 'Last financial year' },
]

const languageOptions = codeList('main_language').codes
  .filter(c => !c.special && c.code !== 'en')
  .map(c => ({ value: c.code, text: c.label }))
  .sort((a, b) => a.text.localeCompare(b.text, 'en-GB'))

const vocab = {
  accommodationTypes, accommodationTypeLabels, adultGenders, adultGenderLabels, petKinds, petLabels, communities, communityLabels,
  declineReasons, declineReasonLabels, moveOnDestinations, moveOnDestinationLabels, householdNeeds, householdNeedLabels,
  reasonCodeLabels, stayBands, childRows: CHILD_ROWS, languageOptions, periodOptions, adultTransAnswers, adultTransLabels,
}

const vacancyItem = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    type: { type: 'string', enum: [...accommodationTypes] },
    providerName: { type: 'string' },
    areaLabel: { type: 'string', description: 'The town or area: addresses are sealed' },
    districtName: { type: 'string' },
    rooms: { type: 'integer' },
    free: { type: ['integer', 'null'], description: 'null: withheld (small-number suppression, for those who do not search or manage)' },
    occupied: { type: ['integer', 'null'] },
    held: { type: ['integer', 'null'] },
    outOfUse: { type: ['integer', 'null'] },
    accessibleFree: { type: ['integer', 'null'] },
    restrictions: { type: 'array', items: { type: 'string' } },
    suppressed: { type: 'array', items: { type: 'string' }, description: 'The counts withheld' },
  },
} as const

/** Safe accommodation pages: vacancy board, search and matching, referrals, placements, unmet need, occupancy. */
export const accommodationRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const acc = services.accommodation

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const url = request.routeOptions.url ?? ''
    if (!url.startsWith('/accommodation') && !url.startsWith('/api/v1/accommodation')) return
    if (request.actor && !can(request.actor.roles, 'accommodation.view')) throw new NotFoundError()
  })
  const mustSearch = (actor: Actor) => {
    if (!can(actor.roles, 'accommodation.search')) throw new NotFoundError()
  }

  app.get('/accommodation', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>
    const filters = {
      type: (accommodationTypes as readonly string[]).includes(q.type ?? '') ? q.type : undefined,
      district: q.district || undefined,
      provider: q.provider && uuid.test(q.provider) ? q.provider : undefined,
      vacancyOnly: q.vacancy === 'yes',
      accessible: q.accessible === 'yes',
    }
    const board = await acc.board(request.actor!, filters)
    return reply.view('accommodation/views/board.njk', { title: 'Safe accommodation vacancies', ...board, filters, vocab })
  })

  app.get('/api/v1/accommodation/vacancies', {
    schema: {
      tags: ['accommodation'],
      summary: 'The live vacancy board: every open unit with its rooms free now (never addresses)',
      security: [{ session: [] }],
      response: { 200: { type: 'object', properties: { asOf: { type: 'string', format: 'date' }, rows: { type: 'array', items: vacancyItem } } } },
    },
  }, async request => {
    const board = await acc.board(request.actor!)
    return { asOf: board.asOf, rows: board.rows }
  })

  // ---- Search ----

  const renderSearch = async (request: FastifyRequest, reply: FastifyReply, values: HouseholdForm, extra: Record<string, unknown> = {}, status = 200) => {
    const districts = await acc.districtList(request.actor!)
    return reply.code(status).view('accommodation/views/search.njk', { title: 'Find safe accommodation', values, districts, vocab, ...extra })
  }

  app.get('/accommodation/search', async (request, reply) => {
    mustSearch(request.actor!)
    const from = (request.query as Record<string, string | undefined>).from
    if (from && uuid.test(from)) {
      const previous = await acc.searchResult(request.actor!, from)
      return renderSearch(request, reply, householdToForm(previous.household))
    }
    return renderSearch(request, reply, emptyHouseholdForm())
  })

  app.post('/accommodation/search', async (request, reply) => {
    mustSearch(request.actor!)
    const values = readHouseholdForm((request.body ?? {}) as Body)
    const districts = await acc.districtList(request.actor!)
    const parsed = parseHousehold(values, districts.map(d => d.code))
    if (!parsed.ok) {
      const ids: Record<string, string> = { adultGender: 'adultGender', needs: 'needs', pets: 'pets', areasToAvoid: 'areasToAvoid', communities: 'communities' }
      return renderSearch(request, reply, values, { errors: formErrors(parsed.problems, ids) }, 400)
    }
    const { id } = await acc.search(request.actor!, parsed.household)
    return reply.redirect(`/accommodation/searches/${id}`, 303)
  })

  app.get<{ Params: { id: string } }>('/accommodation/searches/:id', async (request, reply) => {
    const result = await acc.searchResult(request.actor!, checkId(request.params.id))
    return reply.view('accommodation/views/results.njk', { title: 'Search results', ...result, vocab, canRefer: can(request.actor!.roles, 'accommodation.search') })
  })

  app.post<{ Params: { id: string } }>('/accommodation/searches/:id/referrals', async (request, reply) => {
    mustSearch(request.actor!)
    const body = (request.body ?? {}) as Body
    const searchId = checkId(request.params.id)
    const unitId = str(body, 'unitId')
    if (!uuid.test(unitId)) throw new NotFoundError()
    try {
      const referralId = await acc.refer(request.actor!, { searchId, unitId, note: str(body, 'note') })
      return reply.redirect(`/accommodation/referrals/${referralId}?sent=1`, 303)
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error
      const result = await acc.searchResult(request.actor!, searchId)
      return reply.code(400).view('accommodation/views/results.njk', {
        title: 'Search results', ...result, vocab, canRefer: true, errors: formErrors(error.problems),
      })
    }
  })

  // ---- Referrals ----

  app.get('/accommodation/referrals', async (request, reply) => {
    const lists = await acc.referrals(request.actor!)
    return reply.view('accommodation/views/referrals.njk', { title: 'Referrals to safe accommodation', ...lists, vocab })
  })

  const renderReferral = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await acc.referral(request.actor!, id)
    return reply.code(status).view('accommodation/views/referral.njk', {
      title: `Referral to ${result.referral.unitName}`, ...result, vocab, today: partsOf(acc.today()), values: {}, ...extra,
    })
  }

  app.get<{ Params: { id: string } }>('/accommodation/referrals/:id', async (request, reply) =>
    renderReferral(request, reply, checkId(request.params.id), { sent: (request.query as Record<string, string>).sent === '1' }))

  const onFormError = async (request: FastifyRequest, reply: FastifyReply, id: string, error: unknown, values: Record<string, unknown>) => {
    if (error instanceof UserInputError) {
      return renderReferral(request, reply, id, { errors: formErrors(error.problems, dateFieldIds), values }, 400)
    }
    if (error instanceof ConcurrentEditError) {
      return renderReferral(request, reply, id, {
        errors: formErrors([{ field: 'decision', message: 'Someone else changed this referral while you were looking at it. It is shown as it is now: check it and try again.' }]),
      }, 409)
    }
    throw error
  }

  app.post<{ Params: { id: string } }>('/accommodation/referrals/:id/decision', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const input = { decision: str(body, 'decision'), spaceId: str(body, 'spaceId'), reason: str(body, 'reason'), note: str(body, 'note') }
    try {
      await acc.decide(request.actor!, id, input, Number(str(body, 'version')))
    } catch (error) {
      return onFormError(request, reply, id, error, input)
    }
    return reply.redirect(`/accommodation/referrals/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/accommodation/referrals/:id/withdraw', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    try {
      await acc.withdraw(request.actor!, id, Number(str(body, 'version')))
    } catch (error) {
      return onFormError(request, reply, id, error, {})
    }
    return reply.redirect(`/accommodation/referrals/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/accommodation/referrals/:id/placement', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const movedIn = dateFrom(body, 'movedInOn')
    const trans = parseAdultTrans(body.adultTrans)
    let placementId: string
    try {
      if (!trans.ok) throw new UserInputError([trans.problem])
      placementId = await acc.recordPlacement(request.actor!, id, { movedInOn: movedIn.iso, adultTrans: trans.value }, Number(str(body, 'version')))
    } catch (error) {
      return onFormError(request, reply, id, error, { movedInOn: movedIn.parts, adultTrans: str(body, 'adultTrans') })
    }
    return reply.redirect(`/accommodation/placements/${placementId}`, 303)
  })

  // ---- Units and addresses ----

  const renderUnitForm = async (request: FastifyRequest, reply: FastifyReply, unitId: string | null, extra: Record<string, unknown>, status = 200) => {
    if (!can(request.actor!.roles, 'accommodation.manage')) throw new NotFoundError()
    const districts = await acc.districtList(request.actor!)
    return reply.code(status).view('accommodation/views/unit-form.njk', {
      title: unitId ? 'Change the unit' : 'Add a unit', unitId, districts, vocab, ...extra,
    })
  }

  app.get('/accommodation/units/new', async (request, reply) =>
    renderUnitForm(request, reply, null, { values: { gendersAccepted: ['woman'], localConnection: 'anywhere', isActive: true, petsAccepted: [], support: [], byAndFor: [] } }))

  app.post('/accommodation/units/new', async (request, reply) => {
    const values = readUnitForm((request.body ?? {}) as Body)
    const districts = await acc.districtList(request.actor!)
    const checked = checkUnit(values, districts.map(d => d.code))
    if (!checked.ok) return renderUnitForm(request, reply, null, { values, errors: formErrors(checked.problems, unitFieldIds) }, 400)
    const id = await acc.saveUnit(request.actor!, null, checked.value)
    return reply.redirect(`/accommodation/units/${id}`, 303)
  })

  app.get<{ Params: { id: string } }>('/accommodation/units/:id/edit', async (request, reply) => {
    const result = await acc.unit(request.actor!, checkId(request.params.id))
    if (!result.manages) throw new NotFoundError()
    return renderUnitForm(request, reply, result.unit.id, { values: unitToForm(result.unit), version: result.unit.version })
  })

  app.post<{ Params: { id: string } }>('/accommodation/units/:id/edit', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const values = readUnitForm(body)
    const districts = await acc.districtList(request.actor!)
    const checked = checkUnit(values, districts.map(d => d.code))
    const version = Number(str(body, 'version'))
    if (!checked.ok) return renderUnitForm(request, reply, id, { values, version, errors: formErrors(checked.problems, unitFieldIds) }, 400)
    try {
      await acc.saveUnit(request.actor!, id, checked.value, version)
    } catch (error) {
      if (!(error instanceof ConcurrentEditError)) throw error
      const current = await acc.unit(request.actor!, id)
      return renderUnitForm(request, reply, id, {
        values: unitToForm(current.unit), version: current.unit.version,
        errors: formErrors([{ field: 'name', message: 'Someone else changed this unit while you were editing it. Their changes are shown below: check them and make your change again.' }]),
      }, 409)
    }
    return reply.redirect(`/accommodation/units/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/accommodation/units/:id/rooms', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const checked = checkRoom(body)
    if (!checked.ok) {
      const result = await acc.unit(request.actor!, id)
      if (!result.manages) throw new NotFoundError()
      return reply.code(400).view('accommodation/views/unit.njk', {
        title: result.unit.name, ...result, vocab, roomValues: body, errors: formErrors(checked.problems.map(p => ({ ...p, field: `room-${p.field}` }))),
      })
    }
    await acc.addRoom(request.actor!, id, checked.value)
    return reply.redirect(`/accommodation/units/${id}`, 303)
  })

  app.post<{ Params: { id: string } }>('/accommodation/units/:id/address', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const checked = checkAddress(body)
    if (!checked.ok) {
      const result = await acc.address(request.actor!, id)
      if (result.kind === 'refused') throw new NotFoundError()
      return reply.code(400).view('accommodation/views/address.njk', {
        title: `Address of ${result.unit.name}`, ...result, manages: true, addressValues: body, errors: formErrors(checked.problems),
      })
    }
    await acc.setAddress(request.actor!, id, checked.value)
    return reply.redirect(`/accommodation/units/${id}/address`, 303)
  })

  app.get<{ Params: { id: string } }>('/accommodation/units/:id', async (request, reply) => {
    const result = await acc.unit(request.actor!, checkId(request.params.id))
    return reply.view('accommodation/views/unit.njk', { title: result.unit.name, ...result, vocab })
  })

  app.get<{ Params: { id: string } }>('/accommodation/units/:id/address', async (request, reply) => {
    const result = await acc.address(request.actor!, checkId(request.params.id))
    if (result.kind === 'refused') throw new NotFoundError()
    const manages = can(request.actor!.roles, 'accommodation.manage')
    const addressValues = result.kind === 'shown'
      ? { line1: result.address.lines[0] ?? '', line2: result.address.lines.length > 2 ? result.address.lines[1] : '', town: result.address.lines.at(-1) ?? '', postcode: result.address.postcode, phone: result.address.phone ?? '' }
      : {}
    return reply.view('accommodation/views/address.njk', { title: `Address of ${result.unit.name}`, ...result, manages, addressValues })
  })

  app.post<{ Params: { id: string; spaceId: string } }>('/accommodation/units/:id/spaces/:spaceId/status', async (request, reply) => {
    const unitId = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const input = { status: str(body, 'status'), reason: str(body, 'reason'), until: dateFrom(body, 'until').iso }
    try {
      await acc.setSpaceStatus(request.actor!, checkId(request.params.spaceId), input, Number(str(body, 'version')))
    } catch (error) {
      if (!(error instanceof UserInputError) && !(error instanceof ConcurrentEditError)) throw error
      const result = await acc.unit(request.actor!, unitId)
      const problems = error instanceof UserInputError ? error.problems
        : [{ field: 'status', message: 'Someone else changed this room while you were looking at it. It is shown as it is now.' }]
      return reply.code(error instanceof UserInputError ? 400 : 409).view('accommodation/views/unit.njk', {
        title: result.unit.name, ...result, vocab, errors: formErrors(problems.map(p => ({ ...p, field: `${p.field}-${request.params.spaceId}` }))),
        editing: request.params.spaceId, values: input,
      })
    }
    return reply.redirect(`/accommodation/units/${unitId}`, 303)
  })

  const renderDirect = async (request: FastifyRequest, reply: FastifyReply, unitId: string, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await acc.unit(request.actor!, unitId)
    if (!result.manages) throw new NotFoundError()
    const districts = await acc.districtList(request.actor!)
    return reply.code(status).view('accommodation/views/place.njk', {
      title: `Record a move-in at ${result.unit.name}`, ...result, districts, vocab, values: emptyHouseholdForm(), movedInOn: partsOf(acc.today()), ...extra,
    })
  }

  app.get<{ Params: { id: string } }>('/accommodation/units/:id/placements/new', async (request, reply) =>
    renderDirect(request, reply, checkId(request.params.id)))

  app.post<{ Params: { id: string } }>('/accommodation/units/:id/placements', async (request, reply) => {
    const unitId = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const values = readHouseholdForm(body)
    const movedIn = dateFrom(body, 'movedInOn')
    const districts = await acc.districtList(request.actor!)
    const parsed = parseHousehold(values, districts.map(d => d.code))
    const spaceId = str(body, 'spaceId')
    const trans = parseAdultTrans(body.adultTrans)
    const fail = (problems: { field: string; message: string }[]) =>
      renderDirect(request, reply, unitId, { values, movedInOn: movedIn.parts, adultTrans: str(body, 'adultTrans'), spaceId, errors: formErrors(problems, dateFieldIds) }, 400)
    if (!parsed.ok || !trans.ok) return fail([...(parsed.ok ? [] : parsed.problems), ...(trans.ok ? [] : [trans.problem])])
    try {
      const id = await acc.placeDirectly(request.actor!, unitId, { spaceId, movedInOn: movedIn.iso, household: parsed.household, adultTrans: trans.value })
      return reply.redirect(`/accommodation/placements/${id}`, 303)
    } catch (error) {
      if (error instanceof UserInputError) return fail(error.problems)
      throw error
    }
  })

  // ---- Placements ----

  app.get('/accommodation/placements', async (request, reply) => {
    const rows = await acc.placements(request.actor!, { current: (request.query as Record<string, string>).all !== 'yes' })
    return reply.view('accommodation/views/placements.njk', { title: 'Placements', rows, vocab, all: (request.query as Record<string, string>).all === 'yes' })
  })

  const renderPlacement = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const result = await acc.placement(request.actor!, id)
    return reply.code(status).view('accommodation/views/placement.njk', {
      title: `Placement at ${result.placement.unitName}`, ...result, vocab, values: { movedOutOn: partsOf(acc.today()) }, ...extra,
    })
  }

  app.get<{ Params: { id: string } }>('/accommodation/placements/:id', async (request, reply) => renderPlacement(request, reply, checkId(request.params.id)))

  app.post<{ Params: { id: string } }>('/accommodation/placements/:id/move-out', async (request, reply) => {
    const id = checkId(request.params.id)
    const body = (request.body ?? {}) as Body
    const movedOut = dateFrom(body, 'movedOutOn')
    const values = { movedOutOn: movedOut.parts, destination: str(body, 'destination'), note: str(body, 'note') }
    try {
      await acc.moveOut(request.actor!, id, { movedOutOn: movedOut.iso, destination: values.destination, note: values.note }, Number(str(body, 'version')))
    } catch (error) {
      if (error instanceof UserInputError) return renderPlacement(request, reply, id, { values, errors: formErrors(error.problems, dateFieldIds) }, 400)
      if (error instanceof ConcurrentEditError) {
        return renderPlacement(request, reply, id, {
          errors: formErrors([{ field: 'movedOutOn', message: 'Someone else changed this placement while you were looking at it. It is shown as it is now.' }], dateFieldIds),
        }, 409)
      }
      throw error
    }
    return reply.redirect(`/accommodation/placements/${id}`, 303)
  })

  // ---- Unmet need and occupancy ----

  app.get('/accommodation/unmet-need', async (request, reply) => {
    const period = periodFor(String((request.query as Record<string, string>).period ?? ''), acc.today())
    const result = await acc.unmetNeed(request.actor!, period)
    return reply.view('accommodation/views/unmet-need.njk', { title: 'Unmet need for safe accommodation', ...result, periodCode: period.code, vocab })
  })

  // The Whole Housing Approach services live beside safe accommodation (src/domains/services).
  await app.register(sanctuaryRoutes, { services })

  app.get('/accommodation/occupancy', async (request, reply) => {
    const period = periodFor(String((request.query as Record<string, string>).period ?? ''), acc.today())
    const figures = await acc.occupancy(request.actor!, period)
    return reply.view('accommodation/views/occupancy.njk', { title: 'Occupancy and length of stay', ...figures, periodCode: period.code, vocab })
  })
}

