import { createHash, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Role } from '../../access/roles.ts'
import type { DB } from '../../db/schema.ts'
import { recordAudit } from '../audit/service.ts'
import { type PartnershipProfile, parseProfile } from './profile.ts'

export class ProfileError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`The partnership profile is not valid:\n  - ${problems.join('\n  - ')}`)
    this.problems = problems
  }
}

export type LoadResult = { partnershipId: string; code: string; version: number; unchanged: boolean }

const checksumOf = (profile: unknown) => createHash('sha256').update(JSON.stringify(profile)).digest('hex')

/**
 * Loads a partnership profile: validates it, creates or updates the partnership, its districts,
 * agencies and teams, and stores the profile as a new version. Loading the same profile again changes nothing.
 * Runs on the owner connection (an operator's command), in one transaction.
 */
export async function loadPartnershipProfile(
  db: Kysely<DB>,
  raw: unknown,
  options: { loadedBy: string; isDemo?: boolean },
): Promise<LoadResult> {
  const parsed = parseProfile(raw)
  if (!parsed.ok) throw new ProfileError(parsed.errors)
  const profile = parsed.profile
  const checksum = checksumOf(raw)
  return db.transaction().execute(async tx => {
    const existing = await tx
      .selectFrom('partnership')
      .where('code', '=', profile.partnership.code)
      .select('partnership_id')
      .executeTakeFirst()
    const partnershipId = existing?.partnership_id ?? randomUUID()
    if (existing) {
      await tx.updateTable('partnership').set({ name: profile.partnership.name }).where('partnership_id', '=', partnershipId).execute()
    } else {
      await tx
        .insertInto('partnership')
        .values({ partnership_id: partnershipId, code: profile.partnership.code, name: profile.partnership.name, is_demo: options.isDemo ?? false })
        .execute()
    }
    const latest = await tx
      .selectFrom('partnership_profile')
      .where('partnership_id', '=', partnershipId)
      .select(['version', 'checksum'])
      .orderBy('version', 'desc')
      .executeTakeFirst()
    if (latest?.checksum === checksum) return { partnershipId, code: profile.partnership.code, version: latest.version, unchanged: true }

    for (const d of profile.districts) {
      await tx
        .insertInto('district')
        .values({
          partnership_id: partnershipId,
          code: d.code,
          name: d.name,
          population_all: d.population.all,
          population_16plus: d.population.age16plus,
          population_females_16plus: d.population.females16plus,
          population_source: d.populationSource,
        })
        .onConflict(oc =>
          oc.columns(['partnership_id', 'code']).doUpdateSet(eb => ({
            name: eb.ref('excluded.name'),
            population_all: eb.ref('excluded.population_all'),
            population_16plus: eb.ref('excluded.population_16plus'),
            population_females_16plus: eb.ref('excluded.population_females_16plus'),
            population_source: eb.ref('excluded.population_source'),
          })),
        )
        .execute()
    }
    for (const a of profile.agencies) {
      await tx
        .insertInto('agency')
        .values({ partnership_id: partnershipId, id: randomUUID(), code: a.code, name: a.name, kind: a.kind })
        .onConflict(oc =>
          oc.columns(['partnership_id', 'code']).doUpdateSet(eb => ({ name: eb.ref('excluded.name'), kind: eb.ref('excluded.kind') })),
        )
        .execute()
    }
    const agencyIds = new Map(
      (await tx.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['code', 'id']).execute()).map(a => [a.code, a.id]),
    )
    for (const t of profile.teams) {
      await tx
        .insertInto('team')
        .values({
          partnership_id: partnershipId,
          id: randomUUID(),
          code: t.code,
          name: t.name,
          agency_id: agencyIds.get(t.agencyCode)!,
          kind: t.kind,
          district_codes: t.districtCodes,
        })
        .onConflict(oc =>
          oc.columns(['partnership_id', 'code']).doUpdateSet(eb => ({
            name: eb.ref('excluded.name'),
            agency_id: eb.ref('excluded.agency_id'),
            kind: eb.ref('excluded.kind'),
            district_codes: eb.ref('excluded.district_codes'),
          })),
        )
        .execute()
    }
    const version = (latest?.version ?? 0) + 1
    await tx
      .insertInto('partnership_profile')
      .values({
        partnership_id: partnershipId,
        version,
        profile_version: profile.profileVersion,
        profile: JSON.stringify(profile),
        checksum,
        loaded_by: options.loadedBy,
      })
      .execute()
    await recordAudit(tx, { partnershipId, label: options.loadedBy }, {
      action: 'PROFILE_LOAD',
      subjectType: 'partnership',
      subjectId: partnershipId,
      details: { version, profileVersion: profile.profileVersion },
    })
    return { partnershipId, code: profile.partnership.code, version, unchanged: false }
  })
}

/** The profile in force for each partnership, cached briefly (a load from the CLI shows within a minute). */
export function createProfileCache(db: Kysely<DB>, ttlMs = 60_000) {
  const cache = new Map<string, { at: number; profile: PartnershipProfile }>()
  async function current(partnershipId: string): Promise<PartnershipProfile> {
    const hit = cache.get(partnershipId)
    if (hit && Date.now() - hit.at < ttlMs) return hit.profile
    const row = await db
      .selectFrom('partnership_profile')
      .where('partnership_id', '=', partnershipId)
      .select('profile')
      .orderBy('version', 'desc')
      .executeTakeFirst()
    if (!row) throw new Error(`Partnership ${partnershipId} has no profile loaded`)
    const profile = row.profile as PartnershipProfile
    cache.set(partnershipId, { at: Date.now(), profile })
    return profile
  }
  return {
    current,
    async mayReadSealed(partnershipId: string, roles: readonly Role[]): Promise<boolean> {
      const profile = await current(partnershipId)
      return roles.some(r => profile.sealedFields.readableBy.includes(r))
    },
    clear: () => cache.clear(),
  }
}

export type ProfileCache = ReturnType<typeof createProfileCache>
