import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Actor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { londonDate } from '../../clock.ts'
import { labelOf } from '../../standard/codeLists.ts'
import { type FieldProblem, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { InputError } from '../cases/errors.ts'
import { NotFoundError } from '../cases/service.ts'
import type { PartnershipProfile, Relationship } from '../partnership/profile.ts'
import { type Body, str, uuidPattern } from './forms.ts'
import { consentValues, lawfulBases, referralInputSchema, relationshipLabels } from './input.ts'
import { IdempotencyConflictError, type PossibleMatchView, type SubmitResult } from './service.ts'
import {
  aboutView, childFormView, detailsView, type DraftAnswers, draftToInput, householdView, isStep, type MatchDecision, missingSections,
  nextStep, perpetratorFormView, readAbout, readChild, readDetails, readHousehold, readPerpetrator, readRisk, readSafeContact, readVictim,
  riskView, safeContactView, type Step, stepForField, stepOrder, stepTitles, victimView,
} from './steps.ts'
import { checkAnswers, formatDate } from './summary.ts'

const stepTemplates: Record<Step, string> = {
  victim: 'referrals/views/step-victim.njk',
  'about-victim': 'referrals/views/step-about.njk',
  perpetrators: 'referrals/views/step-perpetrators.njk',
  children: 'referrals/views/step-children.njk',
  household: 'referrals/views/step-household.njk',
  details: 'referrals/views/step-details.njk',
  'safe-contact': 'referrals/views/step-safe-contact.njk',
  risk: 'referrals/views/step-risk.njk',
}

/** Field ids for the error summary links: radios and checkboxes link to their first input. */
const fieldIds = (problems: FieldProblem[]): Record<string, string> => Object.fromEntries(problems.map(p => [p.field, p.field]))

const personName = (p: { givenName?: string | null; familyName?: string | null }) => [p.givenName, p.familyName].filter(Boolean).join(' ') || 'Name not known'
const probeKey = (p: { givenName?: string; familyName?: string; dateOfBirth?: string; postcode?: string }) =>
  [p.givenName, p.familyName, p.dateOfBirth, p.postcode].map(v => (v ?? '').toLowerCase()).join('|')

/** The earlier referral a repeat runs from: where and when, its reference only if the caller may see it. */
const earlierReferralSchema = {
  type: ['object', 'null'],
  description: 'The earlier referral (in Hearth or imported from an agency) the repeat window runs from, through people linked at intake or by record linkage',
  properties: {
    date: { type: 'string', format: 'date' },
    source: { type: 'string', enum: ['referral', 'marac-case', 'import'] },
    agencyName: { type: ['string', 'null'] },
    reference: { type: ['string', 'null'], description: 'Only when the caller may see that referral' },
    referralId: { type: ['string', 'null'], description: 'Only when the caller may see that referral' },
  },
}

function matchItems(matches: PossibleMatchView[], chosen: string | undefined) {
  return [
    ...matches.map(m => ({
      value: m.id,
      text: `Yes, ${personName(m)}${m.dateOfBirth ? `, born ${formatDate(m.dateOfBirth)}` : ''}${m.postcode ? `, ${m.postcode}` : ''}`,
      hint: {
        text: `${Math.round(m.probability * 100)}% likely to be the same person${m.likely ? ' (linkage would treat them as the same person)' : ''}.` +
          `${m.reasons.length ? ` Agrees: ${m.reasons.join(', ')}.` : ''}` +
          `${m.against.length ? ` Differs: ${m.against.join(', ')}.` : ''}` +
          `${m.lastReferredAsVictim ? ` Last referred as a victim on ${formatDate(m.lastReferredAsVictim)}.` : ''}` +
          `${m.lastNamedAsPerpetrator ? ` Named as causing harm on ${formatDate(m.lastNamedAsPerpetrator)}.` : ''}`,
      },
      checked: chosen === m.id,
    })),
    { divider: 'or' },
    { value: 'new', text: 'No, none of these: record a new person', checked: chosen === 'new' },
  ]
}

export const referralRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const referrals = services.referrals
  const today = () => londonDate(services.clock())
  const profileOf = (actor: Actor): Promise<PartnershipProfile> => services.profiles.current(actor.partnershipId)

  const mayCreate = (request: FastifyRequest) => {
    if (!can(request.actor!.roles, 'referral.create')) throw new NotFoundError()
  }

  async function loadDraft(request: FastifyRequest<{ Params: { id: string } }>) {
    mayCreate(request)
    if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
    const draft = await referrals.draft(request.actor!, request.params.id)
    return { draft, answers: draft.answers as DraftAnswers }
  }

  const returnToOf = (request: FastifyRequest) => {
    const body = (request.body ?? {}) as Body
    const query = request.query as Record<string, string | undefined>
    return str(body, 'returnTo') === 'check' || query.change ? 'check' : ''
  }
  const draftUrl = (id: string, path: string) => `/referrals/drafts/${id}/${path}`
  const afterStep = (id: string, step: Step, returnTo: string) => draftUrl(id, returnTo === 'check' ? 'check' : nextStep(step))
  const backFor = (id: string, step: Step) => {
    const index = stepOrder.indexOf(step)
    return index === 0 ? '/referrals' : draftUrl(id, stepOrder[index - 1]!)
  }

  // ---- Start ------------------------------------------------------------------------------------------
  app.get('/referrals', async (request, reply) => {
    const rows = can(request.actor!.roles, 'referral.read') || can(request.actor!.roles, 'referral.create')
      ? await referrals.list(request.actor!) : []
    return reply.view('referrals/views/list.njk', { title: 'Referrals', rows, canCreate: can(request.actor!.roles, 'referral.create') })
  })

  app.post('/referrals/new', async (request, reply) => {
    mayCreate(request)
    const id = await referrals.createDraft(request.actor!)
    return reply.redirect(draftUrl(id, 'victim'), 303)
  })

  // ---- Question pages ---------------------------------------------------------------------------------
  async function renderStep(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, step: Step, answers: DraftAnswers, options: { body?: Body; problems?: FieldProblem[] } = {}) {
    const profile = await profileOf(request.actor!)
    const problems = options.problems ?? []
    const errorFields = new Set(problems.map(p => p.field))
    const body = options.body
    let f: unknown
    let extra: Record<string, unknown> = {}
    switch (step) {
      case 'victim': f = victimView(answers.victim, body, errorFields, profile); break
      case 'about-victim': f = aboutView(answers.about, body); break
      case 'perpetrators':
        f = perpetratorFormView(problems.length ? body : undefined, errorFields)
        extra = { perpetrators: (answers.perpetrators ?? []).map(p => ({
          name: personName(p),
          text: `${personName(p)}, ${relationshipLabels[p.relationship as Relationship] ?? p.relationship}${p.dateOfBirth ? `, born ${formatDate(p.dateOfBirth)}` : ''}` +
            `${p.match?.linkToPersonId ? ` (linked to ${p.match.linkedName ?? 'a known person'})` : ''}`,
        })) }
        break
      case 'children':
        f = childFormView(problems.length ? body : undefined, errorFields)
        extra = { children: (answers.children ?? []).map(c => ({
          text: `${c.givenName ?? 'Name not given'}: ${c.unborn ? `expected ${formatDate(c.dateOfBirth)}` : `born ${formatDate(c.dateOfBirth)}`}, ` +
            `${c.sex === 'not-known' ? 'sex not known' : c.sex}, ${c.livesInHousehold ? 'lives in the household' : 'does not live in the household'}`,
        })) }
        break
      case 'household': f = householdView(answers.household, body); break
      case 'details': f = detailsView(answers.details, body, errorFields, today()); break
      case 'safe-contact': f = safeContactView(answers.safeContact, body); break
      case 'risk': f = riskView(answers.risk, body, errorFields, today()); break
    }
    return reply.code(problems.length ? 400 : 200).view(stepTemplates[step], {
      title: stepTitles[step], f, ...extra, draftId: request.params.id, returnTo: returnToOf(request), backHref: returnToOf(request) === 'check' ? draftUrl(request.params.id, 'check') : backFor(request.params.id, step),
      errors: problems.length ? formErrors(problems, fieldIds(problems)) : undefined,
    })
  }

  app.get<{ Params: { id: string; step: string } }>('/referrals/drafts/:id/:step', async (request, reply) => {
    if (!isStep(request.params.step)) throw new NotFoundError()
    const { draft, answers } = await loadDraft(request)
    if (draft.submittedReferralId) return reply.redirect(`/referrals/${draft.submittedReferralId}`, 303)
    return renderStep(request, reply, request.params.step, answers)
  })

  app.post<{ Params: { id: string; step: string } }>('/referrals/drafts/:id/:step', async (request, reply) => {
    const step = request.params.step
    if (!isStep(step)) throw new NotFoundError()
    const { draft, answers } = await loadDraft(request)
    if (draft.submittedReferralId) return reply.redirect(`/referrals/${draft.submittedReferralId}`, 303)
    const body = (request.body ?? {}) as Body
    const actor = request.actor!
    const id = request.params.id
    const returnTo = returnToOf(request)
    const profile = await profileOf(actor)
    const fail = (problems: FieldProblem[]) => renderStep(request, reply, step, answers, { body, problems })

    switch (step) {
      case 'victim': {
        const read = readVictim(body, profile, today())
        if (read.problems.length) return fail(read.problems)
        const changed = !answers.victim || probeKey(answers.victim) !== probeKey(read.values)
        answers.victim = read.values
        if (changed || !answers.victimMatch?.decided) {
          const matches = await referrals.possibleMatches(actor, read.values)
          answers.victimMatch = matches.length ? { decided: false } : { decided: true }
          await referrals.saveDraft(actor, id, answers)
          if (matches.length) return reply.redirect(`${draftUrl(id, 'match/victim')}${returnTo ? '?change=1' : ''}`, 303)
        } else {
          await referrals.saveDraft(actor, id, answers)
        }
        return reply.redirect(afterStep(id, step, returnTo), 303)
      }
      case 'about-victim': {
        const read = readAbout(body)
        if (read.problems.length) return fail(read.problems)
        answers.about = read.values
        break
      }
      case 'perpetrators':
      case 'children': {
        const action = str(body, 'action')
        const listKey = step === 'perpetrators' ? 'perpetrators' : 'children'
        const removing = /^remove-(\d+)$/.exec(action)
        if (removing) {
          const items = (answers[listKey] ?? []) as unknown[]
          items.splice(Number(removing[1]), 1)
          ;(answers as Record<string, unknown>)[listKey] = items
          await referrals.saveDraft(actor, id, answers)
          return reply.redirect(`${draftUrl(id, step)}${returnTo ? '?change=1' : ''}`, 303)
        }
        const blank = step === 'perpetrators'
          ? !['givenName', 'familyName', 'relationship', 'postcode', 'sex', 'dateOfBirth-day', 'dateOfBirth-month', 'dateOfBirth-year'].some(k => str(body, k))
          : !['childGivenName', 'childFamilyName', 'born', 'childDate-day', 'childDate-month', 'childDate-year', 'livesInHousehold', 'childSex'].some(k => str(body, k))
        if (action === 'continue' && blank) {
          if (step === 'perpetrators') answers.perpetratorsDone = true
          else answers.childrenDone = true
          break
        }
        if (step === 'perpetrators') {
          const read = readPerpetrator(body)
          if (read.problems.length) return fail(read.problems)
          const perps = answers.perpetrators ?? []
          const index = perps.length
          const matches = await referrals.possibleMatches(actor, read.values)
          perps.push({ ...read.values, match: matches.length ? { decided: false } : { decided: true } })
          answers.perpetrators = perps
          if (action === 'continue') answers.perpetratorsDone = true
          await referrals.saveDraft(actor, id, answers)
          if (matches.length) return reply.redirect(`${draftUrl(id, `match/perpetrator/${index}`)}${action === 'continue' ? '?then=next' : ''}`, 303)
        } else {
          const read = readChild(body, today())
          if (read.problems.length) return fail(read.problems)
          answers.children = [...(answers.children ?? []), read.values]
          if (action === 'continue') answers.childrenDone = true
          await referrals.saveDraft(actor, id, answers)
        }
        if (action === 'continue') return reply.redirect(afterStep(id, step, returnTo), 303)
        return reply.redirect(`${draftUrl(id, step)}${returnTo ? '?change=1' : ''}`, 303)
      }
      case 'household': {
        const read = readHousehold(body)
        if (read.problems.length) return fail(read.problems)
        answers.household = read.values
        break
      }
      case 'details': {
        const read = readDetails(body, today())
        if (read.problems.length) return fail(read.problems)
        answers.details = read.values
        break
      }
      case 'safe-contact': {
        const read = readSafeContact(body)
        if (read.problems.length) return fail(read.problems)
        answers.safeContact = read.values
        break
      }
      case 'risk': {
        const read = readRisk(body, today())
        if (read.problems.length) return fail(read.problems)
        answers.risk = read.values
        break
      }
    }
    await referrals.saveDraft(actor, id, answers)
    return reply.redirect(afterStep(id, step, returnTo), 303)
  })

  // ---- Possible match ---------------------------------------------------------------------------------
  async function matchPage(request: FastifyRequest<{ Params: { id: string; n?: string } }>, reply: FastifyReply, problems: FieldProblem[] = []) {
    const { answers } = await loadDraft(request)
    const who = request.params.n === undefined ? answers.victim : answers.perpetrators?.[Number(request.params.n)]
    if (!who) throw new NotFoundError()
    const matches = await referrals.possibleMatches(request.actor!, who)
    const decision: MatchDecision | undefined = request.params.n === undefined ? answers.victimMatch : answers.perpetrators?.[Number(request.params.n)]?.match
    const query = request.query as Record<string, string | undefined>
    return { answers, who, matches, decision, render: () => reply.code(problems.length ? 400 : 200).view('referrals/views/step-match.njk', {
      title: 'Is this someone already known?',
      probeName: personName(who), probeDob: who.dateOfBirth, probePostcode: who.postcode,
      matchItems: matchItems(matches, decision?.decided ? (decision.linkToPersonId ?? 'new') : undefined),
      returnTo: query.change ? 'check' : '', then: query.then ?? '',
      backHref: request.params.n === undefined ? draftUrl(request.params.id, 'victim') : draftUrl(request.params.id, 'perpetrators'),
      errors: problems.length ? formErrors(problems, { match: 'match' }) : undefined,
    }) }
  }

  const matchRoutes = [
    { url: '/referrals/drafts/:id/match/victim', victim: true },
    { url: '/referrals/drafts/:id/match/perpetrator/:n', victim: false },
  ]
  for (const route of matchRoutes) {
    app.get<{ Params: { id: string; n?: string } }>(route.url, async (request, reply) => {
      if (request.params.n !== undefined && !/^\d{1,2}$/.test(request.params.n)) throw new NotFoundError()
      const page = await matchPage(request, reply)
      if (page.matches.length === 0) {
        // Nothing to choose between any more (for example the people changed): continue as a new person.
        return reply.redirect(route.victim ? draftUrl(request.params.id, 'about-victim') : draftUrl(request.params.id, 'perpetrators'), 303)
      }
      return page.render()
    })
    app.post<{ Params: { id: string; n?: string } }>(route.url, async (request, reply) => {
      if (request.params.n !== undefined && !/^\d{1,2}$/.test(request.params.n)) throw new NotFoundError()
      const body = (request.body ?? {}) as Body
      const chosen = str(body, 'match')
      const page = await matchPage(request, reply)
      const candidate = page.matches.find(m => m.id === chosen)
      if (chosen !== 'new' && !candidate) {
        return (await matchPage(request, reply, [{ field: 'match', message: 'Select the person this is, or that it is someone new' }])).render()
      }
      const decision: MatchDecision = candidate ? { decided: true, linkToPersonId: candidate.id, linkedName: personName(candidate) } : { decided: true }
      const answers = page.answers
      if (route.victim) answers.victimMatch = decision
      else answers.perpetrators![Number(request.params.n)]!.match = decision
      await referrals.saveDraft(request.actor!, request.params.id, answers)
      const query = request.query as Record<string, string | undefined>
      const returnTo = str(body, 'returnTo') || (query.change ? 'check' : '')
      if (returnTo === 'check') return reply.redirect(draftUrl(request.params.id, 'check'), 303)
      if (route.victim) return reply.redirect(draftUrl(request.params.id, 'about-victim'), 303)
      return reply.redirect(draftUrl(request.params.id, answers.perpetratorsDone ? 'children' : 'perpetrators'), 303)
    })
  }

  // ---- Check your answers and submit ------------------------------------------------------------------
  async function renderCheck(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, answers: DraftAnswers, key: string, problems: FieldProblem[] = []) {
    const profile = await profileOf(request.actor!)
    const id = request.params.id
    return reply.code(problems.length ? 400 : 200).view('referrals/views/check.njk', {
      title: 'Check your answers', draftId: id, submissionKey: key, cards: checkAnswers(answers, profile), backHref: draftUrl(id, 'risk'),
      errors: problems.length ? {
        summary: problems.map(p => ({ text: p.message, href: p.field.startsWith('/') ? p.field : `${draftUrl(id, stepForField(p.field))}?change=1` })),
        byField: {},
      } : undefined,
    })
  }

  app.get<{ Params: { id: string } }>('/referrals/drafts/:id/check', async (request, reply) => {
    const { draft, answers } = await loadDraft(request)
    if (draft.submittedReferralId) return reply.redirect(`/referrals/${draft.submittedReferralId}`, 303)
    return renderCheck(request, reply, answers, draft.idempotencyKey)
  })

  app.post<{ Params: { id: string } }>('/referrals/drafts/:id/submit', async (request, reply) => {
    const { draft, answers } = await loadDraft(request)
    const body = (request.body ?? {}) as Body
    const key = str(body, 'submissionKey')
    if (!draft.submittedReferralId) {
      const missing = missingSections(answers)
      if (missing.length) {
        return renderCheck(request, reply, answers, draft.idempotencyKey, missing.map(step => ({ field: `${draftUrl(draft.id, step)}?change=1`, message: `Answer “${stepTitles[step]}”` })))
      }
      const parsed = referralInputSchema.safeParse(draftToInput(answers))
      if (!parsed.success) {
        return renderCheck(request, reply, answers, draft.idempotencyKey, parsed.error.issues.map(i => ({ field: i.path.join('.'), message: i.message })))
      }
    }
    try {
      const result = await referrals.submitDraft(request.actor!, draft.id, key)
      return reply.redirect(`/referrals/${result.referralId}?submitted=1`, 303)
    } catch (error) {
      if (error instanceof InputError) return renderCheck(request, reply, answers, draft.idempotencyKey, error.problems)
      throw error
    }
  })

  // ---- A referral -------------------------------------------------------------------------------------
  async function renderReferral(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, problems: FieldProblem[] = []) {
    if (!uuidPattern.test(request.params.id)) throw new NotFoundError()
    const actor = request.actor!
    const { referral: r, safeContact, repeats } = await referrals.view(actor, request.params.id)
    const query = request.query as Record<string, string | undefined>
    const demographics = (r.demographics ?? {}) as Record<string, unknown>
    const household = (r.household ?? {}) as Record<string, unknown>
    const code = (field: Parameters<typeof labelOf>[0], value: unknown) => (value ? (labelOf(field, String(value)) ?? String(value)) : 'Not recorded')
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } })
    const names = new Map<string, string>([[r.victimId, personName({ givenName: r.victimGivenName, familyName: r.victimFamilyName })],
      ...r.perpetrators.map(p => [p.id, personName(p)] as [string, string])])
    return reply.code(problems.length ? 400 : 200).view('referrals/views/referral.njk', {
      title: `Referral ${r.reference ?? ''}`,
      referral: r,
      outcome: r.intakeOutcome,
      repeats,
      submitted: query.submitted === '1',
      safeContact,
      canAssess: can(actor.roles, 'risk.assess'),
      victimRows: [
        row('Date of birth', r.victimDateOfBirth ? formatDate(r.victimDateOfBirth) : 'Not known'),
        row('Sex', code('sex', r.victimSex)),
        row('Gender identity', code('gender_identity', r.victimGenderIdentity)),
        row('Postcode', r.victimPostcode ?? 'Not known'),
        row('District', r.districtName ?? 'Not known'),
        row('Ethnic group', code('ethnicity', r.victimEthnicity)),
        row('Nationality', code('nationality', r.victimNationality)),
        row('Main language', code('main_language', r.victimMainLanguage)),
        row('Disability', Array.isArray(demographics.disability) && demographics.disability.length ? (demographics.disability as string[]).map(d => code('disability', d)).join(', ') : 'Not recorded'),
        row('Needs an interpreter', code('interpreter_needed', demographics.interpreterNeeded)),
        row('No recourse to public funds', code('nrpf', demographics.nrpf)),
        row('Additional needs', r.additionalNeeds ? 'Yes' : r.additionalNeeds === false ? 'No' : 'Not recorded'),
        row('Household', code('household_type', household.householdType)),
      ],
      perpetratorRows: r.perpetrators.length
        ? r.perpetrators.map((p, i) => row(`Person ${i + 1}`, `${personName(p)}, ${relationshipLabels[p.relationship as Relationship] ?? p.relationship}${p.dateOfBirth ? `, born ${formatDate(p.dateOfBirth)}` : ''}`))
        : [row('People causing harm', 'None recorded')],
      childRows: r.children.length
        ? r.children.map((c, i) => row(`Child ${i + 1}`, `${c.givenName ?? 'Name not given'}, ${c.unborn ? 'expected' : 'born'} ${c.dateOfBirth ? formatDate(c.dateOfBirth) : 'date not known'}${c.livesInHousehold ? ', lives in the household' : ''}`))
        : [row('Children', 'None recorded')],
      detailRows: [
        row('Referral date', formatDate(r.referralDate)),
        row('Referred by', `${r.referringAgency}${r.createdByName ? ` (${r.createdByName})` : ''}`),
        row('Source', code('referral_source', r.referralSource)),
        row('Stalking or harassment', r.stalking ? 'Yes' : 'No'),
        row('Consent', consentValues.find(c => c.code === r.consent)?.label ?? 'Not recorded'),
        row('Lawful basis for sharing', lawfulBases.find(b => b.code === r.lawfulBasis)?.label ?? 'Not recorded'),
      ],
      links: r.links.map(l => ({
        ...l,
        describe: `${names.get(l.personId) ?? 'This person'} is the same person as one referred before`,
        mayUnlink: can(actor.roles, 'person.write') || l.linkedBy === actor.userId,
      })),
      errors: problems.length ? formErrors(problems) : undefined,
    })
  }

  app.get<{ Params: { id: string } }>('/referrals/:id', async (request, reply) => renderReferral(request, reply))

  app.post<{ Params: { id: string; linkId: string } }>('/referrals/:id/links/:linkId/unlink', async (request, reply) => {
    if (!uuidPattern.test(request.params.id) || !uuidPattern.test(request.params.linkId)) throw new NotFoundError()
    const reason = str((request.body ?? {}) as Body, 'reason')
    try {
      await referrals.unlink(request.actor!, request.params.linkId, reason)
    } catch (error) {
      if (error instanceof InputError) {
        return renderReferral(request, reply, error.problems.map(p => ({ field: `reason-${request.params.linkId}`, message: p.message })))
      }
      throw error
    }
    return reply.redirect(`/referrals/${request.params.id}`, 303)
  })

  // ---- JSON API ---------------------------------------------------------------------------------------
  const outcomeSchema = {
    type: 'object',
    properties: {
      referralId: { type: 'string', format: 'uuid' },
      reference: { type: 'string' },
      referralDate: { type: 'string', format: 'date' },
      score: { type: 'integer' },
      band: { type: 'string', enum: ['standard', 'medium', 'high'] },
      riskLevel: { type: 'string', enum: ['standard', 'medium', 'high'] },
      levelExplanation: { type: 'string' },
      marac: {
        type: 'object',
        properties: {
          eligible: { type: 'boolean' },
          reasons: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, text: { type: 'string' } } } },
          notMet: { type: 'array', items: { type: 'string' } },
          threshold: { type: 'integer' },
          meetingDate: { type: ['string', 'null'], format: 'date' },
        },
      },
      idvaRepeat: { type: 'object', properties: { repeat: { type: 'boolean' }, lastReferralDate: { type: ['string', 'null'] }, windowMonths: { type: 'integer' }, earlier: earlierReferralSchema } },
      maracRepeat: { type: 'object', properties: { repeat: { type: 'boolean' }, lastMaracDate: { type: ['string', 'null'] }, windowMonths: { type: 'integer' }, earlier: earlierReferralSchema } },
      suggestedTeam: { type: ['object', 'null'], properties: { code: { type: 'string' }, name: { type: 'string' }, reason: { type: 'string' } } },
      caseReference: { type: ['string', 'null'] },
      replayed: { type: 'boolean' },
    },
  } as const
  const problemSchema = {
    type: 'object',
    properties: {
      error: { type: 'string' }, message: { type: 'string' },
      problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  } as const
  const referralBodySchema = z.toJSONSchema(referralInputSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  delete referralBodySchema.$schema

  app.post('/api/v1/referrals', {
    schema: {
      tags: ['referrals'],
      summary: 'Submit a referral (victim, perpetrators, children, household, consent, safe contact and DASH)',
      description: 'Send a unique Idempotency-Key header with each new referral. Retrying with the same key (after a timeout or a network error) ' +
        'returns the referral already made, with status 200, and never makes a second one. Set victim.linkToPersonId (from POST /api/v1/people/possible-matches) ' +
        'to link the victim to a person already known; links are reversible.',
      security: [{ session: [] }],
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } }, required: ['idempotency-key'] },
      body: referralBodySchema,
      response: { 200: outcomeSchema, 201: outcomeSchema, 400: problemSchema, 403: problemSchema, 409: problemSchema },
    },
    // The zod schema (the same the question pages use) validates the body; the JSON schema above documents it.
    validatorCompiler: ({ httpPart }) => (httpPart === 'body' ? () => true : (value: unknown) => {
      const key = (value as Record<string, unknown>)['idempotency-key']
      return typeof key === 'string' && key.length >= 8 && key.length <= 200
        ? true : { error: new Error('Send an Idempotency-Key header of 8 to 200 characters') }
    }),
  }, async (request, reply) => {
    if (!can(request.actor!.roles, 'referral.create')) return reply.code(403).send({ error: 'forbidden', message: 'Your roles cannot make referrals' })
    const key = String(request.headers['idempotency-key'])
    try {
      const input = referrals.parse(request.body)
      const result: SubmitResult = await referrals.submit(request.actor!, input, key)
      return reply.code(result.replayed ? 200 : 201).header('idempotent-replayed', String(result.replayed)).send(result)
    } catch (error) {
      if (error instanceof InputError) return reply.code(400).send({ error: 'invalid', message: 'The referral has problems', problems: error.problems })
      if (error instanceof IdempotencyConflictError) return reply.code(409).send({ error: 'conflict', message: error.message })
      throw error
    }
  })

  app.get<{ Params: { id: string } }>('/api/v1/referrals/:id', {
    schema: {
      tags: ['referrals'],
      summary: 'A referral the caller may see, with its risk assessments',
      security: [{ session: [] }],
      params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
    },
  }, async request => {
    const { referral } = await referrals.view(request.actor!, request.params.id)
    return referral
  })

  app.post('/api/v1/people/possible-matches', {
    schema: {
      tags: ['referrals'],
      summary: 'People the caller may see who could be this person, scored by the partnership\'s record linkage model (names with nicknames and transliterations, date of birth, postcode, sex)',
      security: [{ session: [] }],
      body: {
        type: 'object',
        properties: {
          givenName: { type: 'string', maxLength: 100 }, familyName: { type: 'string', maxLength: 100 },
          dateOfBirth: { type: 'string', format: 'date' }, postcode: { type: 'string', maxLength: 10 }, sex: { type: 'string', maxLength: 30 },
        },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            matches: { type: 'array', items: { type: 'object', properties: {
              id: { type: 'string' }, givenName: { type: ['string', 'null'] }, familyName: { type: ['string', 'null'] },
              dateOfBirth: { type: ['string', 'null'] }, postcode: { type: ['string', 'null'] },
              probability: { type: 'number', description: 'How likely this is the same person (0 to 1), by the partnership\'s linkage model' },
              score: { type: 'number', description: 'The same as probability (kept for clients of the first version)' },
              likely: { type: 'boolean', description: 'At or above the partnership\'s linkage match threshold' },
              reasons: { type: 'array', items: { type: 'string' }, description: 'What agrees, in plain words' },
              against: { type: 'array', items: { type: 'string' }, description: 'What differs, in plain words' },
            } } },
          },
        },
        403: problemSchema,
      },
    },
  }, async (request, reply) => {
    if (!can(request.actor!.roles, 'referral.create')) return reply.code(403).send({ error: 'forbidden', message: 'Your roles cannot make referrals' })
    const body = (request.body ?? {}) as { givenName?: string; familyName?: string; dateOfBirth?: string; postcode?: string; sex?: string }
    return { matches: await referrals.possibleMatches(request.actor!, body) }
  })
}
