import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { InputError, StaleEditError, staleEditMessage } from '../cases/errors.ts'
import { NotFoundError } from '../cases/service.ts'
import { isIsoDate } from '../partnership/effectiveDated.ts'
import { type Body, dateItems, dateParts, partsOf, radioItems, readDate, selectItems, str, uuidPattern } from '../referrals/forms.ts'
import { relationshipLabels } from '../referrals/input.ts'
import { formatDate } from '../referrals/summary.ts'
import type { Relationship } from '../partnership/profile.ts'
import { type MeetingKind, meetingKinds } from './service.ts'

type Params = { Params: { id: string } }

const kindOf = (value: unknown): MeetingKind => (value === 'plus' ? 'plus' : 'regular')
const meetingLabel = (date: string, kind: MeetingKind) => `${kind === 'plus' ? 'MARAC Plus' : 'MARAC'}, ${formatDate(date)}`
const version = (body: Body) => Number(str(body, 'version')) || 0
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
const eligibilityHtml = (reasons: { text: string }[]) => reasons.length
  ? `<ul class="govuk-list govuk-list--bullet">${reasons.map(r => `<li>${escapeHtml(r.text)}</li>`).join('')}</ul>`
  : 'Listed by the MARAC coordinator'

/**
 * MARAC: meetings on the profile's cadence, agendas built from eligible referrals, each agency's research,
 * minutes, actions with owner agency and due date, MARAC Plus and transfers. A representative sees only
 * the agenda items and actions of their agency: row-level security enforces it, these pages just show it.
 */
export const maracRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const marac = services.marac

  const renderOverview = async (request: FastifyRequest, reply: FastifyReply, problems: FieldProblem[] = [], listing?: string) => {
    const overview = await marac.overview(request.actor!)
    return reply.code(problems.length ? 400 : 200).view('marac/views/overview.njk', {
      title: 'MARAC', ...overview, listing,
      meetingItems: selectItems(overview.upcomingDates.map(d => ({ value: d, text: meetingLabel(d, 'regular') })), overview.upcomingDates[0]),
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }
  app.get('/marac', async (request, reply) => renderOverview(request, reply))

  app.post<{ Params: { referralId: string } }>('/marac/referrals/:referralId/list', async (request, reply) => {
    if (!uuidPattern.test(request.params.referralId)) throw new NotFoundError()
    const body = (request.body ?? {}) as Body
    try {
      const id = await marac.listReferral(request.actor!, request.params.referralId, {
        meetingDate: str(body, 'meetingDate'), kind: kindOf(str(body, 'kind')), transferFrom: str(body, 'transferFrom') || undefined,
      })
      return reply.redirect(`/marac/cases/${id}`, 303)
    } catch (error) {
      if (error instanceof InputError) return renderOverview(request, reply, error.problems.map(p => ({ ...p, field: `meetingDate-${request.params.referralId}` })), request.params.referralId)
      throw error
    }
  })

  // ---- A meeting --------------------------------------------------------------------------------------
  const renderMeeting = async (request: FastifyRequest<{ Params: { date: string } }>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = [], stale?: StaleEditError) => {
    if (!isIsoDate(request.params.date)) throw new NotFoundError()
    const kind = kindOf((request.query as Record<string, string | undefined>).kind)
    const result = await marac.meeting(request.actor!, request.params.date, kind)
    const all = stale ? [{ field: 'notes', message: staleEditMessage(stale.lastChange) }, ...problems] : problems
    return reply.code(stale ? 409 : problems.length ? 400 : 200).view('marac/views/meeting.njk', {
      title: meetingLabel(request.params.date, kind), ...result, heading: meetingLabel(request.params.date, kind),
      notes: body ? str(body, 'notes') : (result.meeting?.notes ?? ''), version: result.meeting?.version ?? 1, stale: Boolean(stale),
      mayWrite: can(request.actor!.roles, 'marac.write'),
      errors: all.length ? formErrors(all) : undefined,
    })
  }
  app.get<{ Params: { date: string } }>('/marac/meetings/:date', async (request, reply) => renderMeeting(request, reply))
  app.post<{ Params: { date: string } }>('/marac/meetings/:date/notes', async (request, reply) => {
    if (!isIsoDate(request.params.date)) throw new NotFoundError()
    const body = (request.body ?? {}) as Body
    const kind = kindOf((request.query as Record<string, string | undefined>).kind)
    try {
      await marac.saveMeetingNotes(request.actor!, request.params.date, kind, { notes: str(body, 'notes'), version: version(body) })
    } catch (error) {
      if (error instanceof InputError) return renderMeeting(request, reply, body, error.problems)
      if (error instanceof StaleEditError) return renderMeeting(request, reply, body, [], error)
      throw error
    }
    return reply.redirect(`/marac/meetings/${request.params.date}${kind === 'plus' ? '?kind=plus' : ''}`, 303)
  })

  // ---- A case -----------------------------------------------------------------------------------------
  const renderCase = async (request: FastifyRequest<Params>, reply: FastifyReply, options: { body?: Body; problems?: FieldProblem[]; stale?: StaleEditError; staleField?: string } = {}) => {
    if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
    const detail = await marac.caseDetail(request.actor!, request.params.id)
    const c = detail.maracCase
    const body = options.body
    const problems = [...(options.stale ? [{ field: options.staleField ?? 'minutes', message: staleEditMessage(options.stale.lastChange) }] : []), ...(options.problems ?? [])]
    const involved = new Set(detail.agencies.map(a => a.agencyId))
    return reply.code(options.stale ? 409 : problems.length ? 400 : 200).view('marac/views/case.njk', {
      title: `MARAC case: ${c.givenName} ${c.familyName}`, ...detail, c,
      eligibilityHtml: eligibilityHtml((c.eligibilityReasons as { text: string }[] | null) ?? []),
      perpetratorText: detail.perpetrators.map(p => `${[p.givenName, p.familyName].filter(Boolean).join(' ') || 'Name not known'} (${relationshipLabels[p.relationship as Relationship] ?? p.relationship})`).join('; '),
      minutes: body && str(body, 'form') === 'case' ? str(body, 'minutes') : (c.minutes ?? ''),
      plusItems: radioItems([{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }], body && str(body, 'form') === 'case' ? str(body, 'isMaracPlus') : c.isMaracPlus ? 'yes' : 'no'),
      plusReason: body && str(body, 'form') === 'case' ? str(body, 'maracPlusReason') : (c.maracPlusReason ?? ''),
      transferItems: radioItems([{ value: '', text: 'No transfer' }, { value: 'in', text: 'Transferred in from another area' }, { value: 'out', text: 'Transferring out to another area' }],
        body && str(body, 'form') === 'case' ? str(body, 'transfer') : (c.transfer ?? '')),
      transferArea: body && str(body, 'form') === 'case' ? str(body, 'transferArea') : (c.transferArea ?? ''),
      statusItems: radioItems([{ value: 'listed', text: 'Listed' }, { value: 'discussed', text: 'Discussed' }, { value: 'withdrawn', text: 'Withdrawn from the agenda' }],
        body && str(body, 'form') === 'case' ? str(body, 'status') : c.status),
      moveItems: selectItems([
        ...detail.upcomingDates.map(d => ({ value: `regular:${d}`, text: meetingLabel(d, 'regular') })),
        ...detail.upcomingDates.map(d => ({ value: `plus:${d}`, text: meetingLabel(d, 'plus') })),
      ], undefined, 'Choose a meeting'),
      agencyItems: selectItems(detail.allAgencies.filter(a => !involved.has(a.id)).map(a => ({ value: a.id, text: a.name })), undefined, 'Choose an agency'),
      ownerItems: selectItems(detail.allAgencies.map(a => ({ value: a.id, text: a.name })), body && str(body, 'form') === 'action' ? str(body, 'ownerAgencyId') : undefined, 'Choose an agency'),
      actionDescription: body && str(body, 'form') === 'action' ? str(body, 'description') : '',
      dueItems: dateItems(body && str(body, 'form') === 'action' ? dateParts(body, 'dueOn') : partsOf(undefined), problems.some(p => p.field.startsWith('dueOn'))),
      research: Object.fromEntries(detail.agencies.map(a => [a.agencyId, body && str(body, 'form') === `research-${a.agencyId}` ? str(body, 'research') : (a.research ?? '')])),
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }

  const caseAction = (path: string, handler: (request: FastifyRequest<Params>, body: Body) => Promise<void>, staleField = 'minutes') => {
    app.post<Params>(`/marac/cases/:id/${path}`, async (request, reply) => {
      if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
      const body = (request.body ?? {}) as Body
      try {
        await handler(request, body)
      } catch (error) {
        if (error instanceof InputError) return renderCase(request, reply, { body, problems: error.problems })
        if (error instanceof StaleEditError) return renderCase(request, reply, { body, stale: error, staleField })
        throw error
      }
      return reply.redirect(`/marac/cases/${request.params.id}`, 303)
    })
  }

  app.get<Params>('/marac/cases/:id', async (request, reply) => renderCase(request, reply))

  caseAction('update', async (request, body) => {
    const transfer = str(body, 'transfer')
    const status = str(body, 'status')
    await marac.updateCase(request.actor!, request.params.id, {
      minutes: str(body, 'minutes'), isMaracPlus: str(body, 'isMaracPlus') === 'yes', maracPlusReason: str(body, 'maracPlusReason'),
      transfer: transfer === 'in' || transfer === 'out' ? transfer : null, transferArea: str(body, 'transferArea'),
      status: status === 'discussed' || status === 'withdrawn' ? status : 'listed', version: version(body),
    })
  })

  caseAction('move', async (request, body) => {
    const [kind, date] = str(body, 'meeting').split(':')
    if (!date || !meetingKinds.includes(kind as MeetingKind)) throw new InputError([{ field: 'meeting', message: 'Choose the meeting to move the case to' }])
    await marac.moveCase(request.actor!, request.params.id, { meetingDate: date, kind: kind as MeetingKind, version: version(body) })
  }, 'meeting')

  caseAction('agencies', async (request, body) => {
    if (!uuidPattern.test(str(body, 'agencyId'))) throw new InputError([{ field: 'agencyId', message: 'Choose an agency' }])
    await marac.addAgency(request.actor!, request.params.id, str(body, 'agencyId'))
  }, 'agencyId')

  caseAction('research', async (request, body) => {
    const agencyId = str(body, 'agencyId')
    if (!uuidPattern.test(agencyId)) throw new NotFoundError()
    await marac.saveResearch(request.actor!, request.params.id, agencyId, { research: str(body, 'research'), version: version(body) })
  }, 'research')

  caseAction('actions', async (request, body) => {
    const due = readDate(body, 'dueOn', 'Due date', { required: true })
    const problems: FieldProblem[] = []
    if (due.problem) problems.push(due.problem)
    if (!uuidPattern.test(str(body, 'ownerAgencyId'))) problems.push({ field: 'ownerAgencyId', message: 'Select the agency that owns the action' })
    if (!str(body, 'description')) problems.push({ field: 'description', message: 'Describe the action' })
    if (problems.length) throw new InputError(problems)
    await marac.addAction(request.actor!, request.params.id, { ownerAgencyId: str(body, 'ownerAgencyId'), description: str(body, 'description'), dueOn: due.value! })
  }, 'description')

  // ---- Actions ----------------------------------------------------------------------------------------
  app.get('/marac/actions', async (request, reply) => {
    const result = await marac.actions(request.actor!)
    return reply.view('marac/views/actions.njk', { title: 'MARAC actions', ...result })
  })

  app.post<Params>('/marac/actions/:id', async (request, reply) => {
    if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
    const body = (request.body ?? {}) as Body
    const status = str(body, 'status')
    try {
      const caseId = await marac.updateAction(request.actor!, request.params.id, {
        status: status === 'done' || status === 'cancelled' ? status : 'open', note: str(body, 'note'), version: version(body),
      })
      return reply.redirect(str(body, 'returnTo') === 'actions' ? '/marac/actions' : `/marac/cases/${caseId}#actions`, 303)
    } catch (error) {
      if (error instanceof StaleEditError) {
        const result = await marac.actions(request.actor!)
        return reply.code(409).view('marac/views/actions.njk', {
          title: 'MARAC actions', ...result, errors: formErrors([{ field: `action-${request.params.id}`, message: staleEditMessage(error.lastChange) }]),
        })
      }
      throw error
    }
  })

  // ---- JSON API ---------------------------------------------------------------------------------------
  const actionSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' }, maracCaseId: { type: 'string' }, ownerAgencyId: { type: 'string' }, ownerAgency: { type: 'string' },
      description: { type: 'string' }, dueOn: { type: 'string', format: 'date' }, status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
      overdue: { type: 'boolean' }, personName: { type: 'string' }, meetingDate: { type: 'string', format: 'date' }, version: { type: 'integer' },
    },
  } as const
  app.get('/api/v1/marac/actions', {
    schema: {
      tags: ['marac'], summary: 'MARAC actions the caller may see (a representative: their agency’s), with overdue flags', security: [{ session: [] }],
      response: { 200: { type: 'object', properties: { rows: { type: 'array', items: actionSchema } } } },
    },
  }, async request => ({ rows: (await marac.actions(request.actor!)).rows }))

  app.get<{ Params: { date: string }; Querystring: { kind?: string } }>('/api/v1/marac/meetings/:date', {
    schema: {
      tags: ['marac'], summary: 'A MARAC meeting’s agenda, as the caller may see it', security: [{ session: [] }],
      params: { type: 'object', properties: { date: { type: 'string', format: 'date' } }, required: ['date'] },
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: ['regular', 'plus'] } } },
      response: { 200: { type: 'object', properties: {
        meetingDate: { type: 'string' }, kind: { type: 'string' },
        agenda: { type: 'array', items: { type: 'object', properties: {
          id: { type: 'string' }, personName: { type: 'string' }, status: { type: 'string' }, isRepeat: { type: 'boolean' },
          childrenInHousehold: { type: 'integer' }, isMaracPlus: { type: 'boolean' }, transfer: { type: ['string', 'null'] },
          score: { type: ['integer', 'null'] }, riskLevel: { type: ['string', 'null'] }, referringAgency: { type: 'string' },
        } } },
      } } },
    },
  }, async request => {
    const result = await marac.meeting(request.actor!, request.params.date, kindOf(request.query.kind))
    return { meetingDate: result.meetingDate, kind: result.kind, agenda: result.agenda }
  })

  app.post<{ Params: { id: string }; Body: { ownerAgencyId: string; description: string; dueOn: string } }>('/api/v1/marac/cases/:id/actions', {
    schema: {
      tags: ['marac'], summary: 'Record a MARAC action for an agency (the MARAC coordinator)', security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      body: { type: 'object', required: ['ownerAgencyId', 'description', 'dueOn'], additionalProperties: false, properties: {
        ownerAgencyId: { type: 'string', format: 'uuid' }, description: { type: 'string', minLength: 1, maxLength: 2000 }, dueOn: { type: 'string', format: 'date' },
      } },
      response: { 201: { type: 'object', properties: { id: { type: 'string' } } } },
    },
  }, async (request, reply) => {
    try {
      return reply.code(201).send({ id: await marac.addAction(request.actor!, request.params.id, request.body) })
    } catch (error) {
      if (error instanceof InputError) return reply.code(400).send({ error: 'invalid', problems: error.problems })
      throw error
    }
  })

  app.post<{ Params: { id: string }; Body: { status: 'open' | 'done' | 'cancelled'; note?: string; version: number } }>('/api/v1/marac/actions/:id', {
    schema: {
      tags: ['marac'], summary: 'Update a MARAC action’s status (the owning agency’s representative or the coordinator)', security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      body: { type: 'object', required: ['status', 'version'], additionalProperties: false, properties: {
        status: { type: 'string', enum: ['open', 'done', 'cancelled'] }, note: { type: 'string', maxLength: 2000 }, version: { type: 'integer' },
      } },
      response: { 204: { type: 'null' } },
    },
  }, async (request, reply) => {
    try {
      await marac.updateAction(request.actor!, request.params.id, { status: request.body.status, note: request.body.note ?? '', version: request.body.version })
    } catch (error) {
      if (error instanceof StaleEditError) return reply.code(409).send({ error: 'conflict', message: staleEditMessage(error.lastChange) })
      throw error
    }
    return reply.code(204).send()
  })
}
