import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withActor } from '../../src/db/scope.ts'
import { chainHead } from '../../src/domains/audit/repository.ts'
import { recordAudit } from '../../src/domains/audit/service.ts'
import { verifyAuditLogs } from '../../src/ops/audit.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

describe(`audit verify on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let f: ReturnType<typeof factories>
  beforeAll(async () => {
    database = await openTestDatabase()
    f = factories(database.db)
  })
  afterAll(() => database.drop())

  /** A partnership whose log has `entries` entries, written in one transaction (so in one lane), oldest first. */
  async function partnershipWithLog(entries: number) {
    const p = await f.newPartnership()
    await database.db.transaction().execute(async tx => {
      for (let i = 1; i <= entries; i++) {
        await recordAudit(tx, { partnershipId: p.partnershipId, label: 'test' }, { action: 'CASE_VIEW', subjectType: 'case', subjectId: `case-${i}` })
      }
    })
    const seqs = (await database.db.selectFrom('audit_event').where('partnership_id', '=', p.partnershipId).select('seq').orderBy('seq').execute()).map(r => Number(r.seq))
    return { ...p, seqs }
  }

  /** What an attacker with the owner's credentials could do: switch the guard triggers off for a moment. */
  async function asTamperingOwner(statement: ReturnType<typeof sql>) {
    await database.db.transaction().execute(async tx => {
      await sql`ALTER TABLE audit_event DISABLE TRIGGER USER`.execute(tx)
      await statement.execute(tx)
      await sql`ALTER TABLE audit_event ENABLE TRIGGER USER`.execute(tx)
    })
  }

  it('passes on a clean log, reporting the entries checked and the head hash', async () => {
    const p = await partnershipWithLog(5)
    const [only] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    expect(only!.code).toBe(p.code)
    expect(only!.result.problems).toEqual([])
    expect(only!.result.entries).toBe(5)
    expect(only!.result.headHash).toBe((await chainHead(database.db, p.partnershipId))!.headHash)
  })

  it('verifies every partnership when none is named, reporting progress', async () => {
    await partnershipWithLog(2)
    const progress: number[] = []
    const all = await verifyAuditLogs(database.db, { onProgress: done => progress.push(done) })
    expect(all.length).toBeGreaterThanOrEqual(2)
    expect(all.every(r => r.result.problems.length === 0)).toBe(true)
    expect(progress.at(-1)).toBe(all.reduce((sum, r) => sum + r.result.entries, 0))
  })

  it('reports an entry changed behind the triggers', async () => {
    const p = await partnershipWithLog(4)
    await asTamperingOwner(sql`UPDATE audit_event SET subject_id = 'someone-else' WHERE partnership_id = ${p.partnershipId} AND seq = ${p.seqs[1]}`)
    const [only] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    expect(only!.result.problems).toEqual([{ seq: p.seqs[1], problem: expect.stringMatching(/content has changed/) }])
  })

  it('reports an entry deleted behind the triggers', async () => {
    const p = await partnershipWithLog(4)
    await asTamperingOwner(sql`DELETE FROM audit_event WHERE partnership_id = ${p.partnershipId} AND seq = ${p.seqs[2]}`)
    const [only] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    // The entry after it no longer follows, and its lane has one entry fewer than its head says.
    expect(only!.result.problems.map(x => x.seq)).toContain(p.seqs[3])
    expect(only!.result.problems[0]!.problem).toMatch(/missing/)
  })

  it('reports an entry deleted from the end of its lane, and one moved to another lane', async () => {
    const p = await partnershipWithLog(3)
    await asTamperingOwner(sql`DELETE FROM audit_event WHERE partnership_id = ${p.partnershipId} AND seq = ${p.seqs[2]}`)
    const [end] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    expect(end!.result.problems).toEqual([{ seq: p.seqs[2], problem: expect.stringMatching(/head of chain lane \d does not match its last entry/) }])

    const q = await partnershipWithLog(3)
    const lane = Number((await database.db.selectFrom('audit_event').where('partnership_id', '=', q.partnershipId).select('lane').executeTakeFirstOrThrow()).lane)
    await asTamperingOwner(sql`UPDATE audit_event SET lane = ${(lane + 1) % 8} WHERE partnership_id = ${q.partnershipId} AND seq = ${q.seqs[1]}`)
    const [moved] = await verifyAuditLogs(database.db, { partnershipCode: q.code })
    expect(moved!.result.problems.map(x => x.seq)).toEqual(expect.arrayContaining([q.seqs[1], q.seqs[2]]))
    await asTamperingOwner(sql`UPDATE audit_event SET lane = 42 WHERE partnership_id = ${q.partnershipId} AND seq = ${q.seqs[1]}`)
    const [outside] = await verifyAuditLogs(database.db, { partnershipCode: q.code })
    expect(outside!.result.problems).toContainEqual({ seq: q.seqs[1], problem: expect.stringMatching(/in no chain lane/) })
  })

  // Only a server has concurrent transactions (PGlite has one connection).
  if (engineUnderTest === 'postgres') it('chains concurrent writers in separate lanes, and every lane verifies', async () => {
    // The partnership's first entry makes its lanes (writers of a first entry wait for that one to commit).
    const p = await partnershipWithLog(1)
    // Four transactions hold their audit entry uncommitted at once: none waits for another's commit.
    let release!: () => void
    const held = new Promise<void>(resolve => { release = resolve })
    let inserted = 0
    let allInserted!: () => void
    const everyoneInserted = new Promise<void>(resolve => { allInserted = resolve })
    const writers = Array.from({ length: 4 }, (_, i) => database.db.transaction().execute(async tx => {
      await recordAudit(tx, { partnershipId: p.partnershipId, label: 'test' }, { action: 'CASE_VIEW', subjectType: 'case', subjectId: `writer-${i}` })
      if (++inserted === 4) allInserted()
      await held
    }))
    await Promise.race([everyoneInserted, new Promise((_, reject) => setTimeout(() => reject(new Error('writers waited for each other')), 10_000))])
    release()
    await Promise.all(writers)
    const lanes = await database.db.selectFrom('audit_event').where('partnership_id', '=', p.partnershipId).select('lane').distinct().execute()
    expect(lanes.length).toBeGreaterThanOrEqual(4)
    const [only] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    expect(only!.result).toMatchObject({ entries: 5, problems: [] })
  })

  it('names an unknown partnership', async () => {
    await expect(verifyAuditLogs(database.db, { partnershipCode: 'no-such-partnership' })).rejects.toThrow(/no partnership with code "no-such-partnership"/)
  })

  it('the database refuses UPDATE, DELETE and TRUNCATE of the log, even for the owner', async () => {
    const p = await partnershipWithLog(2)
    const where = sql`partnership_id = ${p.partnershipId} AND seq = ${p.seqs[0]}`
    await expect(sql`UPDATE audit_event SET reason = 'x' WHERE ${where}`.execute(database.db)).rejects.toThrow(/append-only: UPDATE is refused/)
    await expect(sql`DELETE FROM audit_event WHERE ${where}`.execute(database.db)).rejects.toThrow(/append-only: DELETE is refused/)
    await expect(sql`TRUNCATE audit_event`.execute(database.db)).rejects.toThrow(/append-only: TRUNCATE is refused/)
    // The application role has no UPDATE privilege at all.
    const agency = await f.newAgency(p.partnershipId)
    const admin = await f.newUser(p.partnershipId, { agencyId: agency, roles: ['administrator'] })
    await expect(
      withActor(database.db, admin, tx => sql`UPDATE audit_event SET reason = 'x' WHERE ${where}`.execute(tx)),
    ).rejects.toThrow(/permission denied/)
    const [only] = await verifyAuditLogs(database.db, { partnershipCode: p.code })
    expect(only!.result.problems).toEqual([])
  })
})
