import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor, SystemActor } from '../../src/access/actor.ts'
import { withActor } from '../../src/db/scope.ts'
import { NotFoundError } from '../../src/domains/cases/service.ts'
import { clusterIdsForAgencyPeople, clusterIdsForPeople, createLinkageService, LinkageError, type LinkageService } from '../../src/domains/linkage/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

type Person = { given: string | null; family: string | null; dob: string | null; postcode: string | null; sex: string | null }

describe(`record linkage in the database on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let linkage: LinkageService

  beforeAll(async () => {
    database = await openTestDatabase()
    linkage = createLinkageService({ db: database.db })
  })
  afterAll(() => database.drop())

  /** A partnership with two agencies, people in the app and agencies' episodes. */
  async function setUp() {
    const db = database.db
    const f = factories(db)
    const { partnershipId } = await f.newPartnership()
    const police = await f.newAgency(partnershipId, 'police')
    const idva = await f.newAgency(partnershipId, 'idva-service')
    const admin = await f.newUser(partnershipId, { agencyId: idva, roles: ['administrator'] })
    const analyst = await f.newUser(partnershipId, { agencyId: idva, roles: ['analyst'] })
    const idvaWorker = await f.newUser(partnershipId, { agencyId: idva, roles: ['idva'] })
    const system: SystemActor = { label: 'cli:test', partnershipId }
    const person = async (p: Person) => {
      const id = randomUUID()
      await db.insertInto('person').values({ partnership_id: partnershipId, id, given_name: p.given, family_name: p.family, date_of_birth: p.dob, postcode: p.postcode, sex: p.sex, is_synthetic: true }).execute()
      return id
    }
    const batch = randomUUID()
    let n = 0
    const episode = async (agencyId: string, ref: string, p: Person) => {
      await db.insertInto('service_episode').values({
        partnership_id: partnershipId, agency_id: agencyId, record_id: `r${++n}`, person_ref: ref, given_name: p.given, family_name: p.family,
        date_of_birth: p.dob, postcode: p.postcode, sex: p.sex, referral_date: '2026-03-01', batch_id: batch, is_synthetic: true,
      } as never).execute()
    }
    const kasia = await person({ given: 'Katarzyna', family: 'Kowalska', dob: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' })
    const kasia2 = await person({ given: 'Kasia', family: 'Kowalska', dob: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' })
    const sarah = await person({ given: 'Sarah', family: 'Smith', dob: '1990-01-20', postcode: 'CB1 1AA', sex: 'female' })
    await episode(police, 'P-1', { given: 'Katarzyna', family: 'KOWALSKA', dob: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' })
    await episode(police, 'P-1', { given: 'Katarzyna', family: 'Kowalska', dob: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' })
    await episode(idva, 'I-7', { given: 'Kasia', family: 'Nowak', dob: '1985-12-06', postcode: 'PE1 9XY', sex: 'female' })
    await episode(police, 'P-2', { given: 'John', family: 'Ashworth', dob: '1970-03-03', postcode: 'CB2 2BB', sex: 'male' })
    await episode(idva, 'I-8', { given: 'Jon', family: 'Ashwurth', dob: null, postcode: 'CB2 9XX', sex: 'male' })
    await episode(idva, 'I-9', { given: 'Priya', family: 'Patel', dob: '1979-11-02', postcode: 'PE3 3CC', sex: 'female' })
    return { partnershipId, police, idva, admin, analyst, idvaWorker, system, people: { kasia, kasia2, sarah } }
  }

  const cluster = (partnershipId: string, key: string) =>
    database.db.selectFrom('linkage_record').where('partnership_id', '=', partnershipId).where('record_key', '=', key).select('cluster_id').executeTakeFirstOrThrow().then(r => r.cluster_id)

  it('links people in the app with agencies\u2019 episodes, and counts people as a range', async () => {
    const s = await setUp()
    const run = await linkage.run(s.system)
    expect(run.records).toBe(3 + 5) // three people, five agency people (P-1 has two episodes)
    expect(run.peopleByThreshold.length).toBeGreaterThan(1)
    const counts = run.peopleByThreshold.map(p => p.people)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    const kasia = await cluster(s.partnershipId, `p:${s.people.kasia}`)
    expect(await cluster(s.partnershipId, `e:${s.police}:P-1`)).toBe(kasia)
    expect(await cluster(s.partnershipId, `p:${s.people.kasia2}`)).toBe(kasia)
    expect(await cluster(s.partnershipId, `p:${s.people.sarah}`)).not.toBe(kasia)
    expect(await cluster(s.partnershipId, `e:${s.idva}:I-9`)).not.toBe(kasia)

    // for reports and repeats: person ids and agency people to cluster ids, and the SQL function
    const ids = await clusterIdsForPeople(database.db, s.partnershipId, [s.people.kasia, s.people.kasia2, s.people.sarah, randomUUID()])
    expect(ids.get(s.people.kasia)).toBe(ids.get(s.people.kasia2))
    expect(ids.get(s.people.sarah)).not.toBe(ids.get(s.people.kasia))
    expect(ids.size).toBe(4)
    const byRef = await clusterIdsForAgencyPeople(database.db, s.partnershipId, [{ agencyId: s.police, personRef: 'P-1' }])
    expect(byRef.get(`${s.police}:P-1`)).toBe(kasia)
    const linked = await withActor(database.db, s.idvaWorker, tx => sql<{ id: string }>`SELECT hearth_linked_people(${s.people.kasia}::uuid) AS id`.execute(tx))
    expect(linked.rows.map(r => r.id).sort()).toEqual([s.people.kasia, s.people.kasia2].sort())

    // intake's possible-match with the partnership's model, as a referrer (who may read the model, not the clusters)
    const referrer = await factories(database.db).newUser(s.partnershipId, { agencyId: s.police, roles: ['referrer'] })
    const found = await withActor(database.db, referrer, tx => linkage.possibleMatchesFor(tx, s.partnershipId,
      { givenName: 'Kasia', familyName: 'Kowalska', dateOfBirth: '1985-06-12' },
      [{ id: 'x', givenName: 'Katarzyna', familyName: 'Kowalska', dateOfBirth: '1985-06-12', postcode: 'PE1 2AB' }, { id: 'y', givenName: 'Sarah', familyName: 'Smith', dateOfBirth: '1990-01-20' }]))
    expect(found.map(m => m.candidate.id)).toEqual(['x'])
    expect(found[0]!.aboveMatchThreshold).toBe(true)

    // the run is recorded with its model, without personal data
    const stored = await database.db.selectFrom('linkage_run').where('partnership_id', '=', s.partnershipId).selectAll().executeTakeFirstOrThrow()
    expect(stored.status).toBe('completed')
    expect(JSON.stringify(stored)).not.toMatch(/kowalsk|katarzyna/i)
  })

  it('queues uncertain pairs for review, shows only what the reviewer may see, and audits decisions that can be undone', async () => {
    const s = await setUp()
    // a wide review band so the test data gives a queue
    await linkage.updateSettings(s.admin, { matchThreshold: 0.999999, reviewThreshold: 0.001, conflictBelow: 0, countThresholds: [0.5, 0.9] })
    await linkage.run(s.system)
    const queue = await linkage.queue(s.analyst)
    expect(queue.total).toBeGreaterThan(0)
    const john = `e:${s.police}:P-2`
    const jon = `e:${s.idva}:I-8`
    const pair = queue.pairs.find(p => [p.a, p.b].sort().join() === [john, jon].sort().join())
    expect(pair, 'the John/Jon pair is uncertain').toBeDefined()
    expect(await cluster(s.partnershipId, john)).not.toBe(await cluster(s.partnershipId, jon))

    // side by side: episodes are visible to the analyst (report scope); app people are not
    const view = await linkage.reviewPair(s.analyst, pair!.a, pair!.b)
    expect(view.records.every(r => r.values !== null)).toBe(true)
    expect(view.records.flatMap(r => r.values!.map(v => v.value))).toContain('Ashworth')
    const withPerson = queue.pairs.find(p => p.a.startsWith('p:') || p.b.startsWith('p:'))
    if (withPerson) {
      const v = await linkage.reviewPair(s.analyst, withPerson.a, withPerson.b)
      const personSide = v.records.find(r => r.key.startsWith('p:'))!
      expect(personSide.values).toBeNull()
      expect(personSide.note).toMatch(/may not see/)
    }
    const viewAudit = await database.db.selectFrom('audit_event').where('partnership_id', '=', s.partnershipId).where('subject_type', '=', 'linkage-pair').selectAll().execute()
    expect(viewAudit.length).toBeGreaterThan(0)
    expect(viewAudit[0]!.action).toBe('LINKAGE_PAIR_VIEW')
    expect(viewAudit[0]!.fields).toEqual(expect.arrayContaining(['givenName', 'familyName']))

    // a reviewer decides they are the same: linked, audited
    const { id } = await linkage.decide(s.analyst, pair!.a, pair!.b, 'same', 'same address history')
    expect(await cluster(s.partnershipId, john)).toBe(await cluster(s.partnershipId, jon))
    const decisionAudit = await database.db.selectFrom('audit_event').where('partnership_id', '=', s.partnershipId).where('subject_type', '=', 'linkage-decision').selectAll().execute()
    expect(decisionAudit).toHaveLength(1)
    expect(decisionAudit[0]!.action).toBe('LINKAGE_DECISION')
    expect(decisionAudit[0]!.reason).toBe('same address history')
    expect((await linkage.queue(s.analyst)).pairs.some(p => p.a === pair!.a && p.b === pair!.b)).toBe(false)

    // undone: apart again, nothing lost
    await linkage.withdraw(s.analyst, id, 'decided too quickly')
    expect(await cluster(s.partnershipId, john)).not.toBe(await cluster(s.partnershipId, jon))
    const decisions = await linkage.decisions(s.analyst)
    expect(decisions.map(d => d.status)).toEqual(['withdrawn'])

    // "different people" keeps a linked pair apart, and survives the next run
    const kasiaKey = `p:${s.people.kasia}`
    const policeKey = `e:${s.police}:P-1`
    await linkage.updateSettings(s.admin, { matchThreshold: 0.9, reviewThreshold: 0.001, conflictBelow: 0, countThresholds: [0.5, 0.9] })
    await linkage.run(s.system)
    expect(await cluster(s.partnershipId, kasiaKey)).toBe(await cluster(s.partnershipId, policeKey))
    await linkage.decide(s.analyst, kasiaKey, policeKey, 'different', null)
    expect(await cluster(s.partnershipId, kasiaKey)).not.toBe(await cluster(s.partnershipId, policeKey))
    await linkage.run(s.system)
    expect(await cluster(s.partnershipId, kasiaKey)).not.toBe(await cluster(s.partnershipId, policeKey))
  })

  it('keeps the review queue to reviewers and to their partnership', async () => {
    const s = await setUp()
    const other = await setUp()
    await linkage.updateSettings(s.admin, { matchThreshold: 0.999999, reviewThreshold: 0.001, conflictBelow: 0, countThresholds: [0.5] })
    await linkage.run(s.system)
    await expect(linkage.queue(s.idvaWorker)).rejects.toBeInstanceOf(NotFoundError)
    const mine = await linkage.queue(s.analyst)
    expect(mine.total).toBeGreaterThan(0)
    const theirs = await linkage.queue(other.analyst)
    expect(theirs.total).toBe(0)
    await expect(linkage.reviewPair(other.analyst, mine.pairs[0]!.a, mine.pairs[0]!.b)).rejects.toBeInstanceOf(NotFoundError)
    // the application role can never read encodings
    await expect(withActor(database.db, s.analyst, tx => tx.selectFrom('linkage_encoded_record').selectAll().execute())).rejects.toThrow(/permission denied/)
  })

  it('lets only whoever configures the partnership change thresholds, and checks them', async () => {
    const s = await setUp()
    await expect(linkage.updateSettings(s.analyst as Actor, { matchThreshold: 0.9, reviewThreshold: 0.5, conflictBelow: 0.05, countThresholds: [0.5] })).rejects.toBeInstanceOf(LinkageError)
    await expect(linkage.updateSettings(s.admin, { matchThreshold: 0.4, reviewThreshold: 0.5, conflictBelow: 0.05, countThresholds: [0.5] })).rejects.toThrow(/review threshold/)
    const saved = await linkage.updateSettings(s.admin, { matchThreshold: 0.95, reviewThreshold: 0.6, conflictBelow: 0.01, countThresholds: [0.6, 0.95] })
    expect(await linkage.settings(s.analyst)).toEqual(saved)
    const audit = await database.db.selectFrom('audit_event').where('partnership_id', '=', s.partnershipId).where('subject_type', '=', 'linkage-settings').select('action').execute()
    expect(audit.map(a => a.action)).toEqual(['LINKAGE_SETTINGS_UPDATE'])
  })
})
