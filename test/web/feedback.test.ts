import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

/**
 * Survivor feedback over HTTP: a worker issues a link; a survivor answers in Polish on neutral pages;
 * the evaluator reads the response; the provider sees only suppressed aggregates for its own service;
 * a used link is refused kindly.
 */
const password = 'correct horse battery staple'

/** What a survivor's browser would show in its address bar, title and history must say nothing. */
function expectNeutral(response: LightMyRequestResponse) {
  if (response.statusCode >= 300 && response.statusCode < 400) {
    expect(String(response.headers.location)).toMatch(/^\/s(\/done)?(\?[a-z]=[a-z0-9]+)?$/)
    return
  }
  const title = /<title[^>]*>([^<]*)<\/title>/.exec(response.body)?.[1] ?? ''
  expect(title).toMatch(/^(Błąd: |Error: )?((Strona|Page) \d+ (z|of) \d+ – )?(Your views|Twoja opinia)$/)
  expect(response.body).not.toMatch(/hearth/i)
  expect(response.body).toMatch(/<a href="https:\/\/www\.bbc\.co\.uk\/weather"[^>]*rel="nofollow noreferrer" referrerpolicy="no-referrer"/)
  expect(response.body).not.toContain('<link rel="manifest"')
  expect(response.headers['cache-control']).toBe('no-store')
  expect(response.headers['referrer-policy']).toBe('no-referrer')
  if (response.headers.location) expect(String(response.headers.location)).toMatch(/^\/s(\/done)?(\?[a-z]=[a-z0-9]+)?$/)
}

const titleOf = (response: LightMyRequestResponse) => /<title[^>]*>([^<]*)<\/title>/.exec(response.body)?.[1]

describe(`survivor feedback over HTTP on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const clock = testClock(new Date('2026-11-23T10:00:00Z'))
  const users: Record<string, string> = {}
  const agencies: Record<string, string> = {}

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const p = await f.newPartnership()
    agencies.idva = await f.newAgency(p.partnershipId, 'idva-service')
    agencies.refuge = await f.newAgency(p.partnershipId, 'refuge-provider')
    agencies.policeA = await f.newAgency(p.partnershipId, 'police')
    agencies.policeB = await f.newAgency(p.partnershipId, 'police')
    agencies.evaluator = await f.newAgency(p.partnershipId, 'other')
    agencies.council = await f.newAgency(p.partnershipId, 'local-authority')
    const passwordHash = await hashPassword(password)
    const user = async (name: string, agencyId: string, role: Parameters<typeof f.newUser>[1]['roles'][number]) => {
      users[name] = (await f.newUser(p.partnershipId, { agencyId, roles: [role], passwordHash })).email
    }
    await user('idva', agencies.idva, 'idva')
    await user('manager', agencies.idva, 'idva-manager')
    await user('refuge', agencies.refuge, 'safe-accommodation-worker')
    await user('evaluator', agencies.evaluator, 'independent-evaluator')
    await user('commissioner', agencies.council, 'commissioner')
    await user('referrer', agencies.policeA, 'referrer')
    app = await testApp(database, { clock })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  async function staff(name: string) {
    const c = client(app)
    const signedIn = await c.signIn(users[name]!, password)
    expect(signedIn.statusCode).toBe(303)
    return c
  }

  /** A worker creates a single-use link, as at case closure; returns its path. */
  async function issueLink(name = 'idva', form: Record<string, string> = {}) {
    const worker = await staff(name)
    expect((await worker.get('/feedback/links/new')).statusCode).toBe(200)
    const issued = await worker.post('/feedback/links', { purpose: 'case-closure', audience: 'adult', kind: 'single-use', ...form })
    expect(issued.statusCode).toBe(200)
    const url = /data-testid="feedback-link"><code>([^<]+)<\/code>/.exec(issued.body)?.[1]
    expect(url).toMatch(/^http:\/\/localhost(:\d+)?\/s\/[A-Za-z0-9_-]{43}$/)
    return new URL(url!).pathname
  }

  /** Answers the whole survey in English with the given answers to the IDVA questions. */
  async function answerQuickly(path: string, idva: Record<string, string>) {
    const survivor = client(app)
    expect((await survivor.get(path)).statusCode).toBe(303)
    await survivor.get('/s')
    let response = await survivor.post('/s', { p: '0', action: 'next' })
    await survivor.get(String(response.headers.location))
    response = await survivor.post('/s', { p: '1', action: 'next', groups: 'idva' })
    await survivor.get(String(response.headers.location))
    response = await survivor.post('/s', { p: '2', action: 'next', ...idva })
    for (let p = 3; p < 10; p++) {
      const page = await survivor.get(String(response.headers.location))
      if (page.body.includes('value="send"')) {
        response = await survivor.post('/s', { p: String(p), action: 'send' })
        expect(response.headers.location).toBe('/s/done?l=en')
        return
      }
      response = await survivor.post('/s', { p: String(p), action: 'next' })
    }
    throw new Error(`never reached the check page: ${response.statusCode} ${response.headers.location} ${response.body.slice(0, 3000)}`)
  }

  it('a survivor answers in Polish on neutral pages; the used link is then refused kindly', async () => {
    const path = await issueLink()
    const survivor = client(app)

    // The token is exchanged for a neutral cookie, and the address bar moves on to /s.
    const opened = await survivor.get(path)
    expect(opened.statusCode).toBe(303)
    expect(opened.headers.location).toBe('/s')
    const cookie = opened.cookies.find(c => c.name === 'sid') as { path?: string; httpOnly?: boolean; sameSite?: string; maxAge?: number } | undefined
    expect(cookie).toMatchObject({ path: '/s', httpOnly: true, sameSite: 'Lax' })
    expect(cookie?.maxAge).toBeUndefined()

    const start = await survivor.get('/s')
    expect(start.statusCode).toBe(200)
    expectNeutral(start)
    expect(start.body).toContain('<html lang="en"')
    expect(start.body).toContain('lang="pl"')

    // Choose Polish.
    const polish = await survivor.post('/s', { p: '0', action: 'lang', lang: 'pl' })
    expect(polish.statusCode).toBe(303)
    const startPl = await survivor.get(String(polish.headers.location))
    expectNeutral(startPl)
    expect(startPl.body).toContain('<html lang="pl"')
    expect(titleOf(startPl)).toBe('Twoja opinia')
    expect(startPl.body).toContain('Opuść tę stronę')

    let next = await survivor.post('/s', { p: '0', action: 'next' })
    expectNeutral(next)
    const services = await survivor.get(String(next.headers.location))
    expectNeutral(services)
    expect(titleOf(services)).toMatch(/^Strona 2 z \d+ – Twoja opinia$/)
    // The service that gave the link is already ticked.
    expect(services.body).toMatch(/value="idva" checked/)

    next = await survivor.post('/s', { p: '1', action: 'next', groups: ['idva', 'police'] })
    const idvaPage = await survivor.get(String(next.headers.location))
    expectNeutral(idvaPage)
    expect(idvaPage.body).toContain('Czy czułaś/czułeś, że ktoś Cię słucha i rozumie?')

    // Too long an answer is refused in Polish, keeping what was typed.
    const tooLong = await survivor.post('/s', { p: '2', action: 'next', listened: 'yes', helpful: 'x'.repeat(2001) })
    expect(tooLong.statusCode).toBe(400)
    expectNeutral(tooLong)
    expect(tooLong.body).toContain('Wystąpił problem')
    expect(tooLong.body).toContain('może mieć najwyżej 2,000 znaków')

    next = await survivor.post('/s', {
      p: '2', action: 'next', listened: 'yes', safety: 'mostly', knowledge: 'good', satisfaction: 'very-satisfied',
      helpful: 'Pomogła mi znaleźć bezpieczne miejsce dla mnie i dzieci.', improve: 'Więcej informacji po polsku.',
    })
    const policePage = await survivor.get(String(next.headers.location))
    expect(policePage.body).toContain('Która organizacja?')
    next = await survivor.post('/s', { p: '3', action: 'next', agency: agencies.policeB!, listened: 'sometimes' })
    // The general pages, then the check page.
    for (let p = 4; ; p++) {
      const page = await survivor.get(String(next.headers.location))
      expectNeutral(page)
      if (page.body.includes('Sprawdź odpowiedzi przed wysłaniem')) {
        expect(page.body).toContain('Pomogła mi znaleźć bezpieczne miejsce dla mnie i dzieci.')
        expect(page.body).toContain('Czasami')
        next = await survivor.post('/s', { p: String(p), action: 'send' })
        break
      }
      next = await survivor.post('/s', { p: String(p), action: 'next', ...(p === 4 ? { 'outcome-safety': 'improved' } : {}) })
      expect(p).toBeLessThan(10)
    }
    expectNeutral(next)
    expect(next.headers.location).toBe('/s/done?l=pl')
    const done = await survivor.get('/s/done?l=pl')
    expectNeutral(done)
    expect(done.body).toContain('Dziękujemy')
    expect(survivor.jar.has('sid')).toBe(false)

    // The same link again: refused, kindly, and saying nothing about what the site is.
    const again = await client(app).get(path)
    expect(again.statusCode).toBe(410)
    expectNeutral(again)
    expect(again.body).toContain('This link is not working')
    expect(again.body).toContain('Each link can only be used once')
    const againPl = await client(app).get(path, { 'accept-language': 'pl-PL,pl;q=0.9,en;q=0.5' })
    expect(againPl.body).toContain('Ten link nie działa')
    // A page of the finished visit, from the browser's history: nothing left to show.
    const fromHistory = await survivor.get('/s?p=2')
    expect(fromHistory.statusCode).toBe(410)
    expectNeutral(fromHistory)
    expect(fromHistory.body).not.toContain('Pomogła mi')
  })

  it('shows the response to the evaluator, without identities, and to nobody else', async () => {
    const evaluator = await staff('evaluator')
    const page = await evaluator.get('/feedback/responses?year=2026-27')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Pomogła mi znaleźć bezpieczne miejsce dla mnie i dzieci.')
    expect(page.body).toContain('lang="pl"')
    expect(page.body).toContain('answered in Polski')
    for (const name of ['manager', 'idva', 'commissioner', 'refuge']) {
      const other = await staff(name)
      const refused = await other.get('/feedback/responses?year=2026-27')
      expect(refused.statusCode, name).toBe(404)
    }
  })

  it('the evaluator tags a theme; the provider sees only suppressed aggregates for its own service', async () => {
    const evaluator = await staff('evaluator')
    let page = await evaluator.get('/feedback/responses?year=2026-27')
    const back = '/feedback/responses?year=2026-27'
    const added = await evaluator.post('/feedback/themes', { label: 'Language support', back })
    expect(added.statusCode).toBe(303)
    page = await evaluator.get(back)
    const themeId = /name="themes" type="checkbox" value="([0-9a-f-]{36})"/.exec(page.body)?.[1]
    const answerId = /action="\/feedback\/answers\/([0-9a-f-]{36})\/themes"/.exec(page.body)?.[1]
    expect(themeId && answerId).toBeTruthy()
    expect((await evaluator.post(`/feedback/answers/${answerId}/themes`, { themes: themeId!, back })).statusCode).toBe(303)

    const manager = await staff('manager')
    const results = await manager.get('/feedback/results?year=2026-27')
    expect(results.statusCode).toBe(200)
    expect(results.body).toContain('Numbers below 5 are hidden')
    expect(results.body).toMatch(/Responses: <strong data-testid="responses"><span data-testid="suppressed">fewer than 5<\/span>/)
    expect(results.body).not.toContain('Pomogła mi')
    expect(results.body).not.toContain('Language support')
    // The police service the survivor also named is not the IDVA service's to see.
    expect(results.body.match(/data-testid="service-result"/g)).toHaveLength(1)
    // Asking for another service's results by id changes nothing.
    const sneaky = await manager.get(`/feedback/results?year=2026-27&service=${agencies.policeB}`)
    expect(sneaky.body).not.toMatch(/Agency \d+<\/h2>\s*<p class="govuk-body">Responses: <strong data-testid="responses">[0-9]/)
    expect((await manager.get('/feedback/links')).statusCode).toBe(404)

    // The referrer has no feedback pages at all.
    const referrer = await staff('referrer')
    expect((await referrer.get('/feedback')).statusCode).toBe(404)
    expect((await referrer.get('/feedback/results')).statusCode).toBe(404)
  })

  it('shows counts once enough people have answered, still hiding small ones', async () => {
    for (const listened of ['yes', 'yes', 'yes', 'no']) await answerQuickly(await issueLink(), { listened, satisfaction: 'very-satisfied' })
    const manager = await staff('manager')
    const results = await manager.get('/feedback/results?year=2026-27&quarter=3')
    expect(results.body).toMatch(/Responses: <strong data-testid="responses">5<\/strong>/)
    const satisfaction = /data-testid="question-satisfaction">([\s\S]*?)<\/table>/.exec(results.body)?.[1] ?? ''
    expect(satisfaction).toMatch(/Very satisfied<\/th>\s*<td[^>]*>5<\/td>\s*<td[^>]*>100%/)
    expect(satisfaction).toMatch(/Very dissatisfied<\/th>\s*<td[^>]*>0<\/td>/)
    // Knowledge: the Polish answer said Good, four others did not answer: fewer than 5 answered, all hidden.
    const knowledge = /data-testid="question-knowledge">([\s\S]*?)<\/table>/.exec(results.body)?.[1] ?? ''
    expect(knowledge).toContain('answered by <span data-testid="suppressed">fewer than 5</span>')
    expect(knowledge).not.toMatch(/<td[^>]*>[0-9]+<\/td>/)
    const listened = /data-testid="question-listened">([\s\S]*?)<\/table>/.exec(results.body)?.[1] ?? ''
    // Yes 4, No 1: "No" is hidden, so "Yes" is hidden too, or No = 5 - Yes.
    expect(listened.match(/data-testid="suppressed"/g)).toHaveLength(2)
    expect(listened).toMatch(/Sometimes<\/th>\s*<td[^>]*>0<\/td>/)
    // The commissioner sees every service; the police agency named once is suppressed.
    const commissioner = await staff('commissioner')
    const all = await commissioner.get('/feedback/results?year=2026-27&quarter=3')
    expect(all.body.match(/data-testid="service-result"/g)!.length).toBeGreaterThanOrEqual(2)
  })

  it('never reveals the site in its error pages, and refuses a form without its CSRF token', async () => {
    const path = await issueLink()
    const survivor = client(app)
    await survivor.get(path)
    await survivor.get('/s')
    const forged = await survivor.post('/s', { p: '0', action: 'next' }, { csrf: false })
    expect(forged.statusCode).toBe(403)
    expectNeutral(forged)
    expect(forged.body).toContain('This form has expired')
    const unknown = await client(app).get('/s/not-a-real-link')
    expect(unknown.statusCode).toBe(404)
    expectNeutral(unknown)
    const nothing = await client(app).get('/s')
    expect(nothing.statusCode).toBe(410)
    expectNeutral(nothing)
    expect(nothing.body).toContain('This page has timed out')
    // The survey's own stylesheet and script: no sign-in needed, no fonts that look like a government site.
    const style = await client(app).get('/s/style.css')
    expect(style.statusCode).toBe(200)
    expect(style.headers['content-type']).toMatch(/^text\/css/)
    expect(style.body).toContain('.govuk-exit-this-page')
    expect(style.body).not.toContain('@font-face')
    const script = await client(app).get('/s/script.js')
    expect(script.statusCode).toBe(200)
    expect(script.body).toContain('ExitThisPage')
    const deeper = await client(app).get('/s/a/b')
    expect(deeper.statusCode).toBe(404)
    expectNeutral(deeper)
  })

  it('ends an idle visit after 30 minutes and a single-use link after 60 days', async () => {
    const path = await issueLink()
    const survivor = client(app)
    await survivor.get(path)
    expect((await survivor.get('/s')).statusCode).toBe(200)
    clock.advanceMinutes(31)
    const idle = await survivor.get('/s')
    expect(idle.statusCode).toBe(410)
    expect(idle.body).toContain('This page has timed out')
    // The link still works for a fresh start, until it expires.
    expect((await client(app).get(path)).statusCode).toBe(303)
    clock.advanceMinutes(61 * 24 * 60)
    const late = await client(app).get(path)
    expect(late.statusCode).toBe(410)
    expect(late.body).toContain('This link is not working')
  })

  it('lets the evaluator make an open link for a poster, and stop it', async () => {
    const evaluator = await staff('evaluator')
    const form = await evaluator.get('/feedback/links/new')
    expect(form.body).toContain('Open link for anyone')
    const missing = await evaluator.post('/feedback/links', { purpose: 'other', audience: 'young-person', kind: 'open', label: '', expiresOn: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Enter where the link will be shown')
    const issued = await evaluator.post('/feedback/links', {
      purpose: 'other', audience: 'young-person', kind: 'open', label: 'Poster at the youth club', expiresOn: '2027-03-31', agencyId: agencies.idva!,
    })
    expect(issued.statusCode).toBe(200)
    const path = new URL(/data-testid="feedback-link"><code>([^<]+)</.exec(issued.body)![1]!).pathname
    // Two young people use the same open link.
    for (let i = 0; i < 2; i++) {
      const young = client(app)
      expect((await young.get(path)).statusCode).toBe(303)
      expect((await young.get('/s')).body).toContain('We want to know what you think about the help you got')
    }
    const links = await evaluator.get('/feedback/links')
    expect(links.body).toContain('Poster at the youth club')
    const id = /action="\/feedback\/links\/([0-9a-f-]{36})\/revoke"/.exec(links.body)![1]
    expect((await evaluator.post(`/feedback/links/${id}/revoke`, {})).statusCode).toBe(303)
    expect((await client(app).get(path)).statusCode).toBe(410)
  })
})
