/**
 * Logical backup and restore: gzip-compressed NDJSON that works on PGlite and PostgreSQL alike, and
 * across them (a PGlite backup restores into a PostgreSQL server and back).
 *
 * File layout, one JSON value per line:
 *   1. a header: format, version, the schema's migration names, every table with its columns and row
 *      count, and each partnership's audit chain head;
 *   2. for each table in foreign-key order, a `{"$table": name}` line, then one line per row
 *      (PostgreSQL's own to_jsonb of the row, so every type round-trips exactly);
 *   3. an `{"$end": true}` line, so a truncated file is recognised.
 *
 * Rows are read through the owner connection (row-level security does not apply to the table owner)
 * inside one REPEATABLE READ transaction, so the backup is a consistent snapshot.
 */
import { once } from 'node:events'
import fs from 'node:fs'
import readline from 'node:readline'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { type Kysely, sql } from 'kysely'
import { z } from 'zod'
import type { Clock } from '../clock.ts'
import type { DB } from '../db/schema.ts'
import { chainHead } from '../domains/audit/repository.ts'
import { recordAudit } from '../domains/audit/service.ts'
import { verifyAuditChain } from '../domains/audit/verify.ts'
import { appliedMigrations, rowCount, type TableInfo, tablesInDependencyOrder } from './tables.ts'

export const BACKUP_FORMAT = 'hearth-backup'
export const BACKUP_VERSION = 2
const PAGE = 5000
const BATCH = 1000

export class BackupError extends Error {}

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  engine: z.string(),
  migrations: z.array(z.string()),
  tables: z.array(z.object({ name: z.string(), columns: z.array(z.string()), rows: z.number().int().min(0) })),
  auditHeads: z.array(z.object({ partnershipId: z.string(), code: z.string(), entries: z.number(), headHash: z.string() })),
})
export type BackupHeader = z.infer<typeof headerSchema>

export type Progress = (done: number, total: number) => void

export type BackupOptions = { engine: string; operator: string; clock: Clock; onProgress?: Progress }

/**
 * Writes a backup of the whole database to `file`. A BACKUP entry is first added to every
 * partnership's audit log (and is itself in the backup). The file appears only when complete.
 */
export async function writeBackup(db: Kysely<DB>, file: string, options: BackupOptions): Promise<BackupHeader> {
  const partnerships = await db.selectFrom('partnership').select(['partnership_id', 'code']).orderBy('code').execute()
  if (partnerships.length) {
    await db.transaction().execute(async tx => {
      for (const p of partnerships) {
        await recordAudit(tx, { partnershipId: p.partnership_id, label: options.operator }, { action: 'BACKUP', subjectType: 'database' })
      }
    })
  }

  const partial = `${file}.partial`
  const gzip = zlib.createGzip()
  const written = pipeline(gzip, fs.createWriteStream(partial))
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain')
  }
  try {
    const header = await db.transaction().setIsolationLevel('repeatable read').execute(async tx => {
      const tables = await tablesInDependencyOrder(tx)
      const counted = []
      for (const t of tables) counted.push({ name: t.name, columns: t.columns, rows: await rowCount(tx, t.name) })
      const heads = []
      for (const p of partnerships) {
        const head = await chainHead(tx, p.partnership_id)
        if (head) heads.push({ partnershipId: p.partnership_id, code: p.code, entries: head.entries, headHash: head.headHash })
      }
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: options.clock().toISOString(),
        engine: options.engine,
        migrations: await appliedMigrations(tx),
        tables: counted,
        auditHeads: heads,
      }
      await write(`${JSON.stringify(header)}\n`)
      const total = counted.reduce((sum, t) => sum + t.rows, 0)
      let done = 0
      for (const table of tables) {
        await write(`${JSON.stringify({ $table: table.name })}\n`)
        for await (const page of rowPages(tx, table)) {
          await write(`${page.join('\n')}\n`)
          done += page.length
          options.onProgress?.(done, total)
        }
      }
      await write(`${JSON.stringify({ $end: true })}\n`)
      return header
    })
    gzip.end()
    await written
    fs.renameSync(partial, file)
    return header
  } catch (error) {
    gzip.destroy()
    await written.catch(() => undefined)
    fs.rmSync(partial, { force: true })
    throw error
  }
}

/** Rows as JSON text, a page at a time in primary-key order (keyset pagination: no OFFSET). */
async function* rowPages(db: Kysely<any>, table: TableInfo): AsyncGenerator<string[]> {
  const key = sql.join(table.primaryKey.map(k => sql.ref(`t.${k.name}`)))
  let after: string[] | undefined
  for (;;) {
    const where = after
      ? sql`WHERE (${key}) > (${sql.join(table.primaryKey.map((k, i) => sql`${after![i]}::${sql.raw(k.type)}`))})`
      : sql``
    const keyText = sql.join(table.primaryKey.map((k, i) => sql`${sql.ref(`t.${k.name}`)}::text AS ${sql.ref(`k${i}`)}`))
    const result = await sql<Record<string, string>>`
      SELECT to_jsonb(t)::text AS "row", ${keyText}
      FROM ${sql.table(table.name)} AS t ${where}
      ORDER BY ${key} LIMIT ${PAGE}`.execute(db)
    if (result.rows.length === 0) return
    yield result.rows.map(r => r.row!)
    const last = result.rows[result.rows.length - 1]!
    after = table.primaryKey.map((_, i) => last[`k${i}`]!)
    if (result.rows.length < PAGE) return
  }
}

export type RestoreResult = { header: BackupHeader; rows: number; auditEntriesVerified: number }

/** Reads only the header: lets an operator see what a file holds before restoring it. */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  const lines = backupLines(file)
  try {
    const first = await lines.next()
    return parseHeader(first.done ? undefined : first.value)
  } finally {
    await lines.return(undefined)
  }
}

function parseHeader(line: string | undefined): BackupHeader {
  let json: unknown
  try {
    json = JSON.parse(line ?? '')
  } catch {
    throw new BackupError('This is not a Hearth backup: the first line is not a JSON header.')
  }
  const parsed = headerSchema.safeParse(json)
  if (!parsed.success) throw new BackupError(`This is not a Hearth backup this version can read: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

async function* backupLines(file: string): AsyncGenerator<string> {
  if (!fs.existsSync(file)) throw new BackupError(`There is no backup file at ${file}`)
  const input = fs.createReadStream(file).pipe(zlib.createGunzip())
  const lines = readline.createInterface({ input, crlfDelay: Infinity })
  try {
    for await (const line of lines) if (line) yield line
  } catch (error) {
    throw new BackupError(`Cannot read ${file} (not a gzip backup, or damaged): ${(error as Error).message}`)
  } finally {
    lines.close()
    input.destroy()
  }
}

/**
 * Restores a backup into an empty database migrated to the same schema, in one transaction: on any
 * problem (a damaged file, a row the schema refuses, an audit chain that does not verify) nothing is kept.
 *
 * Rows are inserted with user triggers disabled (ALTER TABLE ... DISABLE TRIGGER USER, which the
 * table owner may do, inside the transaction), so audit entries keep their recorded sequence, times and hashes,
 * and trigger-maintained counters their values, exactly rather than recomputed; every chain is then verified and must end at the head in the header.
 * Foreign keys stay checked throughout.
 */
export async function restoreBackup(db: Kysely<DB>, file: string, options: { onProgress?: Progress } = {}): Promise<RestoreResult> {
  const lines = backupLines(file)
  const first = await lines.next()
  const header = parseHeader(first.done ? undefined : first.value)
  try {
    await checkTarget(db, header)
    return await db.transaction().execute(async tx => {
      // Rows go back exactly as they were: no trigger may recompute them (the audit chain, version counters).
      // DISABLE TRIGGER USER leaves the internal triggers that check foreign keys in place.
      for (const t of header.tables) await sql`ALTER TABLE ${sql.table(t.name)} DISABLE TRIGGER USER`.execute(tx)
      const expected = new Map(header.tables.map(t => [t.name, t.rows]))
      const total = header.tables.reduce((sum, t) => sum + t.rows, 0)
      let table: string | undefined
      let batch: string[] = []
      let inTable = 0
      let done = 0
      let ended = false
      const flush = async () => {
        if (!table || batch.length === 0) return
        await sql`INSERT INTO ${sql.table(table)}
          SELECT * FROM jsonb_populate_recordset(NULL::${sql.table(table)}, ${`[${batch.join(',')}]`}::jsonb)`.execute(tx)
        done += batch.length
        batch = []
        options.onProgress?.(done, total)
      }
      const finishTable = async () => {
        await flush()
        if (table && inTable !== expected.get(table)) {
          throw new BackupError(`Table ${table} has ${inTable} rows in the file but the header says ${expected.get(table)}: the file is damaged.`)
        }
      }
      for await (const line of lines) {
        if (ended) throw new BackupError('The backup has data after its end marker: the file is damaged.')
        if (line.startsWith('{"$table":')) {
          await finishTable()
          table = (JSON.parse(line) as { $table: string }).$table
          if (!expected.has(table)) throw new BackupError(`The backup has rows for table ${table}, which its header does not list.`)
          inTable = 0
        } else if (line.startsWith('{"$end":')) {
          await finishTable()
          ended = true
        } else {
          if (!table) throw new BackupError('The backup has a row before any table: the file is damaged.')
          batch.push(line)
          inTable++
          if (batch.length >= BATCH) await flush()
        }
      }
      if (!ended) throw new BackupError('The backup ends early (no end marker): the file is truncated.')
      for (const t of header.tables) await sql`ALTER TABLE ${sql.table(t.name)} ENABLE TRIGGER USER`.execute(tx)
      // The audit log's sequence carries on after the restored entries (its values are not in the backup).
      await sql`SELECT setval('audit_event_seq', coalesce((SELECT max(seq) FROM audit_event), 0) + 1, false)`.execute(tx)

      let auditEntriesVerified = 0
      const partnerships = await tx.selectFrom('partnership').select(['partnership_id', 'code']).execute()
      for (const p of partnerships) {
        const result = await verifyAuditChain(tx, p.partnership_id)
        const recorded = header.auditHeads.find(h => h.partnershipId === p.partnership_id)
        if (result.problems.length) {
          const first = result.problems[0]!
          throw new BackupError(`The restored audit log of ${p.code} does not verify (entry ${first.seq}: ${first.problem}); nothing was restored.`)
        }
        if (result.entries > 0 && recorded?.headHash !== result.headHash) {
          throw new BackupError(`The restored audit log of ${p.code} does not end at the head recorded in the backup; nothing was restored.`)
        }
        auditEntriesVerified += result.entries
      }
      return { header, rows: done, auditEntriesVerified }
    })
  } finally {
    await lines.return(undefined)
  }
}

/** Refuses unless the database is on the backup's schema and holds no rows at all. */
async function checkTarget(db: Kysely<DB>, header: BackupHeader): Promise<void> {
  const migrations = await appliedMigrations(db)
  if (migrations.join(',') !== header.migrations.join(',')) {
    const onlyInBackup = header.migrations.filter(m => !migrations.includes(m))
    const onlyHere = migrations.filter(m => !header.migrations.includes(m))
    throw new BackupError(
      "The backup's schema differs from this database's" +
        (onlyHere.length ? `: the backup was taken before migration ${onlyHere.join(', ')}` : '') +
        (onlyInBackup.length ? `${onlyHere.length ? ';' : ':'} the backup has migration ${onlyInBackup.join(', ')}, which this version of Hearth does not` : '') +
        '. Restore with the Hearth version that took the backup, then upgrade.',
    )
  }
  const tables = await tablesInDependencyOrder(db)
  for (const t of header.tables) {
    const here = tables.find(x => x.name === t.name)
    if (!here || [...here.columns].sort().join(',') !== [...t.columns].sort().join(',')) {
      throw new BackupError(`Table ${t.name} in the backup does not match this database's table of that name.`)
    }
  }
  for (const t of tables) {
    const rows = await rowCount(db, t.name)
    if (rows > 0) {
      throw new BackupError(`This database is not empty (table ${t.name} has ${rows} rows). Restore only into a new, empty database.`)
    }
  }
}
