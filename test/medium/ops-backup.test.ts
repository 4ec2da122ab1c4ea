import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import type { DB } from '../../src/db/schema.ts'
import { ensureDemoPartnership } from '../../src/demo/seed.ts'
import { chainHead } from '../../src/domains/audit/repository.ts'
import { verifyAuditChain } from '../../src/domains/audit/verify.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { restoreBackup, writeBackup } from '../../src/ops/backup.ts'
import { rowCount, tablesInDependencyOrder } from '../../src/ops/tables.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'

const clock = () => new Date('2026-11-01T09:00:00Z')

/** Every row of every table as PostgreSQL's JSON text (times in UTC), so two databases can be compared exactly. */
async function snapshot(db: Kysely<DB>): Promise<Record<string, string[]>> {
  return db.transaction().execute(async tx => {
    await sql`SET LOCAL TIME ZONE 'UTC'`.execute(tx)
    const out: Record<string, string[]> = {}
    for (const table of await tablesInDependencyOrder(tx)) {
      const key = sql.join(table.primaryKey.map(k => sql.ref(`t.${k.name}`)))
      const rows = await sql<{ row: string }>`SELECT to_jsonb(t)::text AS row FROM ${sql.table(table.name)} t ORDER BY ${key}`.execute(tx)
      out[table.name] = rows.rows.map(r => r.row)
    }
    return out
  })
}

async function heads(db: Kysely<DB>) {
  const partnerships = await db.selectFrom('partnership').select(['partnership_id', 'code']).orderBy('code').execute()
  return Promise.all(partnerships.map(async p => ({ code: p.code, head: await chainHead(db, p.partnership_id) })))
}

/** Rewrites a backup file line by line. */
function rewrite(from: string, to: string, change: (lines: string[]) => string[]) {
  const lines = zlib.gunzipSync(fs.readFileSync(from)).toString('utf8').split('\n')
  fs.writeFileSync(to, zlib.gzipSync(change(lines).join('\n')))
}

describe(`backup and restore (PGlite source, ${engineUnderTest} target)`, () => {
  let source: Database
  const targets: TestDatabase[] = []
  let dir: string
  let file: string
  const freshTarget = async () => {
    const target = await openTestDatabase()
    targets.push(target)
    return target
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-backup-'))
    file = path.join(dir, 'hearth.ndjson.gz')
    // The source is always PGlite, so a run against PostgreSQL also proves a PGlite backup restores there.
    source = await openDatabase({ dataDir: 'memory://' })
    await migrateToLatest(source.db)
    await ensureDemoPartnership(source.db, {
      profilePath: 'profiles/cambridgeshire-peterborough.json',
      seed: 1,
      years: 1,
      scale: 0.05,
      endDate: '2026-10-31',
    })
    const fictional = JSON.parse(fs.readFileSync('profiles/fictional-test.json', 'utf8'))
    await loadPartnershipProfile(source.db, fictional, { loadedBy: 'test' })
  })
  afterAll(async () => {
    await source.close()
    for (const target of targets) await target.drop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('restores every row and the audit log exactly into a fresh database', async () => {
    const header = await writeBackup(source.db, file, { engine: 'pglite', operator: 'test', clock })
    expect(fs.existsSync(file)).toBe(true)
    expect(fs.existsSync(`${file}.partial`)).toBe(false)
    expect(header.tables.find(t => t.name === 'referral')!.rows).toBeGreaterThan(50)

    const target = await freshTarget()
    const result = await restoreBackup(target.db, file)
    expect(result.rows).toBe(header.tables.reduce((sum, t) => sum + t.rows, 0))

    for (const table of await tablesInDependencyOrder(source.db)) {
      expect(await rowCount(target.db, table.name), table.name).toBe(await rowCount(source.db, table.name))
    }
    expect(await snapshot(target.db)).toEqual(await snapshot(source.db))
    expect(await heads(target.db)).toEqual(await heads(source.db))
    for (const { partnership_id } of await target.db.selectFrom('partnership').select('partnership_id').execute()) {
      const verified = await verifyAuditChain(target.db, partnership_id)
      expect(verified.problems).toEqual([])
      expect(verified.headHash).toBe((await chainHead(source.db, partnership_id))!.headHash)
    }
    // The chain carries on from the restored head: the trigger is back on.
    const demo = await target.db.selectFrom('partnership').where('code', '=', 'cambridgeshire-peterborough').select('partnership_id').executeTakeFirstOrThrow()
    const before = (await chainHead(target.db, demo.partnership_id))!
    await target.db.insertInto('audit_event').values({ partnership_id: demo.partnership_id, actor_label: 'test', action: 'AUDIT_VERIFY' }).execute()
    const after = await verifyAuditChain(target.db, demo.partnership_id)
    expect(after.problems).toEqual([])
    expect(after.entries).toBe(before.entries + 1)
  })

  it('refuses to restore into a database that is not empty', async () => {
    await expect(restoreBackup(source.db, file)).rejects.toThrow(/not empty/)
  })

  it('refuses a backup whose audit log was altered, keeping nothing', async () => {
    const altered = path.join(dir, 'altered.ndjson.gz')
    rewrite(file, altered, lines => {
      const start = lines.indexOf('{"$table":"audit_event"}')
      lines[start + 1] = lines[start + 1]!.replace('"actor_label": "', '"actor_label": "someone else, ')
      return lines
    })
    const target = await freshTarget()
    await expect(restoreBackup(target.db, altered)).rejects.toThrow(/does not verify/)
    expect(await rowCount(target.db, 'partnership')).toBe(0)
    expect(await rowCount(target.db, 'person')).toBe(0)
  })

  it('refuses a truncated backup, keeping nothing', async () => {
    const truncated = path.join(dir, 'truncated.ndjson.gz')
    rewrite(file, truncated, lines => lines.slice(0, Math.floor(lines.length / 2)))
    const target = await freshTarget()
    await expect(restoreBackup(target.db, truncated)).rejects.toThrow(/damaged|truncated/)
    expect(await rowCount(target.db, 'partnership')).toBe(0)
  })

  it('refuses a file that is not a backup', async () => {
    const notBackup = path.join(dir, 'profile.json')
    fs.copyFileSync('profiles/fictional-test.json', notBackup)
    const target = await freshTarget()
    await expect(restoreBackup(target.db, notBackup)).rejects.toThrow(/not a gzip backup|damaged/)
    await expect(restoreBackup(target.db, path.join(dir, 'missing.gz'))).rejects.toThrow(/no backup file/)
  })

  it(`round-trips back: a backup of the ${engineUnderTest} copy restores into PGlite`, async () => {
    const copy = targets[0]!
    const second = path.join(dir, 'second.ndjson.gz')
    await writeBackup(copy.db, second, { engine: copy.engine, operator: 'test', clock })
    const back = await openDatabase({ dataDir: 'memory://' })
    try {
      await migrateToLatest(back.db)
      await restoreBackup(back.db, second)
      expect(await snapshot(back.db)).toEqual(await snapshot(copy.db))
    } finally {
      await back.close()
    }
  })
})
