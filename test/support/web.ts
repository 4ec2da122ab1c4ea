import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { loadConfig } from '../../src/config.ts'
import { createLogger } from '../../src/logger.ts'
import { buildApp } from '../../src/web/app.ts'
import type { TestDatabase } from './database.ts'

/** A clock the test moves by hand. */
export function testClock(start = new Date('2026-11-22T09:00:00Z')) {
  let now = start.getTime()
  const clock = () => new Date(now)
  return Object.assign(clock, { advanceMinutes: (m: number) => { now += m * 60_000 } })
}

export async function testApp(
  database: TestDatabase,
  options: { clock?: () => Date; signInRateLimit?: number; logger?: ReturnType<typeof createLogger> } = {},
) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }, { demo: false })
  return buildApp({
    config,
    db: database.db,
    engine: database.engine,
    logger: options.logger ?? createLogger('silent'),
    clock: options.clock ?? (() => new Date()),
    signInRateLimit: options.signInRateLimit ?? 1000,
  })
}

/**
 * A browser-like client over app.inject: keeps cookies and sends the form's CSRF token,
 * so tests go through exactly the checks a browser would.
 */
export function client(app: FastifyInstance) {
  const jar = new Map<string, string>()
  let lastCsrf = ''
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  function keep(response: LightMyRequestResponse) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) jar.delete(c.name)
      else jar.set(c.name, c.value)
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1]
    if (token) lastCsrf = token
    return response
  }
  return {
    jar,
    async get(url: string, headers: Record<string, string> = {}) {
      return keep(await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(), ...headers } }))
    },
    /** Posts a form as a browser would, with the CSRF token of the last page seen (unless csrf: false). */
    async post(url: string, form: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
      const body = new URLSearchParams()
      for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one)
      if (options.csrf !== false) body.append('_csrf', lastCsrf)
      return keep(await app.inject({
        method: 'POST', url, payload: body.toString(),
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      }))
    },
    async signIn(email: string, password: string) {
      await this.get('/sign-in')
      return this.post('/sign-in', { email, password })
    },
  }
}
