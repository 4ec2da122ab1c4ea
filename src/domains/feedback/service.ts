/**
 * Survivor feedback: independent, anonymous feedback from adults and young people (issue 8).
 *
 * ## For the reports (needs assessment, annual report)
 *
 *   feedbackResults(tx, { from, to, service? }): Promise<FeedbackResults>
 *
 * `tx` is a withActor() transaction. Returns, for each service, the number of responses, each question's
 * answers by option (every option of the scale, with a percentage of those who answered), and the
 * evaluator's free-text themes, for responses whose period lies within from..to (ISO dates, inclusive;
 * a response's period is the quarter its link was issued for). `service` (an agency id) narrows to one.
 * Counts are suppressed by the database below the partnership profile's `suppression.threshold`: a
 * suppressed count is `{ n: null, suppressed: true }`. The actor needs `feedback.results`; a provider
 * (agency scope) gets its own agency's service only, whatever it asks. Individual responses and free
 * text never come out of it. Audit the view yourself (REPORT_VIEW) when you show it.
 *
 * ## For case closure and refuge move-out
 *
 *   offerExitQuestionnaire(tx, actor, { purpose: 'case-closure' | 'refuge-move-out', audience?, on })
 *     → { token, path, expiresOn, period }
 *
 * Issues a single-use link for the actor's own agency, the current survey version and the quarter of
 * `on`. Do not pass, store or audit which case or person it was for: the link must not be traceable to
 * them. Show `path` (a neutral /s/<token>) to the worker once; only its hash is kept.
 *
 * ## Privacy rules this service keeps
 * - Links and visits store only hashes; a link has no issuing time, no issuer and no case.
 * - A response copies its link's service, survey, purpose and period, never the link; a single-use link
 *   is deleted when its response is sent, with every unfinished visit of it.
 * - The visitor's cookie is neutral and holds nothing but a random secret; answers not sent are deleted
 *   after 30 idle minutes.
 * - Staff never see an individual response except with feedback.responses (the independent evaluator),
 *   enforced by row-level security; results are counts, suppressed in the database.
 */
import type { Kysely } from 'kysely'
import type { Actor } from '../../access/actor.ts'
import { can, scopeFor } from '../../access/policy.ts'
import { type Clock, londonDate } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { NotFoundError } from '../cases/service.ts'
import {
  type Audience,
  currentSurvey,
  groupOfKind,
  isQuestionCode,
  isSurveyCode,
  type Purpose,
  type ServiceGroup,
  serviceGroups,
  surveyFor,
} from './questionBank.ts'
import * as repo from './repository.ts'
import {
  addDays,
  answersFromDraft,
  type Draft,
  type FeedbackResults,
  neighbour,
  newDraft,
  newLinkToken,
  newVisitCookie,
  type PageSpec,
  pageSpec,
  pagesFor,
  parseLinkToken,
  parseVisitCookie,
  type Period,
  type Problem,
  quarterOf,
  readPage,
  SINGLE_USE_DAYS,
  shapeResults,
  type SurveyContext,
  VISIT_HOURS,
  VISIT_IDLE_MINUTES,
  visitState,
} from './rules.ts'
import { isLanguage } from './translations/index.ts'

export type IssuedLink = { token: string; path: string; expiresOn: string; period: Period; kind: 'single-use' | 'open' }

export class FeedbackInputError extends Error {
  readonly field: string
  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}

/** The agencies a survivor may name, by service group. */
function agenciesByGroup(agencies: { id: string; name: string; kind: string }[]): SurveyContext['agenciesByGroup'] {
  const result: SurveyContext['agenciesByGroup'] = {}
  for (const [group, kinds] of Object.entries(serviceGroups) as [ServiceGroup, readonly string[]][]) {
    const list = agencies.filter(a => kinds.includes(a.kind)).map(a => ({ id: a.id, name: a.name }))
    if (list.length) result[group] = list
  }
  return result
}

/**
 * Issues a link in the caller's withActor() transaction. Row-level security refuses a link for another
 * agency unless the actor's feedback.issue scope is the partnership.
 */
async function issue(
  tx: Tx,
  actor: Actor,
  input: {
    kind: 'single-use' | 'open'
    purpose: Purpose
    audience: Audience
    agencyId: string | null
    period: Period
    expiresOn: string
    label?: string | null
  },
): Promise<IssuedLink> {
  const { token, tokenHash } = newLinkToken(actor.partnershipId)
  await repo.insertLink(tx, {
    partnership_id: actor.partnershipId,
    token_hash: tokenHash,
    kind: input.kind,
    purpose: input.purpose,
    survey_code: currentSurvey[input.audience],
    agency_id: input.agencyId,
    period_start: input.period.start,
    period_end: input.period.end,
    expires_on: input.expiresOn,
    label: input.kind === 'open' ? input.label?.trim() || null : null,
  })
  return { token, path: `/s/${token}`, expiresOn: input.expiresOn, period: input.period, kind: input.kind }
}

/** See the top of this file. */
export async function offerExitQuestionnaire(
  tx: Tx,
  actor: Actor,
  input: { purpose: 'case-closure' | 'refuge-move-out'; audience?: Audience; on: string },
): Promise<IssuedLink> {
  return issue(tx, actor, {
    kind: 'single-use',
    purpose: input.purpose,
    audience: input.audience ?? 'adult',
    agencyId: actor.agencyId,
    period: quarterOf(input.on),
    expiresOn: addDays(input.on, SINGLE_USE_DAYS),
  })
}

/** See the top of this file. */
export async function feedbackResults(tx: Tx, input: { from: string; to: string; service?: string | null }): Promise<FeedbackResults> {
  const [rows, agencies, themes, threshold] = await Promise.all([
    repo.counts(tx, input.from, input.to, input.service ?? null),
    repo.agencies(tx),
    repo.themes(tx),
    repo.suppressionThreshold(tx),
  ])
  return shapeResults(
    rows,
    { agencies: new Map(agencies.map(a => [a.id, a.name])), themes: new Map(themes.map(t => [t.id, t.label])) },
    { threshold, from: input.from, to: input.to },
  )
}

export type VisitPage = {
  ctx: SurveyContext
  draft: Draft
  pages: string[]
  index: number
  spec: PageSpec
}

export type AnswerOutcome =
  | { kind: 'expired' }
  | { kind: 'not-working' }
  | { kind: 'next'; index: number }
  | { kind: 'invalid'; page: VisitPage; problems: Problem[]; values: Record<string, string> }
  | { kind: 'sent'; lang: string }
  | { kind: 'already-sent'; lang: string }

class AlreadySent extends Error {}

export function createFeedbackService(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db, clock } = deps

  type Loaded = {
    partnershipId: string
    visitId: string
    linkId: string
    linkKind: 'single-use' | 'open'
    issuer: { group: ServiceGroup | null; agencyId: string | null }
    period: Period
    ctx: SurveyContext
    draft: Draft
  }

  /** Runs fn with the visitor's live visit, or says why there is none. Every call counts as activity. */
  async function withVisit<T>(
    cookie: string | undefined,
    fn: (tx: Tx, visit: Loaded) => Promise<T>,
  ): Promise<T | { kind: 'expired' } | { kind: 'not-working' }> {
    const parsed = parseVisitCookie(cookie)
    if (!parsed) return { kind: 'expired' }
    const now = clock()
    return repo.withVisitor(db, parsed.partnershipId, { visitId: parsed.visitId }, async tx => {
      const row = await repo.visitWithLink(tx, parsed.visitId)
      if (!row) return { kind: 'expired' as const }
      if (visitState({ lastSeenAt: new Date(row.last_seen_at), expiresAt: new Date(row.expires_at) }, now) === 'expired') {
        await repo.deleteVisit(tx, parsed.visitId)
        return { kind: 'expired' as const }
      }
      if (row.revoked || row.expires_on < londonDate(now) || !isSurveyCode(row.survey_code)) {
        await repo.deleteVisit(tx, parsed.visitId)
        return { kind: 'not-working' as const }
      }
      const agencies = await repo.agencies(tx)
      const issuerKind = agencies.find(a => a.id === row.agency_id)?.kind
      const draft = row.draft as unknown as Draft
      const ctx: SurveyContext = { survey: surveyFor(row.survey_code), purpose: row.purpose, agenciesByGroup: agenciesByGroup(agencies) }
      await repo.updateVisit(tx, parsed.visitId, { now })
      return fn(tx, {
        partnershipId: parsed.partnershipId,
        visitId: parsed.visitId,
        linkId: row.link_id,
        linkKind: row.kind,
        issuer: { group: issuerKind ? groupOfKind(issuerKind) : null, agencyId: row.agency_id },
        period: { start: row.period_start, end: row.period_end },
        ctx,
        draft,
      })
    })
  }

  function pageOf(visit: Loaded, requested: number | undefined): VisitPage {
    const pages = pagesFor(visit.ctx, visit.draft)
    const reached = pages.map((p, i) => (visit.draft.reached.includes(p) ? i : -1)).filter(i => i >= 0)
    const furthest = reached.length ? Math.max(...reached) : 0
    const index = requested !== undefined && reached.includes(requested) ? requested : furthest
    return { ctx: visit.ctx, draft: visit.draft, pages, index, spec: pageSpec(visit.ctx, pages[index]!)! }
  }

  return {
    /**
     * Exchanges a link's token for a visit: returns the neutral cookie to set, or 'not-working' for a
     * token that is unknown, spent, revoked or expired (all told apart from nobody, the same kind message).
     */
    async openLink(token: string, lang: string): Promise<{ kind: 'visit'; cookie: string } | { kind: 'not-working' }> {
      const parsed = parseLinkToken(token)
      if (!parsed) return { kind: 'not-working' }
      const now = clock()
      const { cookie, visitId } = newVisitCookie(parsed.partnershipId)
      return repo.withVisitor(db, parsed.partnershipId, { tokenHash: parsed.tokenHash, visitId }, async tx => {
        await repo.sweepVisits(tx, new Date(now.getTime() - VISIT_IDLE_MINUTES * 60_000), now)
        const link = await repo.linkByTokenHash(tx, parsed.tokenHash)
        if (!link || link.revoked || link.expires_on < londonDate(now) || !isSurveyCode(link.survey_code)) return { kind: 'not-working' as const }
        const survey = surveyFor(link.survey_code)
        const agencies = await repo.agencies(tx)
        const issuerKind = agencies.find(a => a.id === link.agency_id)?.kind
        const draft = newDraft(lang, { group: issuerKind ? groupOfKind(issuerKind) : null, agencyId: link.agency_id }, survey)
        await repo.insertVisit(tx, parsed.partnershipId, {
          id: visitId,
          linkId: link.id,
          draft,
          now,
          expiresAt: new Date(now.getTime() + VISIT_HOURS * 3_600_000),
        })
        return { kind: 'visit' as const, cookie }
      })
    },

    /** The page to show: the one asked for if the person has reached it, else the furthest reached. */
    async page(cookie: string | undefined, requested: number | undefined) {
      return withVisit(cookie, async (_tx, visit) => ({ kind: 'page' as const, page: pageOf(visit, requested) }))
    },

    /** A page's form: change language, save and move on or back, or (on the last page) send. */
    async answer(cookie: string | undefined, form: Record<string, unknown>): Promise<AnswerOutcome> {
      const requested = Number.parseInt(String(form.p ?? ''), 10)
      try {
        return await withVisit(cookie, async (tx, visit): Promise<AnswerOutcome> => {
          const page = pageOf(visit, Number.isNaN(requested) ? undefined : requested)
          const draft = visit.draft
          const action = String(form.action ?? 'next')
          // A form from a page not reached (an old tab, a tampered number): show the right page, save nothing.
          if (page.index !== requested) return { kind: 'next', index: page.index }
          if (action === 'lang') {
            if (isLanguage(form.lang)) await repo.updateVisit(tx, visit.visitId, { draft: { ...draft, lang: form.lang }, now: clock() })
            return { kind: 'next', index: page.index }
          }
          if (action === 'send' && page.spec.kind === 'check') {
            const answers = answersFromDraft(visit.ctx, draft)
            await repo.insertResponse(tx, visit.partnershipId, {
              surveyCode: visit.ctx.survey.code,
              language: draft.lang,
              purpose: visit.ctx.purpose,
              issuerGroup: visit.issuer.group,
              issuerAgencyId: visit.issuer.agencyId,
              periodStart: visit.period.start,
              periodEnd: visit.period.end,
            }, answers)
            if (visit.linkKind === 'single-use') {
              // Deleting the link ends every visit of it; if another window got there first, undo this one.
              if ((await repo.spendLink(tx, visit.linkId)) === 0) throw new AlreadySent(draft.lang)
            } else {
              await repo.deleteVisit(tx, visit.visitId)
            }
            return { kind: 'sent', lang: draft.lang }
          }
          const read = readPage(visit.ctx, draft, page.spec, form)
          if (read.problems.length) return { kind: 'invalid', page, problems: read.problems, values: read.values }
          const pages = pagesFor(visit.ctx, read.draft)
          const current = page.pages[page.index]!
          const target = neighbour(pages, current, action === 'back' ? -1 : 1)
          const next: Draft = { ...read.draft, reached: read.draft.reached.includes(target) ? read.draft.reached : [...read.draft.reached, target] }
          await repo.updateVisit(tx, visit.visitId, { draft: next, now: clock() })
          return { kind: 'next', index: pages.indexOf(target) }
        })
      } catch (error) {
        if (error instanceof AlreadySent) return { kind: 'already-sent', lang: error.message }
        throw error
      }
    },

    // ----- staff -----

    /** Agencies for forms and filters: all of them, or only the actor's own for agency scope. */
    async agenciesFor(actor: Actor, permission: 'feedback.issue' | 'feedback.results') {
      const all = await withActor(db, actor, tx => repo.agencies(tx))
      return scopeFor(actor.roles, permission) === 'partnership' ? all : all.filter(a => a.id === actor.agencyId)
    },

    /**
     * Issues a link. A single-use link is for the actor's own agency (or, with partnership scope, the one
     * chosen) and the current quarter, and expires in 60 days. An open link (time-limited, any number of
     * responses: a poster, a campaign) needs feedback.evaluate and gives its own period, expiry and label.
     */
    async issueLink(
      actor: Actor,
      input: {
        kind: 'single-use' | 'open'
        purpose: Purpose
        audience: Audience
        agencyId?: string | null
        period?: Period
        expiresOn?: string
        label?: string | null
      },
    ): Promise<IssuedLink> {
      const today = londonDate(clock())
      if (!can(actor.roles, 'feedback.issue')) throw new NotFoundError()
      if (input.kind === 'open' && !can(actor.roles, 'feedback.evaluate')) throw new NotFoundError()
      const wide = scopeFor(actor.roles, 'feedback.issue') === 'partnership'
      const agencyId = wide ? (input.agencyId ?? null) : actor.agencyId
      if (input.kind === 'single-use') {
        return withActor(db, actor, tx => issue(tx, actor, {
          kind: 'single-use', purpose: input.purpose, audience: input.audience, agencyId,
          period: quarterOf(today), expiresOn: addDays(today, SINGLE_USE_DAYS),
        }))
      }
      const period = input.period ?? quarterOf(today)
      const expiresOn = input.expiresOn ?? period.end
      if (expiresOn < today) throw new FeedbackInputError('expiresOn', 'The link must not have expired already')
      return withActor(db, actor, tx => issue(tx, actor, {
        kind: 'open', purpose: input.purpose, audience: input.audience, agencyId, period, expiresOn, label: input.label ?? null,
      }))
    },

    async openLinks(actor: Actor) {
      return withActor(db, actor, tx => repo.openLinks(tx))
    },

    async revokeLink(actor: Actor, id: string) {
      if (!/^[0-9a-f-]{36}$/.test(id)) throw new NotFoundError()
      const n = await withActor(db, actor, tx => repo.revokeLink(tx, id))
      if (n === 0) throw new NotFoundError()
    },

    /** Suppressed results for a period; a provider sees its own service only. Audited as a report view. */
    async results(actor: Actor, input: { from: string; to: string; service?: string | null }) {
      return withActor(db, actor, async tx => {
        const results = await feedbackResults(tx, input)
        await recordAudit(tx, actor, {
          action: 'REPORT_VIEW',
          subjectType: 'feedback-results',
          details: { from: input.from, to: input.to, service: input.service ?? null },
        })
        return results
      })
    },

    /**
     * Individual responses, without identities (there are none to show), for the independent evaluator:
     * row-level security returns nothing to anyone else. Audited as a drill-down to records.
     */
    async responses(actor: Actor, input: { from: string; to: string; service?: string | null; untagged?: boolean; page: number; pageSize?: number }) {
      const pageSize = input.pageSize ?? 20
      const page = Math.max(1, input.page)
      return withActor(db, actor, async tx => {
        const { rows, total } = await repo.responsePage(tx, {
          from: input.from, to: input.to, agencyId: input.service ?? undefined, untagged: input.untagged ?? false,
          offset: (page - 1) * pageSize, limit: pageSize,
        })
        const answers = await repo.answersOf(tx, rows.map(r => r.id))
        const tags = await repo.themesOfAnswers(tx, answers.map(a => a.id))
        const [themes, agencies] = await Promise.all([repo.themes(tx), repo.agencies(tx)])
        await recordAudit(tx, actor, {
          action: 'REPORT_DRILL',
          subjectType: 'feedback-responses',
          details: { from: input.from, to: input.to, service: input.service ?? null, page, shown: rows.length },
        })
        return {
          rows: rows.map(r => ({
            ...r,
            answers: answers
              .filter(a => a.response_id === r.id && isQuestionCode(a.question_code))
              .map(a => ({ ...a, themeIds: tags.filter(t => t.answer_id === a.id).map(t => t.theme_id) })),
          })),
          total,
          page,
          pages: Math.max(1, Math.ceil(total / pageSize)),
          themes,
          agencies,
        }
      })
    },

    async addTheme(actor: Actor, label: string): Promise<string> {
      const clean = label.replace(/\s+/g, ' ').trim()
      if (!clean) throw new FeedbackInputError('label', 'Enter a name for the theme')
      if (clean.length > 100) throw new FeedbackInputError('label', 'Theme names must be 100 characters or fewer')
      return withActor(db, actor, async tx => {
        const existing = await repo.themeByLabel(tx, clean)
        if (existing) throw new FeedbackInputError('label', `There is already a theme called “${existing.label}”`)
        return repo.insertTheme(tx, actor.partnershipId, clean)
      })
    },

    /** Sets the themes of one free-text answer (replacing those it had). */
    async tagAnswer(actor: Actor, answerId: string, themeIds: string[]) {
      if (!/^[0-9a-f-]{36}$/.test(answerId)) throw new NotFoundError()
      await withActor(db, actor, async tx => {
        if (!(await repo.answerExists(tx, answerId))) throw new NotFoundError()
        const known = new Set((await repo.themes(tx)).map(t => t.id))
        await repo.setAnswerThemes(tx, actor.partnershipId, answerId, [...new Set(themeIds)].filter(id => known.has(id)))
      })
    },

    async themes(actor: Actor) {
      return withActor(db, actor, tx => repo.themes(tx))
    },
  }
}

export type FeedbackService = ReturnType<typeof createFeedbackService>
