/**
 * Survivor feedback pages.
 *
 * - /s/<token>, /s, /s/done: the anonymous survey. Neutral paths, neutral title ("Your views"), Exit this
 *   page on every page, no JavaScript needed. The token is exchanged on first visit for a neutral cookie
 *   and the browser is sent on to /s, so later pages carry nothing in their address but a page number.
 *   These pages have their own layout, error and not-found pages: nothing says what the site is about.
 * - /feedback/...: staff pages (the Hearth layout): issuing links, results, the evaluator's responses.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../access/actor.ts'
import { can, type Permission, scopeFor } from '../../access/policy.ts'
import { londonDate } from '../../clock.ts'
import type { Config } from '../../config.ts'
import { asArray, formErrors } from '../../web/forms.ts'
import type { Services } from '../../web/services.ts'
import { NotFoundError } from '../cases/service.ts'
import {
  type Audience,
  groupLabels,
  isQuestionCode,
  isServiceGroup,
  isSurveyCode,
  kindOf,
  MAX_TEXT,
  type Purpose,
  purposeLabels,
  purposes,
  questionBank,
  scaleLabels,
  scales,
  surveyLabels,
} from './questionBank.ts'
import { financialYearOf, pageSpec, parseLinkToken, type Problem, quarterLabel, recentFinancialYears, reportingPeriod } from './rules.ts'
import { FeedbackInputError, type VisitPage } from './service.ts'
import { en } from './translations/en.ts'
import { isLanguage, languageName, languages, negotiateLanguage, type Translate, translator } from './translations/index.ts'

/** The visit cookie: a neutral name, sent only to /s. */
export const VISIT_COOKIE = 'sid'
/** Where Exit this page goes: a neutral, everyday site. */
export const EXIT_URL = 'https://www.bbc.co.uk/weather'

const govukDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules/govuk-frontend/dist/govuk')

/**
 * GOV.UK Frontend's stylesheet and script for the survey, served under /s so the pages need nothing from
 * the staff side (and keep working on a host of their own). The stylesheet is served without its
 * @font-face rules: the pages use the phone's own Arial, which is lighter on a cheap data plan and does
 * not look like a government site.
 */
const surveyAssets = {
  'style.css': {
    type: 'text/css; charset=utf-8',
    body: fs.readFileSync(path.join(govukDist, 'govuk-frontend.min.css'), 'utf8')
      .replace(/@font-face\{[^}]*\}/g, '')
      .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, ''),
  },
  'script.js': {
    type: 'text/javascript; charset=utf-8',
    body: fs.readFileSync(path.join(govukDist, 'govuk-frontend.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, ''),
  },
} as const

export const feedbackRoutes: FastifyPluginAsync<{ services: Services; config: Config }> = async (app, options) => {
  await app.register(survivorRoutes, { ...options, prefix: '/s' })
  await app.register(staffRoutes, options)
}

// ---------------------------------------------------------------------------------------------------------
// The anonymous survey
// ---------------------------------------------------------------------------------------------------------

const survivorRoutes: FastifyPluginAsync<{ services: Services; config: Config }> = async (app, { services, config }) => {
  const feedback = services.feedback
  const cookieOptions = { path: '/s', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies }
  const publicRoute = { public: true }

  const languageOf = (request: FastifyRequest) => {
    const asked = (request.query as { l?: unknown } | undefined)?.l
    return isLanguage(asked) ? asked : negotiateLanguage(request.headers['accept-language'])
  }

  function render(reply: FastifyReply, status: number, template: string, t: Translate, lang: string, data: Record<string, unknown>) {
    return reply.code(status).view(`feedback/views/survivor/${template}.njk`, { ...(reply.locals ?? {}), t, lang, exitUrl: EXIT_URL, ...data })
  }

  function message(reply: FastifyReply, status: number, lang: string, name: string, paragraphs: string[]) {
    return render(reply, status, 'message', translator(lang), lang, { message: name, paragraphs })
  }

  const notWorking = (reply: FastifyReply, lang: string, status = 410) => message(reply, status, lang, 'link', ['link.body', 'link.next'])
  const expired = (reply: FastifyReply, lang: string) => {
    reply.clearCookie(VISIT_COOKIE, { path: '/s' })
    return message(reply, 410, lang, 'expired', ['expired.body'])
  }

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const lang = languageOf(request)
    if (error.code?.startsWith('FST_CSRF')) return message(reply, 403, lang, 'form-expired', ['form-expired.body'])
    if (error.statusCode === 429) return message(reply, 429, lang, 'busy', ['busy.body'])
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return message(reply, error.statusCode, lang, 'form-expired', ['form-expired.body'])
    request.log.error({ reqId: request.id, err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error')
    return message(reply, 500, lang, 'problem', ['problem.body'])
  })
  app.setNotFoundHandler(async (request, reply) => notWorking(reply, languageOf(request), 404))

  for (const [name, asset] of Object.entries(surveyAssets)) {
    app.get(`/${name}`, { config: publicRoute }, async (_request, reply) =>
      reply.header('content-type', asset.type).header('cache-control', 'public, max-age=86400').send(asset.body))
  }

  app.get('/done', { config: publicRoute }, async (request, reply) => {
    const lang = languageOf(request)
    return render(reply, 200, 'done', translator(lang), lang, {})
  })

  app.get<{ Params: { token: string } }>(
    '/:token',
    { config: { ...publicRoute, rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const lang = languageOf(request)
      if (!parseLinkToken(request.params.token)) return notWorking(reply, lang, 404)
      const opened = await feedback.openLink(request.params.token, lang)
      if (opened.kind === 'not-working') return notWorking(reply, lang)
      reply.setCookie(VISIT_COOKIE, opened.cookie, cookieOptions)
      return reply.redirect('/s', 303)
    },
  )

  app.get<{ Querystring: { p?: string } }>('/', { config: publicRoute }, async (request, reply) => {
    const requested = Number.parseInt(request.query.p ?? '', 10)
    const shown = await feedback.page(request.cookies[VISIT_COOKIE], Number.isNaN(requested) ? undefined : requested)
    if (shown.kind === 'expired') return expired(reply, languageOf(request))
    if (shown.kind === 'not-working') return notWorking(reply, languageOf(request))
    return showPage(reply, 200, shown.page)
  })

  app.post('/', { config: { ...publicRoute, rateLimit: { max: 120, timeWindow: '1 minute' } } }, async (request, reply) => {
    const outcome = await feedback.answer(request.cookies[VISIT_COOKIE], (request.body ?? {}) as Record<string, unknown>)
    switch (outcome.kind) {
      case 'expired':
        return expired(reply, languageOf(request))
      case 'not-working':
        return notWorking(reply, languageOf(request))
      case 'next':
        return reply.redirect(`/s?p=${outcome.index}`, 303)
      case 'invalid':
        return showPage(reply, 400, outcome.page, outcome.problems, outcome.values)
      case 'sent':
        reply.clearCookie(VISIT_COOKIE, { path: '/s' })
        return reply.redirect(`/s/done?l=${encodeURIComponent(outcome.lang)}`, 303)
      case 'already-sent':
        reply.clearCookie(VISIT_COOKIE, { path: '/s' })
        return message(reply, 409, outcome.lang, 'sent', ['sent.body'])
    }
  })

  function showPage(reply: FastifyReply, status: number, page: VisitPage, problems: Problem[] = [], values: Record<string, string> = {}) {
    const { draft, ctx, spec, index, pages } = page
    const lang = draft.lang
    const t = translator(lang, ctx.survey.audience)
    const questionText = (code: string) => t(`q.${code}`)
    const errors = problems.length
      ? formErrors(problems.map(p => ({
          field: p.field,
          message: p.kind === 'too-long'
            ? t('error.too-long', { question: questionText(p.question ?? ''), max: MAX_TEXT.toLocaleString('en-GB') })
            : t('error.choose', { question: p.question ? questionText(p.question) : t('service.which') }),
        })))
      : undefined
    const base = { index, pageNumber: index + 1, pageCount: pages.length, errors }
    if (spec.kind === 'start') {
      return render(reply, status, 'start', t, lang, { ...base, pageNumber: undefined, otherLanguages: languages.filter(l => l.code !== lang) })
    }
    if (spec.kind === 'check') return render(reply, status, 'check', t, lang, { ...base, cards: checkCards(page, t) })
    const data: Record<string, unknown> = { ...base, spec }
    if (spec.kind === 'services') {
      data.headingKey = 'services.heading'
      data.groupItems = spec.groups.map(g => ({ value: g, text: t(`group.${g}`), checked: draft.groups.includes(g) }))
    } else {
      data.headingKey = spec.kind === 'service' ? `heading.${spec.group}` : `general.${spec.id}.heading`
      data.hintKey = spec.kind === 'general' && `general.${spec.id}.hint` in en ? `general.${spec.id}.hint` : null
      if (spec.kind === 'service' && spec.agencies.length > 1) {
        const chosen = values.agency ?? draft.agencies[spec.group] ?? ''
        data.agencyItems = [
          ...spec.agencies.map(a => ({ value: a.id, text: a.name, checked: chosen === a.id })),
          { value: 'not-sure', text: t('service.not-sure'), checked: chosen === 'not-sure' },
        ]
      }
      data.questions = spec.questions.map(q => {
        const value = values[q.code] ?? draft.answers[q.key] ?? ''
        return {
          code: q.code,
          kind: q.kind,
          text: questionText(q.code),
          value,
          items: q.kind === 'text' ? [] : scales[q.kind].map(o => ({ value: o, text: t(`opt.${q.kind}.${o}`), checked: value === o })),
        }
      })
    }
    return render(reply, status, 'questions', t, lang, data)
  }
}

/** The check page: one card per page, each with a change link. */
function checkCards(page: VisitPage, t: Translate) {
  const { draft, ctx, pages } = page
  const answerText = (code: string, value: string | undefined) => {
    if (!value) return t('check.not-answered')
    if (!isQuestionCode(code)) return value
    const kind = kindOf(code)
    return kind === 'text' ? value : t(`opt.${kind}.${value}`)
  }
  const cards: { title: string; index: number; rows: { key: { text: string }; value: { text: string } }[] }[] = []
  pages.forEach((id, index) => {
    const spec = pageSpec(ctx, id)
    if (!spec) return
    if (spec.kind === 'services') {
      const chosen = ctx.survey.groups.filter(g => draft.groups.includes(g)).map(g => t(`group.${g}`))
      cards.push({ title: t('check.services'), index, rows: [{ key: { text: t('services.heading') }, value: { text: chosen.length ? chosen.join('; ') : t('check.none') } }] })
    }
    if (spec.kind === 'service' || spec.kind === 'general') {
      const rows = []
      if (spec.kind === 'service' && spec.agencies.length > 1) {
        const chosen = draft.agencies[spec.group]
        rows.push({ key: { text: t('service.which') }, value: { text: chosen === 'not-sure' ? t('service.not-sure') : spec.agencies.find(a => a.id === chosen)?.name ?? t('check.not-answered') } })
      }
      for (const q of spec.questions) rows.push({ key: { text: t(`q.${q.code}`) }, value: { text: answerText(q.code, draft.answers[q.key]) } })
      cards.push({ title: t(spec.kind === 'service' ? `heading.${spec.group}` : `general.${spec.id}.heading`), index, rows })
    }
  })
  return cards
}

// ---------------------------------------------------------------------------------------------------------
// Staff pages
// ---------------------------------------------------------------------------------------------------------

const staffRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const feedback = services.feedback
  const today = () => londonDate(services.clock())

  /** Pages a role may not use are "not found", like the rest of Hearth. */
  const need = (actor: Actor | undefined, permission: Permission) => {
    if (!actor || !can(actor.roles, permission)) throw new NotFoundError()
    return actor
  }

  app.get('/feedback', async (request, reply) => {
    const actor = request.actor!
    const allowed = (['feedback.issue', 'feedback.results', 'feedback.responses', 'feedback.evaluate'] as const).filter(p => can(actor.roles, p))
    if (allowed.length === 0) throw new NotFoundError()
    return reply.view('feedback/views/staff/index.njk', { title: 'Survivor feedback', allowed })
  })

  // ----- issuing links -----

  const issueForm = async (actor: Actor) => ({
    agencies: scopeFor(actor.roles, 'feedback.issue') === 'partnership' ? await feedback.agenciesFor(actor, 'feedback.issue') : [],
    mayOpen: can(actor.roles, 'feedback.evaluate'),
    purposes: purposes.map(p => ({ value: p, text: purposeLabels[p] })),
  })

  // Case closure and refuge move-out link here with ?purpose= only: which case or placement is never passed.
  app.get<{ Querystring: { purpose?: string } }>('/feedback/links/new', async (request, reply) => {
    const actor = need(request.actor, 'feedback.issue')
    const purpose = (purposes as readonly string[]).includes(request.query.purpose ?? '') ? request.query.purpose : 'case-closure'
    return reply.view('feedback/views/staff/issue.njk', { title: 'Give someone a feedback link', ...(await issueForm(actor)), values: { kind: 'single-use', audience: 'adult', purpose } })
  })

  app.post('/feedback/links', async (request, reply) => {
    const actor = need(request.actor, 'feedback.issue')
    const body = (request.body ?? {}) as Record<string, string | undefined>
    const values = {
      kind: body.kind === 'open' ? 'open' as const : 'single-use' as const,
      audience: (body.audience === 'young-person' ? 'young-person' : 'adult') as Audience,
      purpose: (purposes as readonly string[]).includes(body.purpose ?? '') ? body.purpose as Purpose : 'other' as Purpose,
      agencyId: body.agencyId || null,
      label: (body.label ?? '').trim(),
      expiresOn: (body.expiresOn ?? '').trim(),
    }
    const problems: { field: string; message: string }[] = []
    if (values.kind === 'open') {
      if (!values.label) problems.push({ field: 'label', message: 'Enter where the link will be shown, such as “Poster in the refuge lounge”' })
      if (values.label.length > 100) problems.push({ field: 'label', message: 'The label must be 100 characters or fewer' })
      if (!/^\d{4}-\d{2}-\d{2}$/.test(values.expiresOn)) problems.push({ field: 'expiresOn', message: 'Enter the last day the link works, like 2027-03-31' })
    }
    if (values.agencyId && !(await feedback.agenciesFor(actor, 'feedback.issue')).some(a => a.id === values.agencyId)) {
      problems.push({ field: 'agencyId', message: 'Choose a service from the list' })
    }
    let issued
    if (problems.length === 0) {
      try {
        issued = await feedback.issueLink(actor, {
          kind: values.kind, purpose: values.purpose, audience: values.audience, agencyId: values.agencyId, label: values.label || null,
          ...(values.kind === 'open' ? { expiresOn: values.expiresOn, period: { start: financialYearOf(today()).start, end: values.expiresOn > financialYearOf(today()).end ? values.expiresOn : financialYearOf(today()).end } } : {}),
        })
      } catch (error) {
        if (!(error instanceof FeedbackInputError)) throw error
        problems.push({ field: error.field, message: error.message })
      }
    }
    if (!issued) {
      return reply.code(400).view('feedback/views/staff/issue.njk', { title: 'Give someone a feedback link', ...(await issueForm(actor)), values, errors: formErrors(problems) })
    }
    const url = `${request.protocol}://${request.host}${issued.path}`
    return reply.view('feedback/views/staff/issued.njk', { title: 'Feedback link ready', issued, url, periodLabel: quarterLabel(issued.period) })
  })

  app.get('/feedback/links', async (request, reply) => {
    const actor = need(request.actor, 'feedback.evaluate')
    return reply.view('feedback/views/staff/links.njk', { title: 'Open feedback links', links: await feedback.openLinks(actor), today: today() })
  })

  app.post<{ Params: { id: string } }>('/feedback/links/:id/revoke', async (request, reply) => {
    const actor = need(request.actor, 'feedback.evaluate')
    await feedback.revokeLink(actor, request.params.id)
    return reply.redirect('/feedback/links', 303)
  })

  // ----- results -----

  app.get<{ Querystring: { year?: string; quarter?: string; service?: string } }>('/feedback/results', async (request, reply) => {
    const actor = need(request.actor, 'feedback.results')
    const period = reportingPeriod(request.query, today())
    const agencies = await feedback.agenciesFor(actor, 'feedback.results')
    const service = agencies.some(a => a.id === request.query.service) ? request.query.service! : null
    const results = await feedback.results(actor, { from: period.from, to: period.to, service })
    return reply.view('feedback/views/staff/results.njk', {
      title: 'Survivor feedback results',
      period,
      years: recentFinancialYears(today()),
      agencies,
      service,
      results,
      ownOnly: scopeFor(actor.roles, 'feedback.results') !== 'partnership',
      groupLabels,
    })
  })

  // ----- the evaluator: responses and themes -----

  app.get<{ Querystring: { year?: string; quarter?: string; service?: string; untagged?: string; page?: string } }>('/feedback/responses', async (request, reply) => {
    const actor = need(request.actor, 'feedback.responses')
    const period = reportingPeriod(request.query, today())
    const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1)
    const view = await feedback.responses(actor, {
      from: period.from, to: period.to, service: request.query.service || null, untagged: request.query.untagged === 'yes', page,
    })
    const agencyNames = new Map(view.agencies.map(a => [a.id, a.name]))
    const rows = view.rows.map(r => ({
      id: r.id,
      survey: isSurveyCode(r.survey_code) ? surveyLabels[r.survey_code] : r.survey_code,
      language: languageName(r.language),
      lang: r.language,
      purpose: purposeLabels[r.purpose as Purpose] ?? r.purpose,
      period: quarterLabel({ start: r.period_start, end: r.period_end }),
      issuer: r.issuer_agency_id ? agencyNames.get(r.issuer_agency_id) : 'No particular service',
      sections: sections(r.answers, agencyNames),
    }))
    const query = new URLSearchParams({ year: period.year, ...(period.quarter ? { quarter: String(period.quarter) } : {}), ...(request.query.service ? { service: request.query.service } : {}), ...(request.query.untagged === 'yes' ? { untagged: 'yes' } : {}) })
    return reply.view('feedback/views/staff/responses.njk', {
      title: 'Survivor feedback responses',
      period,
      years: recentFinancialYears(today()),
      agencies: view.agencies,
      service: request.query.service ?? '',
      untagged: request.query.untagged === 'yes',
      rows,
      themes: view.themes,
      total: view.total,
      page: view.page,
      pages: view.pages,
      query: query.toString(),
      back: `/feedback/responses?${query.toString()}${view.page > 1 ? `&page=${view.page}` : ''}`,
      mayTag: can(actor.roles, 'feedback.evaluate'),
    })
  })

  app.post<{ Params: { id: string } }>('/feedback/answers/:id/themes', async (request, reply) => {
    const actor = need(request.actor, 'feedback.evaluate')
    const body = (request.body ?? {}) as Record<string, unknown>
    await feedback.tagAnswer(actor, request.params.id, asArray(body.themes))
    return reply.redirect(safeBack(body.back, '/feedback/responses'), 303)
  })

  app.post('/feedback/themes', async (request, reply) => {
    const actor = need(request.actor, 'feedback.evaluate')
    const body = (request.body ?? {}) as Record<string, unknown>
    const back = safeBack(body.back, '/feedback/responses')
    try {
      await feedback.addTheme(actor, String(body.label ?? ''))
    } catch (error) {
      if (!(error instanceof FeedbackInputError)) throw error
      return reply.code(400).view('feedback/views/staff/theme-error.njk', { title: 'Add a theme', errors: formErrors([{ field: 'label', message: error.message }]), label: body.label, back })
    }
    return reply.redirect(back, 303)
  })
}

/** Only a path inside the responses page: never an address elsewhere. */
const safeBack = (value: unknown, fallback: string) =>
  typeof value === 'string' && /^\/feedback\/responses(\?[\w=&%.-]*)?$/.test(value) ? value : fallback

/** A response's answers as the evaluator reads them: one section per service used, then general questions. */
function sections(
  answers: { id: string; service_group: string | null; service_agency_id: string | null; question_code: string; option_code: string | null; text_value: string | null; themeIds: string[] }[],
  agencyNames: Map<string, string>,
) {
  const order = Object.keys(questionBank)
  const groups = [...new Set(answers.map(a => `${a.service_group ?? ''}|${a.service_agency_id ?? ''}`))]
  return groups
    .map(key => {
      const [group, agencyId] = key.split('|') as [string, string]
      const title = !group ? 'General questions'
        : `${isServiceGroup(group) ? groupLabels[group] : group}${agencyId ? `: ${agencyNames.get(agencyId) ?? 'unknown service'}` : ' (service not named)'}`
      const rows = answers
        .filter(a => `${a.service_group ?? ''}|${a.service_agency_id ?? ''}` === key && isQuestionCode(a.question_code))
        .sort((a, b) => order.indexOf(a.question_code) - order.indexOf(b.question_code))
        .map(a => {
          const code = a.question_code as keyof typeof questionBank
          const kind = kindOf(code)
          return {
            id: a.id,
            question: questionBank[code].label,
            isText: kind === 'text',
            answer: kind === 'text' ? a.text_value ?? '' : scaleLabels[kind][a.option_code ?? ''] ?? a.option_code ?? '',
            themeIds: a.themeIds,
          }
        })
      return { title, rows, group }
    })
    .sort((a, b) => (a.group ? 0 : 1) - (b.group ? 0 : 1))
}
