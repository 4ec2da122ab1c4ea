import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import type { Role } from '../../src/access/roles.ts'
import { hashPassword } from '../../src/domains/auth/passwords.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { dashQuestionCodes, type DashAnswers } from '../../src/domains/risk/dash.ts'
import type { Kysely } from 'kysely'
import type { DB } from '../../src/db/schema.ts'
import { openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { testApp, testClock } from '../support/web.ts'

export const password = 'correct horse battery staple'

/** The users of the issue-4 journeys, in the Cambridgeshire & Peterborough profile. */
export const journeyUsers = {
  police: { agency: 'cambridgeshire-constabulary', roles: ['referrer'] },
  health: { agency: 'cpft', roles: ['referrer'] },
  manager: { agency: 'cp-idva-service', roles: ['idva-manager'] },
  idva: { agency: 'cp-idva-service', team: 'high-risk-idva-cambridge', roles: ['idva'] },
  otherIdva: { agency: 'cp-idva-service', team: 'high-risk-idva-fenland', roles: ['idva'] },
  coordinator: { agency: 'cp-idva-service', roles: ['marac-coordinator'] },
  policeRep: { agency: 'cambridgeshire-constabulary', roles: ['marac-representative'] },
  healthRep: { agency: 'cpft', roles: ['marac-representative'] },
  childrenRep: { agency: 'cambridgeshire-childrens-social-care', roles: ['marac-representative'] },
} satisfies Record<string, { agency: string; team?: string; roles: Role[] }>

export type JourneyUser = keyof typeof journeyUsers

/** Loads the Cambridgeshire & Peterborough profile and makes one user per journey role. */
export async function cambridgeshire(database: { db: Kysely<DB> }) {
  const raw = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))
  const loaded = await loadPartnershipProfile(database.db, raw, { loadedBy: 'test' })
  const partnershipId = loaded.partnershipId
  const agencies = new Map((await database.db.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['code', 'id']).execute()).map(a => [a.code, a.id]))
  const teams = new Map((await database.db.selectFrom('team').where('partnership_id', '=', partnershipId).select(['code', 'id']).execute()).map(t => [t.code, t.id]))
  const f = factories(database.db)
  const passwordHash = await hashPassword(password)
  const users = {} as Record<JourneyUser, Actor & { email: string }>
  for (const [name, spec] of Object.entries(journeyUsers) as [JourneyUser, (typeof journeyUsers)[JourneyUser]][]) {
    users[name] = await f.newUser(partnershipId, {
      agencyId: agencies.get(spec.agency)!,
      teamId: 'team' in spec ? teams.get(spec.team)! : null,
      roles: [...spec.roles],
      passwordHash,
      email: `${name.toLowerCase()}@example.org`,
    })
  }
  return { partnershipId, agencies, teams, users }
}

/** DASH answers with the first `yes` questions answered yes and the rest no. */
export const answersWith = (yes: number): DashAnswers =>
  Object.fromEntries(dashQuestionCodes.map((code, i) => [code, i < yes ? 'yes' : 'no']))

/** A whole referral, as the API takes it. */
export function referralBody(options: {
  yes: number
  referralDate: string
  assessedOn?: string
  victim?: Record<string, unknown>
  perpetrator?: Record<string, unknown>
  safeContact?: Record<string, unknown>
}) {
  return {
    victim: {
      givenName: 'Joanna', familyName: 'Nowak-Synthetic', dateOfBirth: '1990-05-17', sex: 'female', genderIdentity: 'woman',
      postcode: 'CB1 2AB', districtCode: 'cambridge', ethnicity: 'white-british', nationality: 'GB', mainLanguage: 'en',
      disability: ['none'], additionalNeeds: false, ...options.victim,
    },
    perpetrators: [{ givenName: 'Mark', familyName: 'Synthetic', dateOfBirth: '1988-02-03', sex: 'male', relationship: 'former-intimate-partner', ...options.perpetrator }],
    children: [
      { givenName: 'Amy', dateOfBirth: '2019-03-04', sex: 'female', livesInHousehold: true },
      { dateOfBirth: '2027-01-15', unborn: true, livesInHousehold: true },
    ],
    household: { householdType: 'single-with-children', livesWithPerpetrator: 'no' },
    details: { referralDate: options.referralDate, referralSource: 'police', stalking: false, consent: 'given', lawfulBasis: 'consent' },
    safeContact: { safeNumber: '07700 900123', safeTimes: 'Weekdays 10:00-12:00', noVoicemail: true, neverWriteHome: true, ...options.safeContact },
    risk: { assessedOn: options.assessedOn ?? options.referralDate, answers: answersWith(options.yes), comments: { 'very-frightened': 'Says she is terrified' } },
  }
}

/** Signs in through the API and returns a function that calls it with the bearer token. */
export async function apiAs(app: import('fastify').FastifyInstance, email: string) {
  const session = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email, password } })
  if (session.statusCode !== 201) throw new Error(`API sign-in failed for ${email}: ${session.statusCode} ${session.body}`)
  const token = session.json().token as string
  return (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }), headers: { authorization: `Bearer ${token}`, ...headers } })
}

/** The value of a hidden input on a page. */
export const hidden = (body: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? ''

/**
 * For one describe block: a test database with the Cambridgeshire & Peterborough profile and its journey users,
 * and the app on a test clock set to `at`. Read its fields inside tests (they are set in beforeAll).
 */
export function journeyApp(at: string) {
  const env = { clock: testClock(new Date(at)) } as {
    database: TestDatabase
    app: FastifyInstance
    setup: Awaited<ReturnType<typeof cambridgeshire>>
    clock: ReturnType<typeof testClock>
  }
  beforeAll(async () => {
    env.database = await openTestDatabase()
    env.setup = await cambridgeshire(env.database)
    env.app = await testApp(env.database, { clock: env.clock })
  })
  afterAll(async () => {
    await env.app?.close()
    await env.database?.drop()
  })
  return env
}
