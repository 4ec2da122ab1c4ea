/**
 * Pure rules of survivor feedback: tokens, periods, the pages of a survey, reading a page's answers,
 * turning a finished visit into answers, and shaping suppressed counts into results. No I/O.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  type Audience,
  groupLabels,
  isServiceGroup,
  kindOf,
  MAX_TEXT,
  type Purpose,
  type QuestionCode,
  questionBank,
  type ScaleCode,
  scaleLabels,
  scales,
  type ServiceGroup,
  serviceGroups,
  type SurveyVersion,
} from './questionBank.ts'

// ---------------------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------------------

const hash = (value: string) => createHash('sha256').update(value).digest('hex')

const uuidToBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex')
const bytesToUuid = (bytes: Buffer) => {
  const h = bytes.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/**
 * A link token: 43 URL-safe characters holding the partnership (so a visitor with no session can be
 * placed in it) and 128 random bits. Only its SHA-256 is stored.
 */
export function newLinkToken(partnershipId: string): { token: string; tokenHash: string } {
  const token = Buffer.concat([uuidToBytes(partnershipId), randomBytes(16)]).toString('base64url')
  return { token, tokenHash: hash(token) }
}

export function parseLinkToken(token: string): { partnershipId: string; tokenHash: string } | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null
  const bytes = Buffer.from(token, 'base64url')
  if (bytes.length !== 32) return null
  return { partnershipId: bytesToUuid(bytes.subarray(0, 16)), tokenHash: hash(token) }
}

/** A visit cookie: "<partnership id>.<secret>"; the visit's id is the hash of the secret. */
export function newVisitCookie(partnershipId: string): { cookie: string; visitId: string } {
  const secret = randomBytes(32).toString('base64url')
  return { cookie: `${partnershipId}.${secret}`, visitId: hash(secret) }
}

export function parseVisitCookie(cookie: string | undefined): { partnershipId: string; visitId: string } | null {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '')
  return match ? { partnershipId: match[1]!, visitId: hash(match[2]!) } : null
}

// ---------------------------------------------------------------------------------------------------------
// Periods and time
// ---------------------------------------------------------------------------------------------------------

export type Period = { start: string; end: string }

const iso = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** The quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec: also the financial quarters) holding an ISO date. */
export function quarterOf(date: string): Period {
  const year = Number(date.slice(0, 4))
  const month = Number(date.slice(5, 7))
  const first = Math.floor((month - 1) / 3) * 3 + 1
  return { start: iso(year, first, 1), end: iso(year, first + 2, lastDay(year, first + 2)) }
}

/** The financial year (April to March) holding an ISO date, e.g. 2026-04-01..2027-03-31. */
export function financialYearOf(date: string): Period & { label: string } {
  const year = Number(date.slice(0, 4))
  const startYear = Number(date.slice(5, 7)) >= 4 ? year : year - 1
  return { start: iso(startYear, 4, 1), end: iso(startYear + 1, 3, 31), label: `${startYear}-${String(startYear + 1).slice(2)}` }
}

/** Financial quarter label: April-June is Q1. */
export function quarterLabel(period: Period): string {
  const fy = financialYearOf(period.start)
  const month = Number(period.start.slice(5, 7))
  const q = month >= 4 ? Math.floor((month - 4) / 3) + 1 : 4
  return `${fy.label} Q${q}`
}

/** Financial year and quarter chosen on a results page (?year=2026-27&quarter=3), by default the current year. */
export function reportingPeriod(query: { year?: string | undefined; quarter?: string | undefined }, today: string) {
  const current = financialYearOf(today)
  const match = /^(\d{4})-(\d{2})$/.exec(query.year ?? '')
  const startYear = match && (Number(match[1]) + 1) % 100 === Number(match[2]) ? Number(match[1]) : Number(current.start.slice(0, 4))
  const year = financialYearOf(iso(startYear, 4, 1))
  const quarter = ['1', '2', '3', '4'].includes(query.quarter ?? '') ? Number(query.quarter) : null
  if (!quarter) return { from: year.start, to: year.end, year: year.label, quarter: null, label: year.label }
  const month = 4 + (quarter - 1) * 3
  const q = quarterOf(month > 12 ? iso(startYear + 1, month - 12, 1) : iso(startYear, month, 1))
  return { from: q.start, to: q.end, year: year.label, quarter, label: `${year.label} Q${quarter}` }
}

/** The last few financial years, newest first, for a period picker. */
export function recentFinancialYears(today: string, count = 4): string[] {
  const start = Number(financialYearOf(today).start.slice(0, 4))
  return Array.from({ length: count }, (_, i) => financialYearOf(iso(start - i, 4, 1)).label)
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** A single-use link works for this many days after it is issued. */
export const SINGLE_USE_DAYS = 60
/** Unsent answers are deleted after this many idle minutes. */
export const VISIT_IDLE_MINUTES = 30
/** ...and a visit ends this many hours after it began, whatever happens. */
export const VISIT_HOURS = 4

export function visitState(
  visit: { lastSeenAt: Date; expiresAt: Date },
  now: Date,
): 'active' | 'expired' {
  if (now.getTime() >= visit.expiresAt.getTime()) return 'expired'
  if (now.getTime() - visit.lastSeenAt.getTime() >= VISIT_IDLE_MINUTES * 60_000) return 'expired'
  return 'active'
}

// ---------------------------------------------------------------------------------------------------------
// The draft of a visit and the pages of a survey
// ---------------------------------------------------------------------------------------------------------

/** Answers not yet sent. Keys of `answers`: "<group>.<question>" for a service, "general.<question>". */
export type Draft = {
  lang: string
  groups: ServiceGroup[]
  /** Which agency the person meant, per group: an agency id, or 'not-sure'. */
  agencies: Partial<Record<ServiceGroup, string>>
  answers: Record<string, string>
  /** Pages the person has reached: they may go back to any of them. */
  reached: string[]
  /** The group of the service that gave the link: asked about first. */
  first?: ServiceGroup | undefined
}

export type SurveyContext = {
  survey: SurveyVersion
  purpose: Purpose
  /** The partnership's agencies that a survivor may name, by group. */
  agenciesByGroup: Partial<Record<ServiceGroup, { id: string; name: string }[]>>
}

export function newDraft(lang: string, issuer: { group: ServiceGroup | null; agencyId: string | null }, survey: SurveyVersion): Draft {
  const draft: Draft = { lang, groups: [], agencies: {}, answers: {}, reached: ['start'] }
  if (issuer.group && survey.groups.includes(issuer.group)) {
    draft.groups = [issuer.group]
    draft.first = issuer.group
    if (issuer.agencyId) draft.agencies[issuer.group] = issuer.agencyId
  }
  return draft
}

export const generalPagesFor = (survey: SurveyVersion, purpose: Purpose) =>
  survey.generalPages.filter(p => !p.purposes || p.purposes.includes(purpose))

/** Every page in order: start, services, one per service used, the general pages, check. */
export function pagesFor(ctx: SurveyContext, draft: Draft): string[] {
  const groups = ctx.survey.groups.filter(g => draft.groups.includes(g))
    .sort((a, b) => (a === draft.first ? -1 : b === draft.first ? 1 : 0))
  return ['start', 'services', ...groups.map(g => `service.${g}`), ...generalPagesFor(ctx.survey, ctx.purpose).map(p => `general.${p.id}`), 'check']
}

export type PageQuestion = { code: QuestionCode; key: string; kind: ReturnType<typeof kindOf> }

export type PageSpec =
  | { kind: 'start' }
  | { kind: 'services'; groups: readonly ServiceGroup[] }
  | { kind: 'service'; group: ServiceGroup; agencies: { id: string; name: string }[]; questions: PageQuestion[] }
  | { kind: 'general'; id: string; questions: PageQuestion[] }
  | { kind: 'check' }

export function pageSpec(ctx: SurveyContext, page: string): PageSpec | null {
  if (page === 'start') return { kind: 'start' }
  if (page === 'services') return { kind: 'services', groups: ctx.survey.groups }
  if (page === 'check') return { kind: 'check' }
  const [prefix, id = ''] = page.split(/\.(.*)/s)
  if (prefix === 'service' && isServiceGroup(id) && ctx.survey.groups.includes(id)) {
    return {
      kind: 'service',
      group: id,
      agencies: ctx.agenciesByGroup[id] ?? [],
      questions: ctx.survey.serviceQuestions.map(code => ({ code, key: `${id}.${code}`, kind: kindOf(code) })),
    }
  }
  const general = generalPagesFor(ctx.survey, ctx.purpose).find(p => p.id === id)
  if (prefix === 'general' && general) {
    return { kind: 'general', id, questions: general.questions.map(code => ({ code, key: `general.${code}`, kind: kindOf(code) })) }
  }
  return null
}

export type Problem = { field: string; question: QuestionCode | null; kind: 'too-long' | 'choose' }

type Form = Record<string, unknown>
const one = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : value === undefined || value === null ? '' : String(value))
const many = (value: unknown): string[] => (value === undefined || value === '' ? [] : Array.isArray(value) ? value.map(String) : [String(value)])

/** Line breaks as typed, without control characters, trimmed. */
export const cleanText = (value: string) =>
  value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim()

/**
 * Reads one page's form into the draft. Every question is optional; the only problems are an answer
 * longer than the limit and an option that is not on the scale (a tampered form). With problems the
 * draft is not changed, so the page is shown again with what was typed.
 */
export function readPage(ctx: SurveyContext, draft: Draft, spec: PageSpec, form: Form): { draft: Draft; problems: Problem[]; values: Record<string, string> } {
  const next: Draft = structuredClone(draft)
  const problems: Problem[] = []
  const values: Record<string, string> = {}
  if (spec.kind === 'services') {
    next.groups = spec.groups.filter(g => many(form.groups).includes(g))
    for (const g of Object.keys(next.agencies) as ServiceGroup[]) if (!next.groups.includes(g)) delete next.agencies[g]
    for (const key of Object.keys(next.answers)) {
      const group = key.split('.')[0]!
      if (group !== 'general' && !next.groups.includes(group as ServiceGroup)) delete next.answers[key]
    }
    return { draft: next, problems, values }
  }
  if (spec.kind === 'service') {
    const agency = one(form.agency)
    if (spec.agencies.length > 1) {
      if (agency === '') delete next.agencies[spec.group]
      else if (agency === 'not-sure' || spec.agencies.some(a => a.id === agency)) next.agencies[spec.group] = agency
      else problems.push({ field: 'agency', question: null, kind: 'choose' })
    }
  }
  if (spec.kind === 'service' || spec.kind === 'general') {
    for (const q of spec.questions) {
      const raw = one(form[q.code])
      if (q.kind === 'text') {
        const text = cleanText(raw)
        values[q.code] = text
        if (text.length > MAX_TEXT) problems.push({ field: q.code, question: q.code, kind: 'too-long' })
        else if (text) next.answers[q.key] = text
        else delete next.answers[q.key]
      } else {
        values[q.code] = raw
        if (raw === '') delete next.answers[q.key]
        else if ((scales[q.kind] as readonly string[]).includes(raw)) next.answers[q.key] = raw
        else problems.push({ field: q.code, question: q.code, kind: 'choose' })
      }
    }
  }
  return problems.length ? { draft, problems, values } : { draft: next, problems, values }
}

/** The step after (or before) a page; 'check' is last. */
export function neighbour(pages: string[], page: string, step: 1 | -1): string {
  const index = pages.indexOf(page)
  if (index < 0) return 'start'
  return pages[Math.min(pages.length - 1, Math.max(0, index + step))]!
}

// ---------------------------------------------------------------------------------------------------------
// Sending: from a draft to answers
// ---------------------------------------------------------------------------------------------------------

export const USED_QUESTION = 'used'

export type AnswerRow = {
  serviceGroup: ServiceGroup | null
  serviceAgencyId: string | null
  questionCode: string
  optionCode: string | null
  textValue: string | null
}

/**
 * The answers a finished draft gives: for each service used, a 'used' row and its answered questions,
 * against the agency the person named (or the only agency of that kind, or none when not sure); then the
 * answered general questions. Questions skipped are simply absent.
 */
export function answersFromDraft(ctx: SurveyContext, draft: Draft): AnswerRow[] {
  const rows: AnswerRow[] = []
  const valueRow = (code: QuestionCode, value: string): Pick<AnswerRow, 'optionCode' | 'textValue'> =>
    kindOf(code) === 'text' ? { optionCode: null, textValue: value } : { optionCode: value, textValue: null }
  for (const group of ctx.survey.groups.filter(g => draft.groups.includes(g))) {
    const agencies = ctx.agenciesByGroup[group] ?? []
    const chosen = draft.agencies[group]
    const agencyId = chosen && chosen !== 'not-sure' && agencies.some(a => a.id === chosen) ? chosen
      : agencies.length === 1 && chosen !== 'not-sure' ? agencies[0]!.id : null
    rows.push({ serviceGroup: group, serviceAgencyId: agencyId, questionCode: USED_QUESTION, optionCode: 'yes', textValue: null })
    for (const code of ctx.survey.serviceQuestions) {
      const value = draft.answers[`${group}.${code}`]
      if (value) rows.push({ serviceGroup: group, serviceAgencyId: agencyId, questionCode: code, ...valueRow(code, value) })
    }
  }
  for (const page of generalPagesFor(ctx.survey, ctx.purpose)) {
    for (const code of page.questions) {
      const value = draft.answers[`general.${code}`]
      if (value) rows.push({ serviceGroup: null, serviceAgencyId: null, questionCode: code, ...valueRow(code, value) })
    }
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------------

/** A row of hearth_feedback_counts(): n is null when suppressed. */
export type CountRow = {
  kind: 'responses' | 'base' | 'option' | 'theme'
  service_group: string | null
  service_agency_id: string | null
  question_code: string | null
  item: string | null
  n: number | null
  suppressed: boolean
}

export type Count = { n: number | null; suppressed: boolean }
export type OptionResult = { code: string; label: string; n: number | null; suppressed: boolean; percent: number | null }
export type QuestionResult = { code: string; label: string; kind: ScaleCode | 'text'; base: Count; options: OptionResult[] }
export type ServiceResult = {
  group: ServiceGroup | null
  agencyId: string | null
  name: string
  responses: Count
  questions: QuestionResult[]
  themes: { id: string; label: string; n: number | null; suppressed: boolean }[]
}
export type FeedbackResults = { threshold: number; from: string; to: string; services: ServiceResult[] }

const questionOrder = Object.keys(questionBank)

/**
 * Shapes the suppressed counts into results: every option of each scale (0 when nobody chose it, unless
 * the question is suppressed), percentages of those who answered, themes by count. Nothing here can
 * reveal a suppressed count: it only ever sees the database's suppressed rows.
 */
export function shapeResults(
  rows: CountRow[],
  names: { agencies: Map<string, string>; themes: Map<string, string> },
  meta: { threshold: number; from: string; to: string },
): FeedbackResults {
  const keyOf = (r: { service_group: string | null; service_agency_id: string | null }) => `${r.service_group ?? ''}|${r.service_agency_id ?? ''}`
  const services = new Map<string, ServiceResult>()
  for (const r of rows.filter(x => x.kind === 'responses')) {
    const group = r.service_group && isServiceGroup(r.service_group) ? r.service_group : null
    const agencyName = r.service_agency_id ? names.agencies.get(r.service_agency_id) : undefined
    services.set(keyOf(r), {
      group,
      agencyId: r.service_agency_id,
      name: agencyName ?? (group ? `${groupLabels[group]} (not named)` : 'Not about one service'),
      responses: { n: r.n, suppressed: r.suppressed },
      questions: [],
      themes: [],
    })
  }
  const bases = rows.filter(x => x.kind === 'base')
  for (const b of bases) {
    const service = services.get(keyOf(b))
    const code = b.question_code
    if (!service || !code || !Object.hasOwn(questionBank, code)) continue
    const kind = kindOf(code as QuestionCode)
    const counted = rows.filter(x => x.kind === 'option' && keyOf(x) === keyOf(b) && x.question_code === code)
    const options: OptionResult[] = kind === 'text' ? [] : scales[kind].map(option => {
      const row = counted.find(x => x.item === option)
      const n = row ? row.n : b.suppressed ? null : 0
      const suppressed = row ? row.suppressed : b.suppressed
      const percent = n !== null && b.n ? Math.round((n / b.n) * 100) : null
      return { code: option, label: scaleLabels[kind][option] ?? option, n, suppressed, percent }
    })
    service.questions.push({ code, label: questionBank[code as QuestionCode].label, kind, base: { n: b.n, suppressed: b.suppressed }, options })
  }
  for (const t of rows.filter(x => x.kind === 'theme')) {
    const service = services.get(keyOf(t))
    if (!service || !t.item) continue
    service.themes.push({ id: t.item, label: names.themes.get(t.item) ?? 'Theme', n: t.n, suppressed: t.suppressed })
  }
  const groupOrder = Object.keys(serviceGroups)
  const list = [...services.values()]
  for (const s of list) {
    s.questions.sort((a, b) => questionOrder.indexOf(a.code) - questionOrder.indexOf(b.code))
    s.themes.sort((a, b) => (b.n ?? -1) - (a.n ?? -1) || a.label.localeCompare(b.label))
  }
  list.sort((a, b) =>
    (a.group ? groupOrder.indexOf(a.group) : 99) - (b.group ? groupOrder.indexOf(b.group) : 99) || a.name.localeCompare(b.name))
  return { ...meta, services: list }
}
