import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp, testClock } from '../support/web.ts'

const password = 'correct horse battery staple'

describe(`signing in and out on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  const clock = testClock()
  const users: Record<string, string> = {}

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const p = await f.newPartnership()
    const agency = await f.newAgency(p.partnershipId)
    const passwordHash = await hashPassword(password)
    for (const role of ['idva-manager', 'administrator', 'referrer'] as const) {
      users[role] = (await f.newUser(p.partnershipId, { agencyId: agency, roles: [role], passwordHash })).email
    }
    users.locked = (await f.newUser(p.partnershipId, { agencyId: agency, roles: ['idva'], passwordHash })).email
    app = await testApp(database, { clock })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('serves the sign-in page with security headers and no caching', async () => {
    const response = await client(app).get('/sign-in')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('Sign in to Hearth')
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/)
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers['referrer-policy']).toBe('no-referrer')
  })

  it('serves the stylesheets, fonts and scripts to visitors who have not signed in', async () => {
    for (const [url, type] of [
      ['/assets/govuk/govuk-frontend.min.css', 'text/css'],
      ['/assets/moj/moj-frontend.min.css', 'text/css'],
      ['/assets/hearth/hearth.css', 'text/css'],
      ['/assets/hearth/init.js', 'application/javascript'],
      ['/assets/govuk/govuk-frontend.min.js', 'application/javascript'],
      ['/assets/images/favicon.ico', 'image/'],
    ] as const) {
      const response = await client(app).get(url)
      expect(response.statusCode, url).toBe(200)
      expect(String(response.headers['content-type']), url).toContain(type)
    }
  })

  it('sends a signed-out visitor to the sign-in page', async () => {
    const response = await client(app).get('/cases')
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/sign-in')
  })

  it('refuses a form posted without its CSRF token', async () => {
    const c = client(app)
    await c.get('/sign-in')
    const response = await c.post('/sign-in', { email: users['idva-manager']!, password }, { csrf: false })
    expect(response.statusCode).toBe(403)
    expect(response.body).toContain('Your form has expired')
  })

  it('names the missing fields', async () => {
    const c = client(app)
    await c.get('/sign-in')
    const response = await c.post('/sign-in', { email: '', password: '' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('href="#email">Enter your email address')
    expect(response.body).toContain('href="#password">Enter your password')
  })

  it('signs in, shows the partnership and user, and signs out', async () => {
    const c = client(app)
    const wrong = await c.signIn(users['idva-manager']!, 'not the password')
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain('Enter a correct email address and password')

    const signedIn = await c.signIn(users['idva-manager']!, password)
    expect(signedIn.statusCode).toBe(303)
    expect(signedIn.headers.location).toBe('/')
    const cookie = signedIn.cookies.find(k => k.name === 'hearth_session') as { httpOnly?: boolean; sameSite?: string } | undefined
    expect(cookie?.httpOnly).toBe(true)
    expect(cookie?.sameSite).toBe('Lax')

    const home = await c.get('/')
    expect(home.statusCode).toBe(200)
    expect(home.body).toMatch(/Partnership test-/)
    expect(home.body).toContain('href="/cases"')
    expect(home.body).not.toContain('href="/admin/users"')

    const out = await c.post('/sign-out', {})
    expect(out.headers.location).toBe('/sign-in?signed-out=yes')
    expect((await c.get('/')).statusCode).toBe(303)
  })

  it('locks the account after 5 wrong passwords, even against the right one', async () => {
    const c = client(app)
    for (let i = 0; i < 4; i++) expect((await c.signIn(users.locked!, 'wrong password here')).statusCode).toBe(401)
    expect((await c.signIn(users.locked!, 'wrong password here')).statusCode).toBe(423)
    const right = await c.signIn(users.locked!, password)
    expect(right.statusCode).toBe(423)
    expect(right.body).toContain('Your account is locked for 15 minutes')
    clock.advanceMinutes(16)
    expect((await c.signIn(users.locked!, password)).statusCode).toBe(303)
  })

  it('ends a session after 30 idle minutes and says why', async () => {
    const c = client(app)
    await c.signIn(users.referrer!, password)
    expect((await c.get('/')).statusCode).toBe(200)
    clock.advanceMinutes(29)
    expect((await c.get('/')).statusCode).toBe(200)
    clock.advanceMinutes(31)
    const expired = await c.get('/')
    expect(expired.statusCode).toBe(303)
    expect(expired.headers.location).toBe('/sign-in?signed-out=idle')
    const page = await c.get('/sign-in?signed-out=idle')
    expect(page.body).toContain('You were signed out because you had not done anything for a while')
    expect((await c.get('/')).headers.location).toBe('/sign-in')
  })

  it('hides administration from other roles and shows it to administrators', async () => {
    const referrer = client(app)
    await referrer.signIn(users.referrer!, password)
    expect((await referrer.get('/admin/users')).statusCode).toBe(404)
    expect((await referrer.get('/audit')).statusCode).toBe(404)

    const admin = client(app)
    await admin.signIn(users.administrator!, password)
    const list = await admin.get('/admin/users')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain(users.referrer!)
    expect((await admin.get('/audit')).body).toContain('Signed in')
  })

  it('gives the API a bearer token and a JSON case list', async () => {
    const session = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: users['idva-manager']!, password } })
    expect(session.statusCode).toBe(201)
    const token = session.json().token as string
    expect((await app.inject({ method: 'GET', url: '/api/v1/cases' })).statusCode).toBe(401)
    const list = await app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({ rows: [], total: 0, page: 1, nextCursor: null })
    const byCursor = await app.inject({ method: 'GET', url: '/api/v1/cases?after=', headers: { authorization: `Bearer ${token}` } })
    expect(byCursor.statusCode).toBe(200)
    expect(byCursor.json()).toEqual({ rows: [], pageSize: 25, nextCursor: null })
    const forged = await app.inject({ method: 'GET', url: '/api/v1/cases?after=bm90LWEtY3Vyc29y', headers: { authorization: `Bearer ${token}` } })
    expect(forged.statusCode).toBe(400)
    expect(forged.json().message).toContain('after: "bm90LWEtY3Vyc29y" is not a cursor')
    const bad = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: users['idva-manager']!, password: 'nope' } })
    expect(bad.statusCode).toBe(401)
  })

  it('reports database and migration state and publishes OpenAPI', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toMatchObject({ status: 'ok', database: { reachable: true }, migrations: { pending: [] } })
    const openapi = await app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(Object.keys(openapi.json().paths)).toEqual(expect.arrayContaining(['/api/v1/cases', '/api/v1/sessions']))
  })

  it('answers an unknown page with a GOV.UK not-found page', async () => {
    const response = await client(app).get('/no-such-page')
    expect(response.statusCode).toBe(404)
    expect(response.body).toContain('Page not found')
  })
})
