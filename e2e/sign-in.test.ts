import type { Kysely } from 'kysely'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { DB } from '../src/db/schema.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'
import { axeContextOptions, checkAccessibility, describeInBrowser, launchBrowser, startTestServer, type TestServer } from '../test/support/browser.ts'
import { engineUnderTest } from '../test/support/database.ts'
import { factories } from '../test/support/factories.ts'

/**
 * The sign-in journeys in Chromium, with axe-core on every page visited (WCAG 2.0/2.1/2.2 A and AA).
 * Accessibility checks are soft: a journey carries on past a violation, so one run lists every page's
 * problems, and the test still fails.
 */
const password = 'correct horse battery staple'
const journey = { timeout: 120_000 }

async function seed(db: Kysely<DB>) {
  const f = factories(db)
  const p = await f.newPartnership()
  const agency = await f.newAgency(p.partnershipId)
  const team = await f.newTeam(p.partnershipId, agency)
  const passwordHash = await hashPassword(password)
  const user = async (role: Parameters<typeof f.newUser>[1]['roles'][number], teamId: string | null = null) =>
    (await f.newUser(p.partnershipId, { agencyId: agency, teamId, roles: [role], passwordHash })).email
  const users = {
    manager: await user('idva-manager', team),
    administrator: await user('administrator'),
    lockable: await user('idva', team),
    idle: await user('referrer'),
    noScript: await user('idva-manager', team),
  }
  const manager = await db.selectFrom('app_user').where('email', '=', users.manager).select('id').executeTakeFirstOrThrow()
  // More than a page of cases, so the list shows pagination.
  const cases = []
  for (let i = 0; i < 30; i++) {
    cases.push(await f.newCase(p.partnershipId, { agencyId: agency, referringAgencyId: agency, teamId: team, allocatedUserId: i % 2 ? manager.id : null }))
  }
  return { partnership: p, users, cases }
}

describeInBrowser(`signing in and out in Chromium on ${engineUnderTest}`, () => {
  let server: TestServer<Awaited<ReturnType<typeof seed>>>
  let browser: Browser
  const contexts: BrowserContext[] = []
  // Every answer of 500 or more, in any page of the test: it fails the test, naming the address.
  let serverErrors: string[] = []

  beforeAll(async () => {
    server = await startTestServer({ seed })
    browser = await launchBrowser()
  })
  afterEach(() => {
    const seen = serverErrors
    serverErrors = []
    expect(seen, 'the server answered with an error').toEqual([])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ ...axeContextOptions, baseURL: server.url, ...options })
    context.setDefaultTimeout(10_000)
    contexts.push(context)
    const page = await context.newPage()
    page.on('response', response => {
      if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`)
    })
    return page
  }

  const path = (page: Page) => {
    const u = new URL(page.url())
    return `${u.pathname}${u.search}`
  }

  async function submitSignIn(page: Page, email: string, secret: string) {
    await page.fill('#email', email)
    await page.fill('#password', secret)
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()])
  }

  async function signIn(page: Page, email: string) {
    await page.goto('/sign-in')
    await submitSignIn(page, email, password)
    await page.waitForURL(u => u.pathname === '/')
  }

  async function signOut(page: Page) {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(u => u.pathname === '/sign-in' && u.search === '?signed-out=yes')
  }

  const nav = (page: Page) => page.locator('.govuk-service-navigation')

  const activeElement = (page: Page) =>
    page.evaluate(() => ({ id: document.activeElement?.id ?? '', className: document.activeElement?.className ?? '' }))

  it('loads the stylesheets, scripts, fonts and images of a page, signed out and signed in', journey, async () => {
    const page = await newPage()
    const assets: string[] = []
    page.on('response', response => {
      const u = new URL(response.url())
      if (u.pathname.startsWith('/assets/')) assets.push(`${response.status()} ${u.pathname}${response.headers().location ? ` -> ${response.headers().location}` : ''}`)
    })
    await page.goto('/sign-in')
    await page.waitForLoadState('networkidle')
    const signedOut = [...assets]
    expect(signedOut.length).toBeGreaterThan(3)
    expect.soft(signedOut.filter(a => !a.startsWith('200 ')), 'assets refused to a signed-out visitor').toEqual([])
    assets.length = 0
    await submitSignIn(page, server.seeded.users.manager, password)
    await page.waitForURL(u => u.pathname === '/')
    await page.waitForLoadState('networkidle')
    expect.soft(assets.filter(a => !/^(200|304) /.test(a)), 'assets refused to a signed-in user').toEqual([])
    // The GOV.UK stylesheet applied: the header is GOV.UK black, not an unstyled page.
    expect(await page.locator('.govuk-generic-header').evaluate(e => getComputedStyle(e).backgroundColor)).toBe('rgb(11, 12, 12)')
  })

  it('signs in past a wrong password, visits the pages, and signs out, with no axe violations', journey, async () => {
    const { users } = server.seeded
    const page = await newPage()

    await page.goto('/sign-in')
    expect(await page.locator('h1').textContent()).toBe('Sign in to Hearth')
    expect(await page.title()).toBe('Sign in to Hearth – Hearth')
    await checkAccessibility(page, { soft: true, label: 'sign-in' })

    // Both fields empty: the error summary names both, each linked to its field.
    await submitSignIn(page, '', '')
    expect(await page.title()).toBe('Error: Sign in to Hearth – Hearth')
    const summary = page.locator('.govuk-error-summary')
    expect(await summary.locator('a').evaluateAll(links => links.map(a => [a.getAttribute('href'), a.textContent?.trim()]))).toEqual([
      ['#email', 'Enter your email address'],
      ['#password', 'Enter your password'],
    ])
    await checkAccessibility(page, { soft: true, label: 'sign-in with empty fields' })

    // A wrong password: GOV.UK Frontend focuses the summary, and its link moves focus to the field.
    await submitSignIn(page, users.manager, 'not the password at all')
    expect(await summary.textContent()).toContain('Enter a correct email address and password')
    expect.soft((await activeElement(page)).className, 'focus on the error summary').toContain('govuk-error-summary')
    await summary.locator('a[href="#email"]').click()
    expect.soft((await activeElement(page)).id, 'focus after following the summary link').toBe('email')
    expect(await page.locator('#email').inputValue()).toBe(users.manager)
    expect(await page.locator('#password').inputValue()).toBe('')
    await checkAccessibility(page, { soft: true, label: 'sign-in with a wrong password' })

    await submitSignIn(page, users.manager, password)
    await page.waitForURL(u => u.pathname === '/')
    expect(await page.locator('[data-testid="identity"]').textContent()).toContain(server.seeded.partnership.code)
    await checkAccessibility(page, { soft: true, label: 'home' })

    await nav(page).getByRole('link', { name: 'Cases' }).click()
    await page.waitForURL(u => u.pathname === '/cases')
    expect(await page.locator('[data-testid="case-list"] caption').textContent()).toContain('30 cases, page 1 of 2')
    await checkAccessibility(page, { soft: true, label: 'cases list' })

    await page.locator('[data-testid="case-list"] tbody a').first().click()
    await page.waitForURL(u => /^\/cases\/[0-9a-f-]{36}$/.test(u.pathname))
    const problem = Boolean((await page.locator('h1').textContent())?.includes('there is a problem'))
    expect.soft(problem, 'the case record answered "Sorry, there is a problem with the service"').toBe(false)
    if (!problem) {
      expect(await page.locator('.govuk-caption-l').textContent()).toMatch(/^Case HC-/)
      await checkAccessibility(page, { soft: true, label: 'case record' })
    }

    await page.goto('/account')
    expect(await page.locator('h1').textContent()).toBe('Your account')
    await checkAccessibility(page, { soft: true, label: 'account' })

    const missing = await page.goto('/no-such-page')
    expect(missing?.status()).toBe(404)
    expect(await page.locator('h1').textContent()).toBe('Page not found')
    await checkAccessibility(page, { soft: true, label: 'not found (signed in)' })

    await signOut(page)
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('You have signed out.')
    await checkAccessibility(page, { soft: true, label: 'signed out' })

    await page.goto('/cases')
    expect(path(page)).toBe('/sign-in')
  })

  it('shows administrators the users, add-user and audit pages, with no axe violations', journey, async () => {
    const { users, cases } = server.seeded
    // The manager opens a case, so the who-looked-at page has something to show.
    const manager = await newPage()
    await signIn(manager, users.manager)
    expect.soft((await manager.goto(`/cases/${cases[0]!.caseId}`))?.status(), 'the case record').toBe(200)
    const { reference } = await server.db.db.selectFrom('support_case').where('id', '=', cases[0]!.caseId).select('reference').executeTakeFirstOrThrow()

    const page = await newPage()
    await signIn(page, users.administrator)
    await checkAccessibility(page, { soft: true, label: 'home (administrator)' })

    await nav(page).getByRole('link', { name: 'Users' }).click()
    await page.waitForURL(u => u.pathname === '/admin/users')
    expect(await page.locator('table').textContent()).toContain(users.manager)
    await checkAccessibility(page, { soft: true, label: 'users' })

    await page.getByRole('button', { name: 'Add a user' }).click()
    await page.waitForURL(u => u.pathname === '/admin/users/new')
    await checkAccessibility(page, { soft: true, label: 'add a user' })
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add user' }).click()])
    expect(await page.locator('.govuk-error-summary').count()).toBe(1)
    expect(await page.locator('.govuk-error-summary a').count()).toBeGreaterThan(1)
    await checkAccessibility(page, { soft: true, label: 'add a user, with errors' })

    await nav(page).getByRole('link', { name: 'Audit log' }).click()
    await page.waitForURL(u => u.pathname === '/audit')
    expect(await page.locator('main').textContent()).toContain('Signed in')
    await checkAccessibility(page, { soft: true, label: 'audit log' })

    await page.goto('/audit/person')
    await checkAccessibility(page, { soft: true, label: 'who looked at (form)' })
    await page.fill('#reference', reference)
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Search' }).click()])
    expect.soft(await page.locator('main').textContent()).toContain('Opened the case record')
    await checkAccessibility(page, { soft: true, label: 'who looked at (results)' })

    await page.goto('/no-such-page')
    await checkAccessibility(page, { soft: true, label: 'not found (administrator)' })
    await signOut(page)
  })

  it('locks the account after 5 wrong passwords, even against the right one', journey, async () => {
    const { users } = server.seeded
    const page = await newPage()
    await page.goto('/sign-in')
    for (let attempt = 1; attempt <= 4; attempt++) {
      await submitSignIn(page, users.lockable, `wrong password ${attempt}`)
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter a correct email address and password')
    }
    await submitSignIn(page, users.lockable, 'wrong password 5')
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Your account is locked for 15 minutes')
    await submitSignIn(page, users.lockable, password)
    expect(path(page)).toBe('/sign-in')
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Your account is locked for 15 minutes')
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#email')
    await checkAccessibility(page, { soft: true, label: 'sign-in, locked' })
  })

  it('signs out after 30 idle minutes and says why', journey, async () => {
    const page = await newPage()
    await signIn(page, server.seeded.users.idle)
    server.clock.advanceMinutes(29)
    await page.reload()
    expect(path(page)).toBe('/')
    server.clock.advanceMinutes(31)
    await page.reload()
    expect(path(page)).toBe('/sign-in?signed-out=idle')
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
      'You were signed out because you had not done anything for a while',
    )
    await checkAccessibility(page, { soft: true, label: 'signed out when idle' })
    await page.goto('/')
    expect(path(page)).toBe('/sign-in')
  })

  it('signs in and out with JavaScript turned off', journey, async () => {
    const { users } = server.seeded
    const page = await newPage({ javaScriptEnabled: false })
    await page.goto('/sign-in')
    expect(await page.evaluate(() => document.body.className)).not.toContain('govuk-frontend-supported')
    await submitSignIn(page, users.noScript, 'a wrong password')
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#email')
    await submitSignIn(page, users.noScript, password)
    await page.waitForURL(u => u.pathname === '/')
    expect(await page.locator('[data-testid="identity"]').textContent()).toContain(server.seeded.partnership.code)
    await page.goto('/cases')
    expect(await page.locator('[data-testid="case-list"] tbody tr').count()).toBe(25)
    await signOut(page)
    await page.goto('/')
    expect(path(page)).toBe('/sign-in')
  })

  it('fits the sign-in page into a 320px-wide screen with no axe violations', journey, async () => {
    const page = await newPage({ viewport: { width: 320, height: 640 } })
    await page.goto('/sign-in')
    await checkAccessibility(page, { soft: true, label: 'sign-in at 320px' })
    // WCAG 1.4.10 reflow: no horizontal scrolling at 320 CSS pixels.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
    await submitSignIn(page, '', '')
    await checkAccessibility(page, { soft: true, label: 'sign-in with errors at 320px' })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
  })

  it('runs GOV.UK Frontend under the real Content-Security-Policy with no violations', journey, async () => {
    // No bypassCSP here: the inline script needs its nonce and the module script must come from 'self'.
    const context = await browser.newContext({ baseURL: server.url })
    context.setDefaultTimeout(10_000)
    contexts.push(context)
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', message => { if (message.type() === 'error') problems.push(message.text()) })
    page.on('pageerror', error => problems.push(error.message))
    await page.goto('/sign-in')
    await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'), undefined, { timeout: 5_000 })
    // initAll() ran: the password input's show/hide button is no longer hidden.
    await page.locator('.govuk-password-input__toggle').waitFor({ state: 'visible', timeout: 5_000 })
    await submitSignIn(page, server.seeded.users.manager, password)
    await page.waitForURL(u => u.pathname === '/')
    expect(problems).toEqual([])
  })
})
