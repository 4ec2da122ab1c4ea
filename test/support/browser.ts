import fs from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import type { DB } from '../../src/db/schema.ts'
import { createLogger } from '../../src/logger.ts'
import { buildApp } from '../../src/web/app.ts'
import { isRequired, openTestDatabase, type TestDatabase } from './database.ts'
import { testClock } from './web.ts'

/**
 * Browser tests: Chromium driven by playwright-core, against Hearth listening on a real port.
 * Chromium is the Debian package (apt-get install -y chromium); HEARTH_CHROMIUM points elsewhere.
 */
export const chromiumPath = process.env.HEARTH_CHROMIUM || '/usr/bin/chromium'

export function browserAvailable(): boolean {
  try {
    fs.accessSync(chromiumPath, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

const missingNote = `Chromium not found at ${chromiumPath}: browser tests skipped; install with apt-get install -y chromium`

/**
 * describe() for browser suites. Without Chromium the suite is skipped with a printed note, unless CI
 * requires browsers (HEARTH_CI_REQUIRE includes "chromium"): then it fails, so a green run means they ran.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (browserAvailable()) {
    describe(name, body)
    return
  }
  if (isRequired('chromium')) {
    describe(name, () => {
      it('needs Chromium, which HEARTH_CI_REQUIRE says is required', () => {
        throw new Error(`${missingNote.replace(': browser tests skipped', '')}. HEARTH_CI_REQUIRE=${process.env.HEARTH_CI_REQUIRE}`)
      })
    })
    return
  }
  console.warn(missingNote)
  describe.skip(name, body)
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
}

/**
 * A browser context for axe: bypassCSP lets the axe script be injected inline. The app's own pages
 * are still served with their real CSP; a separate test checks that pages raise no CSP violations.
 */
export const axeContextOptions: BrowserContextOptions = { bypassCSP: true, locale: 'en-GB', timezoneId: 'Europe/London' }

export type TestClock = ReturnType<typeof testClock>

export type TestServer<S> = {
  url: string
  db: TestDatabase
  app: FastifyInstance
  clock: TestClock
  seeded: S
  close(): Promise<void>
}

/**
 * Hearth on 127.0.0.1 (a free port), over a database of its own (PGlite in memory, or a fresh
 * PostgreSQL database when DATABASE_URL is set), with a clock the test moves by hand.
 */
export async function startTestServer<S = undefined>(
  options: { clock?: TestClock; seed?: (db: Kysely<DB>) => Promise<S>; signInRateLimit?: number } = {},
): Promise<TestServer<S>> {
  const clock = options.clock ?? testClock()
  const db = await openTestDatabase()
  let app: FastifyInstance | undefined
  try {
    const seeded = (options.seed ? await options.seed(db.db) : undefined) as S
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }, { demo: false })
    app = await buildApp({ config, db: db.db, logger: createLogger('silent'), clock, signInRateLimit: options.signInRateLimit ?? 1000 })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    const running = app
    return {
      url: `http://127.0.0.1:${port}`,
      db,
      app: running,
      clock,
      seeded,
      async close() {
        await running.close()
        await db.drop()
      },
    }
  } catch (error) {
    await app?.close().catch(() => {})
    await db.drop().catch(() => {})
    throw error
  }
}

const require = createRequire(import.meta.url)
let axeSource: string | undefined

/** The WCAG levels every page must meet: 2.0, 2.1 and 2.2, A and AA. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

export type AxeViolation = {
  id: string
  impact: string | null
  help: string
  helpUrl: string
  tags: string[]
  nodes: { target: unknown[]; html: string; failureSummary?: string }[]
}

/** Runs axe-core in the page (its context must have bypassCSP) and returns the WCAG A/AA violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined')
  if (!loaded) await page.addScriptTag({ content: axeSource })
  return page.evaluate(async tags => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return result.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      tags: v.tags,
      nodes: v.nodes.map(n => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }))
  }, wcagTags)
}

export function formatViolations(where: string, violations: AxeViolation[]): string {
  const lines = [`${violations.length} axe violation(s) on ${where}:`]
  for (const v of violations) {
    lines.push(`  - ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}  [${v.helpUrl}]`)
    for (const n of v.nodes) {
      lines.push(`      at ${JSON.stringify(n.target)}: ${n.html.slice(0, 200)}`)
      if (n.failureSummary) lines.push(`        ${n.failureSummary.replace(/\n/g, '\n        ')}`)
    }
  }
  return lines.join('\n')
}

/**
 * Asserts that the page has no axe-core violations against WCAG 2.0/2.1/2.2 A and AA; prints each
 * violation's rule, help and target nodes when it has. With soft: true the test carries on (and still
 * fails at the end), so one run reports every page.
 */
export async function checkAccessibility(page: Page, options: { soft?: boolean; label?: string } = {}): Promise<AxeViolation[]> {
  const violations = await axeViolations(page)
  const where = `${options.label ? `${options.label}: ` : ''}${new URL(page.url()).pathname}${new URL(page.url()).search} ("${await page.title()}")`
  if (violations.length > 0) console.error(formatViolations(where, violations))
  const assertion = options.soft ? expect.soft(violations.map(v => v.id), formatViolations(where, violations)) : expect(violations.map(v => v.id), formatViolations(where, violations))
  assertion.toEqual([])
  return violations
}

/**
 * For one describeInBrowser block: Hearth on a test server and Chromium, started before the tests and closed
 * after them, and signedIn(email), which opens a page in a browser context of its own and signs in.
 */
export function browserSession<S>(options: {
  seed?: (db: Kysely<DB>) => Promise<S>
  clock?: TestClock
  password: string
  contextOptions?: BrowserContextOptions
  /** Playwright's default timeout for each context, when the pages need longer than its own (uploads). */
  timeoutMs?: number
}) {
  const running = {} as { server: TestServer<S>; browser: Browser }
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    running.server = await startTestServer({ ...(options.clock ? { clock: options.clock } : {}), ...(options.seed ? { seed: options.seed } : {}) })
    running.browser = await launchBrowser()
  }, 240_000)
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await running.browser?.close()
    await running.server?.close()
  })
  return {
    get server(): TestServer<S> {
      return running.server
    },
    async signedIn(email: string): Promise<Page> {
      const context = await running.browser.newContext({ ...axeContextOptions, baseURL: running.server.url, ...options.contextOptions })
      contexts.push(context)
      if (options.timeoutMs) context.setDefaultTimeout(options.timeoutMs)
      const page = await context.newPage()
      await page.goto('/sign-in')
      await page.fill('#email', email)
      await page.fill('#password', options.password)
      await Promise.all([page.waitForURL(u => u.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()])
      return page
    },
  }
}
