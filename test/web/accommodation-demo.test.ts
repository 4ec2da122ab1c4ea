import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, ensureDemoPartnership } from '../../src/demo/seed.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { client, testApp, testClock } from '../support/web.ts'

const options = { profilePath: 'profiles/cambridgeshire-peterborough.json', seed: 7, years: 1, scale: 0.05, endDate: '2026-10-31' }
const login = (role: string) => `${role}@${DEMO_EMAIL_DOMAIN}`

/** The demo partnership's safe accommodation and Whole Housing Approach pages, as each demo login sees them. */
describe(`the demo's safe accommodation pages on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance

  beforeAll(async () => {
    database = await openTestDatabase()
    await ensureDemoPartnership(database.db, options)
    app = await testApp(database, { clock: testClock(new Date('2026-10-31T10:00:00Z')) })
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('the IDVA and the provider see the synthetic therapy waiting list and its sessions', async () => {
    const idva = client(app)
    await idva.signIn(login('idva'), DEMO_PASSWORD)
    const list = await idva.get('/services/therapy')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('synthetic')
    expect(list.body).toMatch(/data-testid="therapy-summary"[\s\S]*?Children[\s\S]*?Adults/)
    const provider = client(app)
    await provider.signIn(login('therapy-provider'), DEMO_PASSWORD)
    const seen = await provider.get('/services/therapy')
    const ids = [...seen.body.matchAll(/href="\/services\/therapy\/([0-9a-f-]{36})"/g)].map(m => m[1]!)
    expect(ids.length).toBeGreaterThan(0)
    const withSessions = await Promise.all(ids.slice(0, 12).map(id => provider.get(`/services/therapy/${id}`)))
    expect(withSessions.every(p => p.statusCode === 200)).toBe(true)
    expect(withSessions.some(p => /Attended/.test(p.body))).toBe(true)
  })

  it('the housing officer sees the synthetic housing approaches with duties and temporary accommodation', async () => {
    const housing = client(app)
    await housing.signIn(login('housing-officer'), DEMO_PASSWORD)
    const list = await housing.get('/services/housing-approaches')
    expect(list.statusCode).toBe(200)
    expect(list.body).toMatch(/>\s*Approaches\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*30\s*</)
    const id = /href="\/services\/housing-approaches\/([0-9a-f-]{36})"/.exec(list.body)![1]!
    expect((await housing.get(`/services/housing-approaches/${id}`)).statusCode).toBe(200)
  })

  it('the commissioner sees the demo figures with small numbers withheld', async () => {
    const commissioner = client(app)
    await commissioner.signIn(login('commissioner'), DEMO_PASSWORD)
    for (const url of ['/accommodation', '/accommodation/occupancy', '/accommodation/unmet-need']) {
      const page = await commissioner.get(url)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('data-testid="suppression-note"')
    }
  })
})
