import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Kysely } from 'kysely'
import type { Actor } from '../../src/access/actor.ts'
import type { Role } from '../../src/access/roles.ts'
import type { DB } from '../../src/db/schema.ts'

/**
 * The small fictional profile, as a partnership's stored profile: every rule the services read (risk bands,
 * repeat windows, engagement, suppression) is there. Sealed fields are readable by IDVAs and their managers.
 */
export const testProfile = (sealedReadableBy: Role[] = ['idva', 'idva-manager']) => ({
  ...(JSON.parse(readFileSync(new URL('../../profiles/fictional-test.json', import.meta.url), 'utf8')) as Record<string, unknown>),
  sealedFields: { readableBy: sealedReadableBy },
})

/**
 * Factories that insert rows through the owner connection, for medium tests.
 * Every row they make is marked synthetic where the table allows.
 */
export function factories(db: Kysely<DB>) {
  let counter = 0
  const next = () => ++counter

  async function newPartnership(code = `test-${randomUUID().slice(0, 8)}`) {
    const partnershipId = randomUUID()
    await db.insertInto('partnership').values({ partnership_id: partnershipId, code, name: `Partnership ${code}`, is_demo: true }).execute()
    await db
      .insertInto('partnership_profile')
      .values({
        partnership_id: partnershipId,
        version: 1,
        profile_version: 'test',
        profile: JSON.stringify(testProfile()),
        checksum: 'test',
        loaded_by: 'test',
      })
      .execute()
    await db
      .insertInto('district')
      .values({
        partnership_id: partnershipId,
        code: 'north',
        name: 'North',
        population_all: 100_000,
        population_16plus: 80_000,
        population_females_16plus: 41_000,
        population_source: 'synthetic',
      })
      .execute()
    return { partnershipId, code }
  }

  async function newAgency(partnershipId: string, kind = 'idva-service') {
    const id = randomUUID()
    await db.insertInto('agency').values({ partnership_id: partnershipId, id, code: `agency-${next()}`, name: `Agency ${counter}`, kind }).execute()
    return id
  }

  async function newTeam(partnershipId: string, agencyId: string) {
    const id = randomUUID()
    await db
      .insertInto('team')
      .values({ partnership_id: partnershipId, id, code: `team-${next()}`, name: `Team ${counter}`, agency_id: agencyId, kind: 'specialist' })
      .execute()
    return id
  }

  async function newUser(
    partnershipId: string,
    options: { agencyId: string; teamId?: string | null; roles: Role[]; email?: string; passwordHash?: string | null },
  ): Promise<Actor & { email: string }> {
    const id = randomUUID()
    const email = options.email ?? `user${next()}-${id.slice(0, 6)}@example.org`
    await db
      .insertInto('app_user')
      .values({
        partnership_id: partnershipId,
        id,
        email,
        display_name: `User ${counter}`,
        agency_id: options.agencyId,
        team_id: options.teamId ?? null,
        password_hash: options.passwordHash ?? null,
        is_synthetic: true,
      })
      .execute()
    await db.insertInto('user_role').values(options.roles.map(role => ({ partnership_id: partnershipId, user_id: id, role }))).execute()
    return {
      partnershipId,
      userId: id,
      agencyId: options.agencyId,
      teamId: options.teamId ?? null,
      roles: options.roles,
      displayName: `User ${counter}`,
      mayReadSealed: options.roles.some(r => r === 'idva' || r === 'idva-manager'),
      email,
    }
  }

  async function newCase(
    partnershipId: string,
    options: { agencyId: string; referringAgencyId: string; teamId?: string | null; allocatedUserId?: string | null; givenName?: string },
  ) {
    const personId = randomUUID()
    const referralId = randomUUID()
    const caseId = randomUUID()
    await db
      .insertInto('person')
      .values({
        partnership_id: partnershipId,
        id: personId,
        given_name: options.givenName ?? `Given${next()}`,
        family_name: 'Synthetic',
        date_of_birth: '1990-05-17',
        sex: 'female',
        postcode: 'CB1 2AB',
        is_synthetic: true,
      })
      .execute()
    await db
      .insertInto('referral')
      .values({
        partnership_id: partnershipId,
        id: referralId,
        victim_id: personId,
        referral_date: '2026-01-10',
        referring_agency_id: options.referringAgencyId,
        referral_source: 'police',
        is_synthetic: true,
      })
      .execute()
    await db
      .insertInto('support_case')
      .values({
        partnership_id: partnershipId,
        id: caseId,
        reference: `HC-${next()}-${caseId.slice(0, 4)}`,
        referral_id: referralId,
        person_id: personId,
        agency_id: options.agencyId,
        team_id: options.teamId ?? null,
        allocated_user_id: options.allocatedUserId ?? null,
        opened_on: '2026-01-11',
        is_synthetic: true,
      })
      .execute()
    return { personId, referralId, caseId }
  }

  return { newPartnership, newAgency, newTeam, newUser, newCase }
}
