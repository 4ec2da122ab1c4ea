import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../../access/policy.ts'
import { londonDate } from '../../clock.ts'
import { codeList } from '../../standard/codeLists.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import {
  type Body, checkboxItems, dateItems, dateParts, list, partsOf, radioItems, readDate, selectItems, str, uuidPattern,
} from '../referrals/forms.ts'
import {
  abuseTypes, type AbuseType, activityLabel, closureReasons, contactMethods, contactOutcomes, type ExitOutcomes, type IntakeOutcomes,
} from './caseworkRules.ts'
import { InputError, StaleEditError, staleEditMessage } from './errors.ts'
import { NotFoundError } from './service.ts'

type Params = { Params: { id: string } }

const supportNeedOptions = codeList('support_needs').codes.map(c => ({ value: c.code, text: c.label }))
const abuseOptions = abuseTypes.map(a => ({ value: a.code, text: a.label }))
const feelOptions = [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }, { value: 'not-known', text: 'Not known' }]
const qualityOptions = Array.from({ length: 10 }, (_, i) => ({ value: String(i + 1), text: String(i + 1) }))

const version = (body: Body) => Number(str(body, 'version')) || 0

/**
 * IDVA casework: allocation with caseloads, contact attempts under the safe-contact rules, engagement,
 * safety plan, support needs, actions, notes, outcome measures and closure. Row-level security decides
 * which cases exist for the user; the routes add the GOV.UK pages and error handling.
 */
export const caseworkRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const casework = services.casework
  const today = () => londonDate(services.clock())
  const caseId = (request: FastifyRequest<Params>) => {
    if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
    return request.params.id
  }

  /**
   * A form that saves with optimistic concurrency: on a problem it re-renders with the user's input and the
   * GOV.UK error summary; when someone else saved first, it says who changed what and when, keeps the user's
   * input, and carries the new version so that saving again (after checking) goes through.
   */
  function versionedForm<T>(options: {
    path: string
    template: string
    title: string
    view: (request: FastifyRequest<Params>, current: Awaited<ReturnType<typeof casework.details>>, body: Body | undefined, problems: FieldProblem[]) => Record<string, unknown>
    read: (body: Body, problems: FieldProblem[]) => T
    save: (request: FastifyRequest<Params>, id: string, value: T, version: number) => Promise<void>
    errorField?: string
  }) {
    const render = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = [], stale?: StaleEditError) => {
      const current = await casework.details(request.actor!, caseId(request))
      if (!current.mayWrite) throw new NotFoundError()
      const allProblems = stale ? [{ field: options.errorField ?? 'form', message: staleEditMessage(stale.lastChange) }, ...problems] : problems
      return reply.code(stale ? 409 : problems.length ? 400 : 200).view(options.template, {
        title: options.title, c: current.casework, current, version: current.casework.version, stale: Boolean(stale),
        backHref: `/cases/${current.casework.id}`,
        ...options.view(request, current, body, allProblems),
        errors: allProblems.length ? formErrors(allProblems) : undefined,
      })
    }
    app.get<Params>(options.path, async (request, reply) => render(request, reply))
    app.post<Params>(options.path, async (request, reply) => {
      const id = caseId(request)
      const body = (request.body ?? {}) as Body
      const problems: FieldProblem[] = []
      const value = options.read(body, problems)
      if (problems.length) return render(request, reply, body, problems)
      try {
        await options.save(request, id, value, version(body))
      } catch (error) {
        if (error instanceof InputError) return render(request, reply, body, error.problems)
        if (error instanceof StaleEditError) return render(request, reply, body, [], error)
        throw error
      }
      return reply.redirect(`/cases/${id}#${options.errorField ?? 'casework'}`, 303)
    })
  }

  // ---- Allocation -------------------------------------------------------------------------------------
  app.get('/cases/allocation', async (request, reply) => {
    const queue = await casework.allocationQueue(request.actor!)
    return reply.view('cases/views/allocation.njk', { title: 'Allocation', ...queue })
  })

  const renderAllocate = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = [], stale?: StaleEditError) => {
    const form = await casework.allocationForm(request.actor!, caseId(request))
    const all = stale ? [{ field: 'teamId', message: staleEditMessage(stale.lastChange) }, ...problems] : problems
    const chosenTeam = body ? str(body, 'teamId') : (form.case.teamId ?? form.case.suggestedTeamId ?? '')
    return reply.code(stale ? 409 : problems.length ? 400 : 200).view('cases/views/allocate.njk', {
      title: `Allocate case ${form.case.reference}`, ...form,
      teamItems: radioItems(form.teams.map(t => ({
        value: t.id,
        text: t.name + (t.id === form.case.suggestedTeamId ? ' (suggested)' : ''),
        hint: t.load ? t.load.text : `${t.last12Months} case${t.last12Months === 1 ? '' : 's'} in the last 12 months`,
      })), chosenTeam),
      idvaItems: selectItems(form.idvas.map(i => ({ value: i.id, text: `${i.name}${i.teamName ? ` (${i.teamName})` : ''}: ${i.open} open, ${i.last12Months} in 12 months` })),
        body ? str(body, 'userId') : form.case.allocatedUserId, 'Allocate to the team, not a named IDVA yet'),
      errors: all.length ? formErrors(all) : undefined,
    })
  }
  app.get<Params>('/cases/:id/allocate', async (request, reply) => renderAllocate(request, reply))
  app.post<Params>('/cases/:id/allocate', async (request, reply) => {
    const id = caseId(request)
    const body = (request.body ?? {}) as Body
    try {
      await casework.allocate(request.actor!, id, { teamId: str(body, 'teamId'), userId: str(body, 'userId') || null, version: version(body) })
    } catch (error) {
      if (error instanceof InputError) return renderAllocate(request, reply, body, error.problems)
      if (error instanceof StaleEditError) return renderAllocate(request, reply, body, [], error)
      throw error
    }
    return reply.redirect('/cases/allocation?allocated=1', 303)
  })

  app.get('/cases/actions/overdue', async (request, reply) => {
    if (!can(request.actor!.roles, 'case.read')) throw new NotFoundError()
    const rows = await casework.overdueActions(request.actor!)
    return reply.view('cases/views/overdue.njk', { title: 'Overdue actions', rows })
  })

  // ---- Contact attempts -------------------------------------------------------------------------------
  const renderContact = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = []) => {
    const { case: c, rules } = await casework.safeContactRules(request.actor!, caseId(request))
    if (!can(request.actor!.roles, 'case.write')) throw new NotFoundError()
    const errorFields = new Set(problems.map(p => p.field))
    return reply.code(problems.length ? 400 : 200).view('cases/views/contact.njk', {
      title: 'Log a contact attempt', c, rules, backHref: `/cases/${c.id}`,
      dateItems: dateItems(body ? dateParts(body, 'attemptedOn') : partsOf(today()), [...errorFields].some(f => f.startsWith('attemptedOn'))),
      methodItems: radioItems(contactMethods.map(m => ({
        value: m.code,
        text: m.label,
        ...((m.code === 'voicemail' && rules.noVoicemail) || (m.code === 'letter-home' && rules.neverWriteHome) ? { hint: 'Not allowed by the safe contact rules' } : {}),
      })), body ? str(body, 'method') : undefined),
      outcomeItems: radioItems(contactOutcomes.map(o => ({ value: o.code, text: o.label })), body ? str(body, 'outcome') : undefined),
      notes: body ? str(body, 'notes') : '',
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }
  app.get<Params>('/cases/:id/contacts/new', async (request, reply) => renderContact(request, reply))
  app.post<Params>('/cases/:id/contacts/new', async (request, reply) => {
    const id = caseId(request)
    const body = (request.body ?? {}) as Body
    const date = readDate(body, 'attemptedOn', 'Date of the contact attempt', { required: true })
    if (date.problem) return renderContact(request, reply, body, [date.problem])
    try {
      await casework.recordContact(request.actor!, id, { attemptedOn: date.value!, method: str(body, 'method'), outcome: str(body, 'outcome'), notes: str(body, 'notes') })
    } catch (error) {
      if (error instanceof InputError) return renderContact(request, reply, body, error.problems)
      throw error
    }
    return reply.redirect(`/cases/${id}#contacts`, 303)
  })

  // ---- Engagement, safety plan, support needs, outcomes ------------------------------------------------
  versionedForm<{ activities: string[]; engagedOn: string }>({
    path: '/cases/:id/engagement', template: 'cases/views/engagement.njk', title: 'Record engagement', errorField: 'activities',
    view: (_request, current, body, problems) => ({
      definition: current.engagementDefinition,
      activityItems: checkboxItems((current.engagementDefinition?.qualifyingActivities ?? []).map(a => ({ value: a, text: activityLabel(a) })),
        body ? list(body, 'activities') : current.casework.engagementActivities),
      dateItems: dateItems(body ? dateParts(body, 'engagedOn') : partsOf(current.casework.engagedOn ?? today()), problems.some(p => p.field.startsWith('engagedOn'))),
    }),
    read: (body, problems) => {
      const date = readDate(body, 'engagedOn', 'Date the victim engaged', { required: true })
      if (date.problem) problems.push(date.problem)
      return { activities: list(body, 'activities'), engagedOn: date.value ?? '' }
    },
    save: (request, id, value, v) => casework.recordEngagement(request.actor!, id, { ...value, version: v }),
  })

  versionedForm<{ plan: string }>({
    path: '/cases/:id/safety-plan', template: 'cases/views/safety-plan.njk', title: 'Safety plan', errorField: 'plan',
    view: (_request, current, body) => ({ plan: body ? str(body, 'plan') : (current.casework.safetyPlan ?? ''), savedPlan: current.casework.safetyPlan }),
    read: body => ({ plan: str(body, 'plan') }),
    save: (request, id, value, v) => casework.saveSafetyPlan(request.actor!, id, { ...value, version: v }),
  })

  versionedForm<{ needs: string[] }>({
    path: '/cases/:id/support-needs', template: 'cases/views/support-needs.njk', title: 'Support needs', errorField: 'needs',
    view: (_request, current, body) => ({
      needItems: checkboxItems(supportNeedOptions, body ? list(body, 'needs') : current.casework.supportNeeds),
      savedNeeds: (current.casework.supportNeeds ?? []).map(n => supportNeedOptions.find(o => o.value === n)?.text ?? n),
    }),
    read: body => ({ needs: list(body, 'needs') }),
    save: (request, id, value, v) => casework.saveSupportNeeds(request.actor!, id, { ...value, version: v }),
  })

  const readQuality = (body: Body, problems: FieldProblem[]) => {
    const q = str(body, 'qualityOfLife')
    if (!q) return null
    if (!/^([1-9]|10)$/.test(q)) { problems.push({ field: 'qualityOfLife', message: 'Select a quality of life score from 1 to 10' }); return null }
    return Number(q)
  }
  const readFeel = (body: Body, key: string, problems: FieldProblem[], message: string) => {
    const v = str(body, key)
    if (!['yes', 'no', 'not-known'].includes(v)) problems.push({ field: key, message })
    return (v || 'not-known') as 'yes' | 'no' | 'not-known'
  }

  versionedForm<IntakeOutcomes>({
    path: '/cases/:id/outcomes', template: 'cases/views/outcomes.njk', title: 'Outcome measures at intake', errorField: 'abuse',
    view: (_request, current, body) => ({
      abuseItems: checkboxItems(abuseOptions, body ? list(body, 'abuse') : current.intake?.abuse),
      feelItems: radioItems(feelOptions, body ? str(body, 'feelsSafe') : current.intake?.feelsSafe),
      qualityItems: selectItems(qualityOptions, body ? str(body, 'qualityOfLife') : current.intake?.qualityOfLife?.toString(), 'Not asked'),
    }),
    read: (body, problems) => ({
      abuse: list(body, 'abuse') as AbuseType[],
      feelsSafe: readFeel(body, 'feelsSafe', problems, 'Select whether the victim feels safe'),
      qualityOfLife: readQuality(body, problems),
    }),
    save: (request, id, value, v) => casework.saveIntakeOutcomes(request.actor!, id, { intake: value, version: v }),
  })

  versionedForm<{ reason: string; closedOn: string; exit: ExitOutcomes }>({
    path: '/cases/:id/close', template: 'cases/views/close.njk', title: 'Close the case', errorField: 'reason',
    view: (_request, current, body, problems) => ({
      reasonItems: radioItems(closureReasons.map(r => ({ value: r.code, text: r.label })), body ? str(body, 'reason') : undefined),
      dateItems: dateItems(body ? dateParts(body, 'closedOn') : partsOf(today()), problems.some(p => p.field.startsWith('closedOn'))),
      abuseItems: checkboxItems(abuseOptions, body ? list(body, 'abuse') : []),
      feelItems: radioItems(feelOptions, body ? str(body, 'feelsSafer') : undefined),
      qualityItems: selectItems(qualityOptions, body ? str(body, 'qualityOfLife') : undefined, 'Not asked'),
      intake: current.intake,
      intakeAbuse: (current.intake?.abuse ?? []).map(a => abuseTypes.find(t => t.code === a)?.label ?? a),
    }),
    read: (body, problems) => {
      const date = readDate(body, 'closedOn', 'Date the case closed', { required: true })
      if (date.problem) problems.push(date.problem)
      return {
        reason: str(body, 'reason'),
        closedOn: date.value ?? '',
        exit: {
          abuse: list(body, 'abuse') as AbuseType[],
          feelsSafer: readFeel(body, 'feelsSafer', problems, 'Select whether the victim feels safer'),
          qualityOfLife: readQuality(body, problems),
        },
      }
    },
    save: (request, id, value, v) => casework.close(request.actor!, id, { ...value, version: v }),
  })

  // ---- Actions and notes ------------------------------------------------------------------------------
  const renderAction = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = []) => {
    const { case: c } = await casework.safeContactRules(request.actor!, caseId(request))
    if (!can(request.actor!.roles, 'case.write')) throw new NotFoundError()
    return reply.code(problems.length ? 400 : 200).view('cases/views/action-new.njk', {
      title: 'Add an action', c, backHref: `/cases/${c.id}`,
      description: body ? str(body, 'description') : '',
      dateItems: dateItems(body ? dateParts(body, 'dueOn') : partsOf(undefined), problems.some(p => p.field.startsWith('dueOn'))),
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }
  app.get<Params>('/cases/:id/actions/new', async (request, reply) => renderAction(request, reply))
  app.post<Params>('/cases/:id/actions/new', async (request, reply) => {
    const id = caseId(request)
    const body = (request.body ?? {}) as Body
    const problems: FieldProblem[] = []
    if (!str(body, 'description')) problems.push({ field: 'description', message: 'Describe the action' })
    const date = readDate(body, 'dueOn', 'Due date', { required: true })
    if (date.problem) problems.push(date.problem)
    if (problems.length) return renderAction(request, reply, body, problems)
    try {
      await casework.addAction(request.actor!, id, { description: str(body, 'description'), dueOn: date.value! })
    } catch (error) {
      if (error instanceof InputError) return renderAction(request, reply, body, error.problems)
      throw error
    }
    return reply.redirect(`/cases/${id}#actions`, 303)
  })
  app.post<{ Params: { id: string; actionId: string } }>('/cases/:id/actions/:actionId/done', async (request, reply) => {
    const id = caseId(request)
    if (!uuidPattern.test(request.params.actionId)) throw new NotFoundError()
    try {
      await casework.completeAction(request.actor!, id, request.params.actionId, { version: version((request.body ?? {}) as Body) })
    } catch (error) {
      if (error instanceof StaleEditError) return reply.redirect(`/cases/${id}?stale=action#actions`, 303)
      throw error
    }
    return reply.redirect(`/cases/${id}#actions`, 303)
  })

  const renderNote = async (request: FastifyRequest<Params>, reply: FastifyReply, body?: Body, problems: FieldProblem[] = []) => {
    const { case: c } = await casework.safeContactRules(request.actor!, caseId(request))
    if (!can(request.actor!.roles, 'case.write')) throw new NotFoundError()
    return reply.code(problems.length ? 400 : 200).view('cases/views/note-new.njk', {
      title: 'Add a case note', c, backHref: `/cases/${c.id}`, noteBody: body ? str(body, 'body') : '',
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }
  app.get<Params>('/cases/:id/notes/new', async (request, reply) => renderNote(request, reply))
  app.post<Params>('/cases/:id/notes/new', async (request, reply) => {
    const id = caseId(request)
    const body = (request.body ?? {}) as Body
    try {
      await casework.addNote(request.actor!, id, str(body, 'body'))
    } catch (error) {
      if (error instanceof InputError) return renderNote(request, reply, body, error.problems)
      throw error
    }
    return reply.redirect(`/cases/${id}#notes`, 303)
  })

  // ---- JSON API ---------------------------------------------------------------------------------------
  const problemSchema = {
    type: 'object',
    properties: {
      error: { type: 'string' }, message: { type: 'string' },
      problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      lastChange: { type: 'object', properties: { by: { type: ['string', 'null'] }, at: { type: 'string' }, what: { type: ['string', 'null'] } } },
    },
  } as const
  const apiErrors = (reply: FastifyReply, error: unknown) => {
    if (error instanceof InputError) return reply.code(400).send({ error: 'invalid', message: 'The request has problems', problems: error.problems })
    if (error instanceof StaleEditError) {
      return reply.code(409).send({ error: 'conflict', message: staleEditMessage(error.lastChange), lastChange: { ...error.lastChange, at: new Date(error.lastChange.at).toISOString() } })
    }
    throw error
  }

  app.post<{ Params: { id: string }; Body: { teamId: string; userId?: string | null; version: number } }>('/api/v1/cases/:id/allocation', {
    schema: {
      tags: ['cases'], summary: 'Allocate a case to an IDVA team, and optionally a named IDVA (IDVA managers)', security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      body: { type: 'object', properties: { teamId: { type: 'string', format: 'uuid' }, userId: { type: ['string', 'null'], format: 'uuid' }, version: { type: 'integer' } }, required: ['teamId', 'version'], additionalProperties: false },
      response: { 204: { type: 'null' }, 400: problemSchema, 409: problemSchema },
    },
  }, async (request, reply) => {
    try {
      await casework.allocate(request.actor!, request.params.id, { teamId: request.body.teamId, userId: request.body.userId ?? null, version: request.body.version })
    } catch (error) { return apiErrors(reply, error) }
    return reply.code(204).send()
  })

  app.post<{ Params: { id: string }; Body: { attemptedOn: string; method: string; outcome: string; notes?: string } }>('/api/v1/cases/:id/contact-attempts', {
    schema: {
      tags: ['cases'], summary: 'Log a contact attempt; one that breaks the victim’s safe-contact rules is refused (400)', security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      body: {
        type: 'object', required: ['attemptedOn', 'method', 'outcome'], additionalProperties: false,
        properties: {
          attemptedOn: { type: 'string', format: 'date' }, method: { type: 'string', enum: contactMethods.map(m => m.code) },
          outcome: { type: 'string', enum: contactOutcomes.map(o => o.code) }, notes: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 201: { type: 'null' }, 400: problemSchema },
    },
  }, async (request, reply) => {
    try {
      await casework.recordContact(request.actor!, request.params.id, { ...request.body, notes: request.body.notes ?? '' })
    } catch (error) { return apiErrors(reply, error) }
    return reply.code(201).send()
  })

  app.get('/api/v1/cases/actions/overdue', {
    schema: {
      tags: ['cases'], summary: 'Open case actions past their due date, on the cases the caller may see', security: [{ session: [] }],
      response: { 200: { type: 'object', properties: { rows: { type: 'array', items: { type: 'object', properties: {
        id: { type: 'string' }, description: { type: 'string' }, dueOn: { type: 'string', format: 'date' }, caseId: { type: 'string' },
        reference: { type: 'string' }, personName: { type: 'string' }, allocatedTo: { type: ['string', 'null'] },
      } } } } } },
    },
  }, async request => ({ rows: await casework.overdueActions(request.actor!) }))
}
