import { describe, expect, it } from 'vitest'
import { questionBank, scales, serviceGroups, surveyFor, surveyVersions } from './questionBank.ts'
import {
  answersFromDraft,
  type CountRow,
  financialYearOf,
  newDraft,
  newLinkToken,
  newVisitCookie,
  pageSpec,
  pagesFor,
  parseLinkToken,
  parseVisitCookie,
  quarterLabel,
  quarterOf,
  readPage,
  reportingPeriod,
  shapeResults,
  type SurveyContext,
  visitState,
} from './rules.ts'
import { en } from './translations/en.ts'
import { languages, negotiateLanguage, translator } from './translations/index.ts'

const partnershipId = '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f'
const adult: SurveyContext = {
  survey: surveyFor('adult-2026.1'),
  purpose: 'case-closure',
  agenciesByGroup: {
    idva: [{ id: 'idva-1', name: 'IDVA Service' }],
    police: [{ id: 'police-1', name: 'Moorshire Police' }, { id: 'police-2', name: 'Transport Police' }],
  },
}

describe('tokens', () => {
  it('a link token carries the partnership and is stored only as a hash', () => {
    const { token, tokenHash } = newLinkToken(partnershipId)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(parseLinkToken(token)).toEqual({ partnershipId, tokenHash })
    expect(tokenHash).not.toContain(token)
    expect(newLinkToken(partnershipId).token).not.toBe(token)
    for (const bad of ['', 'short', `${token}x`, token.replace(/.$/, '*')]) expect(parseLinkToken(bad)).toBeNull()
  })

  it('a visit cookie is the partnership and a random secret', () => {
    const { cookie, visitId } = newVisitCookie(partnershipId)
    expect(parseVisitCookie(cookie)).toEqual({ partnershipId, visitId })
    expect(parseVisitCookie(undefined)).toBeNull()
    expect(parseVisitCookie('nonsense')).toBeNull()
  })

  it('a visit ends after 30 idle minutes or at its absolute end', () => {
    const start = new Date('2026-11-22T10:00:00Z')
    const visit = { lastSeenAt: start, expiresAt: new Date('2026-11-22T14:00:00Z') }
    expect(visitState(visit, new Date('2026-11-22T10:29:59Z'))).toBe('active')
    expect(visitState(visit, new Date('2026-11-22T10:30:00Z'))).toBe('expired')
    expect(visitState({ ...visit, lastSeenAt: new Date('2026-11-22T13:59:00Z') }, new Date('2026-11-22T14:00:00Z'))).toBe('expired')
  })
})

describe('periods', () => {
  it('quarters and financial years', () => {
    expect(quarterOf('2026-11-22')).toEqual({ start: '2026-10-01', end: '2026-12-31' })
    expect(quarterOf('2028-02-29')).toEqual({ start: '2028-01-01', end: '2028-03-31' })
    expect(financialYearOf('2027-03-31')).toMatchObject({ start: '2026-04-01', end: '2027-03-31', label: '2026-27' })
    expect(quarterLabel(quarterOf('2026-05-01'))).toBe('2026-27 Q1')
    expect(quarterLabel(quarterOf('2027-01-15'))).toBe('2026-27 Q4')
    expect(reportingPeriod({ year: '2026-27', quarter: '4' }, '2026-11-22')).toMatchObject({ from: '2027-01-01', to: '2027-03-31', label: '2026-27 Q4' })
    expect(reportingPeriod({}, '2026-11-22')).toMatchObject({ from: '2026-04-01', to: '2027-03-31', quarter: null })
    expect(reportingPeriod({ year: '2026-99', quarter: 'x' }, '2026-11-22')).toMatchObject({ year: '2026-27', quarter: null })
  })
})

describe('the pages of a survey', () => {
  it('asks about the service that gave the link first, and about refuges only at move-out', () => {
    const draft = { ...newDraft('en', { group: 'idva', agencyId: 'idva-1' }, adult.survey), groups: ['police' as const, 'idva' as const] }
    expect(pagesFor(adult, draft)).toEqual(['start', 'services', 'service.idva', 'service.police', 'general.changes', 'general.future', 'check'])
    expect(pagesFor({ ...adult, purpose: 'refuge-move-out' }, draft)).toContain('general.refuge')
    expect(pageSpec(adult, 'service.nonsense')).toBeNull()
    expect(pageSpec(adult, 'general.refuge')).toBeNull()
  })

  it('every question is optional; refuses an option not on the scale and text over 2,000 characters', () => {
    const draft = newDraft('en', { group: 'police', agencyId: null }, adult.survey)
    const spec = pageSpec(adult, 'service.police')!
    const ok = readPage(adult, draft, spec, { agency: 'police-2', listened: 'sometimes', helpful: '  Quick response\r\n ', safety: '' })
    expect(ok.problems).toEqual([])
    expect(ok.draft.answers).toEqual({ 'police.listened': 'sometimes', 'police.helpful': 'Quick response' })
    expect(ok.draft.agencies.police).toBe('police-2')
    const bad = readPage(adult, draft, spec, { listened: 'maybe', helpful: 'x'.repeat(2001), agency: 'someone-else' })
    expect(bad.problems.map(p => [p.field, p.kind])).toEqual([['agency', 'choose'], ['listened', 'choose'], ['helpful', 'too-long']])
    expect(bad.draft).toBe(draft)
  })

  it('unticking a service forgets its answers', () => {
    const draft = { ...newDraft('en', { group: 'idva', agencyId: 'idva-1' }, adult.survey), answers: { 'idva.listened': 'yes', 'general.anything-else': 'Thanks' } }
    const read = readPage(adult, draft, pageSpec(adult, 'services')!, { groups: 'police' })
    expect(read.draft.groups).toEqual(['police'])
    expect(read.draft.answers).toEqual({ 'general.anything-else': 'Thanks' })
    expect(read.draft.agencies).toEqual({})
  })

  it('turns a draft into answers: the only agency of a kind, the one named, or none when not sure', () => {
    const draft = {
      ...newDraft('pl', { group: 'idva', agencyId: 'idva-1' }, adult.survey),
      groups: ['idva' as const, 'police' as const, 'health' as const],
      agencies: { police: 'not-sure' },
      answers: { 'idva.listened': 'yes', 'idva.helpful': 'Wsparcie', 'police.knowledge': 'poor', 'general.outcome-safety': 'improved', 'general.refuge-safer': 'yes' },
    }
    expect(answersFromDraft(adult, draft)).toEqual([
      { serviceGroup: 'police', serviceAgencyId: null, questionCode: 'used', optionCode: 'yes', textValue: null },
      { serviceGroup: 'police', serviceAgencyId: null, questionCode: 'knowledge', optionCode: 'poor', textValue: null },
      { serviceGroup: 'idva', serviceAgencyId: 'idva-1', questionCode: 'used', optionCode: 'yes', textValue: null },
      { serviceGroup: 'idva', serviceAgencyId: 'idva-1', questionCode: 'listened', optionCode: 'yes', textValue: null },
      { serviceGroup: 'idva', serviceAgencyId: 'idva-1', questionCode: 'helpful', optionCode: null, textValue: 'Wsparcie' },
      { serviceGroup: 'health', serviceAgencyId: null, questionCode: 'used', optionCode: 'yes', textValue: null },
      // The refuge question is not asked at case closure, so an answer to it (a tampered draft) is dropped.
      { serviceGroup: null, serviceAgencyId: null, questionCode: 'outcome-safety', optionCode: 'improved', textValue: null },
    ])
  })
})

describe('shaping results', () => {
  it('shows every option of the scale, 0 for those nobody chose, and keeps suppression', () => {
    const row = (kind: CountRow['kind'], question: string | null, item: string | null, n: number | null): CountRow =>
      ({ kind, service_group: 'idva', service_agency_id: 'idva-1', question_code: question, item, n, suppressed: n === null })
    const results = shapeResults(
      [row('responses', null, null, 7), row('base', 'listened', null, 7), row('option', 'listened', 'yes', null), row('option', 'listened', 'no', null),
        row('base', 'knowledge', null, null), row('option', 'knowledge', 'good', null), row('base', 'helpful', null, 6), row('theme', null, 't1', 6)],
      { agencies: new Map([['idva-1', 'IDVA Service']]), themes: new Map([['t1', 'Consistent worker']]) },
      { threshold: 5, from: '2026-04-01', to: '2027-03-31' },
    )
    const idva = results.services[0]!
    expect(idva.name).toBe('IDVA Service')
    expect(idva.questions.map(q => q.code)).toEqual(['listened', 'knowledge', 'helpful'])
    expect(idva.questions[0]!.options.map(o => [o.code, o.n, o.suppressed])).toEqual([['yes', null, true], ['sometimes', 0, false], ['no', null, true]])
    expect(idva.questions[1]!.options.every(o => o.n === null && o.suppressed)).toBe(true)
    expect(idva.questions[2]!.options).toEqual([])
    expect(idva.themes).toEqual([{ id: 't1', label: 'Consistent worker', n: 6, suppressed: false }])
  })
})

describe('translations', () => {
  it('every language has every key of the English catalogue, and nothing else', () => {
    for (const language of languages) {
      expect(Object.keys(language.messages).sort(), language.code).toEqual(Object.keys(en).sort())
      for (const [key, value] of Object.entries(language.messages)) expect(value.trim(), `${language.code} ${key}`).not.toBe('')
      // The same placeholders in every language.
      for (const [key, value] of Object.entries(en)) {
        const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()
        expect(names(language.messages[key as keyof typeof en]), `${language.code} ${key}`).toEqual(names(value))
      }
    }
  })

  it('has words for every question, option and service group people can see', () => {
    const keys = new Set(Object.keys(en))
    for (const survey of Object.values(surveyVersions)) {
      for (const code of [...survey.serviceQuestions, ...survey.generalPages.flatMap(p => p.questions)]) {
        expect(keys.has(`q.${code}`), code).toBe(true)
        const kind = questionBank[code].kind
        if (kind !== 'text') for (const option of scales[kind]) expect(keys.has(`opt.${kind}.${option}`), `${kind}.${option}`).toBe(true)
      }
      for (const group of survey.groups) {
        expect(keys.has(`group.${group}`), group).toBe(true)
        expect(keys.has(`heading.${group}`), group).toBe(true)
      }
      for (const page of survey.generalPages) expect(keys.has(`general.${page.id}.heading`), page.id).toBe(true)
    }
    expect(Object.keys(serviceGroups).length).toBeGreaterThan(5)
  })

  it('uses the young people’s wording for the young people’s survey', () => {
    expect(translator('en', 'young-person')('q.helpful')).toBe('What was good about the help?')
    expect(translator('en', 'adult')('q.helpful')).toBe('What was helpful?')
    expect(translator('pl', 'young-person')('q.listened')).toBe('Czy czułaś/czułeś, że ktoś Cię słucha i rozumie?')
    expect(translator('pl')('page.of', { n: 2, total: 7 })).toBe('Strona 2 z 7')
  })

  it('picks the browser’s language when the survey has it', () => {
    expect(negotiateLanguage('pl-PL,pl;q=0.9,en-GB;q=0.8')).toBe('pl')
    expect(negotiateLanguage('lt-LT,lt;q=0.9,pl;q=0.5')).toBe('pl')
    expect(negotiateLanguage('fr-FR')).toBe('en')
    expect(negotiateLanguage(undefined)).toBe('en')
    expect(negotiateLanguage('pl;q=0, en;q=0.1')).toBe('en')
  })
})
