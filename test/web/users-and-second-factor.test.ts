import type { FastifyInstance } from 'fastify'
import { generate } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { client, testApp } from '../support/web.ts'

const password = 'administrators choose well'

describe(`user administration and the second factor on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let app: FastifyInstance
  let adminEmail = ''
  let agencyCode = ''

  beforeAll(async () => {
    database = await openTestDatabase()
    const f = factories(database.db)
    const p = await f.newPartnership()
    const agency = await f.newAgency(p.partnershipId)
    agencyCode = (await database.db.selectFrom('agency').where('id', '=', agency).select('code').executeTakeFirstOrThrow()).code
    adminEmail = (await f.newUser(p.partnershipId, { agencyId: agency, roles: ['administrator'], passwordHash: await hashPassword(password) })).email
    app = await testApp(database)
  })
  afterAll(async () => {
    await app?.close()
    await database.drop()
  })

  it('adds a user, naming every problem first', async () => {
    const admin = client(app)
    await admin.signIn(adminEmail, password)
    await admin.get('/admin/users/new')
    const bad = await admin.post('/admin/users/new', { displayName: '', email: 'not-an-email', agencyCode: '', password: 'short' })
    expect(bad.statusCode).toBe(400)
    for (const field of ['displayName', 'email', 'roles']) expect(bad.body).toContain(`href="#${field}"`)
    expect(bad.body).toContain('value="not-an-email"')

    const ok = await admin.post('/admin/users/new', {
      displayName: 'Amina Shah', email: 'amina.shah@example.org', agencyCode, roles: ['idva', 'referrer'], password: 'a brand new passphrase',
    })
    expect(ok.statusCode).toBe(303)
    const list = await admin.get('/admin/users')
    expect(list.body).toContain('Amina Shah')

    const newcomer = client(app)
    expect((await newcomer.signIn('amina.shah@example.org', 'a brand new passphrase')).statusCode).toBe(303)
  })

  it('tells the second of two administrators editing one user that the first changed it', async () => {
    const first = client(app)
    const second = client(app)
    await first.signIn(adminEmail, password)
    await second.signIn(adminEmail, password)
    const list = await first.get('/admin/users')
    const userPath = /href="(\/admin\/users\/[0-9a-f-]{36})">Amina Shah/.exec(list.body)![1]!
    const pageA = await first.get(userPath)
    const pageB = await second.get(userPath)
    const version = /name="version" value="(\d+)"/.exec(pageA.body)![1]!
    expect(/name="version" value="(\d+)"/.exec(pageB.body)![1]).toBe(version)

    expect((await first.post(userPath, { version, roles: ['idva-manager'], isActive: 'yes' })).statusCode).toBe(303)
    const clash = await second.post(userPath, { version, roles: ['analyst'], isActive: 'yes' })
    expect(clash.statusCode).toBe(409)
    expect(clash.body).toContain('Someone else changed this user while you were editing')
    // The first administrator's change stands, and is what the second now sees.
    expect(clash.body).toMatch(/value="idva-manager" checked/)
  })

  /** A six-digit code that is not valid for the secret at any time step near now (so the test cannot pass by luck). */
  async function wrongCode(secret: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const valid = new Set(await Promise.all([-90, -60, -30, 0, 30, 60, 90].map(d => generate({ secret, epoch: now + d }))))
    for (let n = 0; ; n++) {
      const code = String(n).padStart(6, '0')
      if (!valid.has(code)) return code
    }
  }

  it('turns on a TOTP second factor and then asks for it at sign in', async () => {
    const user = client(app)
    await user.signIn('amina.shah@example.org', 'a brand new passphrase')
    const setup = await user.get('/account/second-factor')
    const secret = /data-testid="totp-key">([A-Z2-7 ]+)</.exec(setup.body)![1]!.replace(/ /g, '')
    const wrong = await user.post('/account/second-factor', { code: await wrongCode(secret) })
    expect(wrong.statusCode).toBe(400)
    const on = await user.post('/account/second-factor', { code: await generate({ secret }) })
    expect(on.headers.location).toBe('/account?second-factor=on')

    const later = client(app)
    const first = await later.signIn('amina.shah@example.org', 'a brand new passphrase')
    expect(first.headers.location).toBe('/sign-in/second-factor')
    expect((await later.get('/')).headers.location).toBe('/sign-in/second-factor')
    await later.get('/sign-in/second-factor')
    expect((await later.post('/sign-in/second-factor', { code: await wrongCode(secret) })).statusCode).toBe(401)
    const done = await later.post('/sign-in/second-factor', { code: await generate({ secret }) })
    expect(done.headers.location).toBe('/')
    expect((await later.get('/')).statusCode).toBe(200)
  })
})
