/**
 * Linkage commands:
 *
 *   hearth encode FILE --secret-file KEY --out FILE [--mapping FILE] [--clk] [--balanced] [--xor-fold]
 *       At the agency, offline: replaces names, date of birth, postcode and sex with keyed encodings.
 *       Opens no database and sends nothing anywhere.
 *   hearth import-encoded FILE --agency CODE [--mapping FILE] [--partnership CODE] [--synthetic]
 *       At Hearth: imports an encoded file's episodes and keeps its encodings for linkage.
 *   hearth link [--mode plaintext|encoded] [--partnership CODE] [--json]
 *       Links the partnership's people (with a progress bar on a terminal) and prints the people count as a
 *       range across thresholds.
 *   hearth linkage-bench-data --records N [--seed S] [--agencies N] (--out FILE | --episodes DIR | --default-model)
 *       The deterministic synthetic benchmark data: one CSV with the true person of each record, or one
 *       service-episodes file per agency (importable with hearth import), or the default model trained on it.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import { basename, join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { Kysely } from 'kysely'
import type { SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { progressBar } from '../../ops/progress.ts'
import { openRuntime } from '../../runtime.ts'
import { csvRow } from '../imports/csvSafe.ts'
import { secretFromFile } from './clk.ts'
import { comparator } from './comparisons.ts'
import { encodeFile, importEncodedFile } from './encodedFile.ts'
import { train } from './model.ts'
import { preparePlain } from './prepare.ts'
import { createLinkageService, type RunSummary } from './service.ts'
import { generate } from './synthetic.ts'

class CliError extends Error {}

function operator(): string {
  try {
    return `cli:${os.userInfo().username}`
  } catch {
    return 'cli'
  }
}

async function partnershipFor(db: Kysely<DB>, code: string | undefined): Promise<string> {
  const rows = await db.selectFrom('partnership').select(['partnership_id', 'code']).orderBy('code').execute()
  if (code !== undefined) {
    const found = rows.find(r => r.code === code)
    if (!found) throw new CliError(`There is no partnership with the code "${code}".`)
    return found.partnership_id
  }
  if (rows.length === 1) return rows[0]!.partnership_id
  if (rows.length === 0) throw new CliError('There is no partnership yet: load a profile first (hearth partnership load FILE).')
  throw new CliError(`There are ${rows.length} partnerships: say which with --partnership (${rows.map(r => r.code).join(', ')}).`)
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new CliError(`Cannot read ${file} as JSON: ${(error as Error).message}`)
  }
}

const n = (x: number) => x.toLocaleString('en-GB')

export async function encodeCommand(file: string, options: { secretFile: string; out: string; mapping?: string; clk?: boolean; balanced?: boolean; xorFold?: boolean }, stream: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (resolve(file) === resolve(options.out)) throw new CliError('Write the encoded file somewhere else than the input')
  let secret: Buffer
  try {
    secret = secretFromFile(await readFile(options.secretFile))
  } catch (error) {
    throw new CliError(`The secret file ${options.secretFile} cannot be used: ${(error as Error).message}`)
  }
  const mapping = options.mapping ? await readJson(options.mapping) : undefined
  const bar = progressBar('Encoding', 0, stream)
  try {
    const result = await encodeFile({
      input: resolve(file),
      output: resolve(options.out),
      secret,
      ...(mapping !== undefined ? { mapping } : {}),
      encoder: { clk: options.clk ?? false, balanced: options.balanced ?? false, xorFold: options.xorFold ?? false },
      onProgress: rows => bar.update(rows, rows),
    })
    return [
      `Encoded ${n(result.rows)} rows of ${file} into ${options.out}.`,
      `  removed columns   ${result.removedColumns.join(', ') || 'none (the file had no identifier columns)'}`,
      `  added columns     link_scheme, link_tokens, link_blocks, link_filters, link_clk`,
      `  time              ${result.seconds.toFixed(1)} s (${n(Math.round(result.recordsPerSecond))} rows/s)`,
      'Nothing was sent anywhere. Keep the secret file at the agency: never send it to Hearth.',
    ].join('\n')
  } finally {
    bar.stop()
  }
}

export function describeRun(r: RunSummary): string {
  const range = r.peopleByThreshold
  return [
    `Linked ${n(r.records)} ${r.mode} records: ${n(r.people)} people at the partnership's threshold.`,
    `  people across thresholds  ${range.map(p => `${Math.round(p.threshold * 100)}%: ${n(p.people)}`).join(', ')}`,
    `  candidate pairs scored    ${n(r.candidatePairs)}`,
    `  pairs kept                ${n(r.pairsKept)} (${n(r.reviewQueue)} in the review band)`,
    `  time                      ${r.seconds.toFixed(1)} s`,
  ].join('\n')
}

export async function benchDataCommand(options: { records: string; seed?: string; agencies?: string; out?: string; episodes?: string; defaultModel?: boolean }): Promise<string> {
  const records = Number(options.records)
  if (!Number.isInteger(records) || records < 1) throw new CliError('--records must be a whole number above 0')
  const data = generate({ records, seed: options.seed ?? 42, agencies: options.agencies ? Number(options.agencies) : 10 })
  if (options.defaultModel) {
    const prepared = preparePlain(data.records, { maxYear: 2026 })
    return JSON.stringify(train(prepared.columns, comparator(prepared.columns)), null, 2)
  }
  const write = async (path: string, header: string[], rows: Iterable<unknown[]>) => {
    const out = createWriteStream(path)
    out.write('\uFEFF' + csvRow(header))
    for (const row of rows) if (!out.write(csvRow(row))) await new Promise<void>(r => out.once('drain', () => r()))
    await new Promise<void>(r => out.end(r))
  }
  if (options.out) {
    await write(options.out, ['record_id', 'agency', 'given_name', 'family_name', 'date_of_birth', 'postcode', 'sex', 'true_person'],
      data.records.map(r => [r.key, r.source, r.givenName, r.familyName, r.dateOfBirth, r.postcode, r.sex, r.person]))
    return `Wrote ${n(records)} synthetic records of ${n(data.people)} people (generator v${data.version}, seed ${options.seed ?? 42}) to ${options.out}.`
  }
  if (options.episodes) {
    await mkdir(options.episodes, { recursive: true })
    const service: Record<string, string> = {
      police: 'police', 'idva-service': 'idva', 'refuge-provider': 'refuge', housing: 'housing', 'children-social-care': 'children-social-care',
      marac: 'marac', health: 'health', 'specialist-da-service': 'outreach', 'adult-social-care': 'adult-social-care', probation: 'probation',
      'sexual-violence': 'sexual-violence', helpline: 'other',
    }
    const files: string[] = []
    for (const agency of data.agencies) {
      const path = join(options.episodes, `${agency.code}.csv`)
      const mine = data.records.filter(r => r.source === agency.code)
      const dateOf = (i: number) => `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`
      await write(path, ['record_id', 'person_ref', 'given_name', 'family_name', 'date_of_birth', 'postcode', 'sex', 'service', 'referral_date'],
        mine.map((r, i) => [r.key, r.key, r.givenName, r.familyName, r.dateOfBirth && r.dateOfBirth.length === 10 ? r.dateOfBirth : '', r.postcode, r.sex, service[agency.kind] ?? 'other', dateOf(i)]))
      files.push(`${basename(path)} (${n(mine.length)})`)
    }
    return `Wrote service-episodes files for ${data.agencies.length} agencies to ${options.episodes}: ${files.join(', ')}. Agency codes are the file names.`
  }
  throw new CliError('Say where: --out FILE, --episodes DIR or --default-model')
}

function withDatabase<A extends unknown[]>(fn: (db: Kysely<DB>, engine: 'pglite' | 'postgres', ...args: A) => Promise<string>) {
  return async (...args: A) => {
    const runtime = await openRuntime()
    try {
      const text = await fn(runtime.database.db, runtime.database.engine, ...args)
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error))
      process.exitCode = 1
    } finally {
      await runtime.close()
    }
  }
}

function offline<A extends unknown[]>(fn: (...args: A) => Promise<string>) {
  return async (...args: A) => {
    try {
      const text = await fn(...args)
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error))
      process.exitCode = 1
    }
  }
}

export function registerLinkageCommands(program: Command): void {
  program
    .command('encode')
    .description('at the agency, offline: replace names, date of birth, postcode and sex with keyed encodings (PPRL)')
    .argument('<file>', "the agency's service-episodes file (CSV or XLSX)")
    .requiredOption('--secret-file <file>', 'the secret shared by the agencies (never sent to Hearth)')
    .requiredOption('--out <file>', 'where to write the encoded file')
    .option('--mapping <file>', "the agency's mapping JSON, when the file is in the agency's own layout")
    .option('--clk', 'also write a 1,024-bit record-level CLK per row')
    .option('--balanced', 'balanced CLKs (constant weight)')
    .option('--xor-fold', 'XOR-fold the CLKs to 512 bits')
    .action(offline((file: string, options: { secretFile: string; out: string; mapping?: string; clk?: boolean; balanced?: boolean; xorFold?: boolean }) => encodeCommand(file, options)))

  program
    .command('import-encoded')
    .description("import an encoded service-episodes file: the episodes, and the encodings for linkage")
    .argument('<file>', 'the encoded file from hearth encode')
    .requiredOption('--agency <code>', 'the agency the file comes from')
    .option('--mapping <file>', "the agency's mapping JSON (default: its saved mapping, else the standard layout)")
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .option('--synthetic', 'mark the rows as synthetic (demo or test data)')
    .action(withDatabase(async (db, _engine, file: string, options: { agency: string; mapping?: string; partnership?: string; synthetic?: boolean }) => {
      const who: SystemActor = { label: operator(), partnershipId: await partnershipFor(db, options.partnership) }
      const mapping = options.mapping ? await readJson(options.mapping) : undefined
      const r = await importEncodedFile(db, who, { source: resolve(file), agencyCode: options.agency, ...(mapping !== undefined ? { mapping } : {}), synthetic: options.synthetic ?? false })
      return `Imported ${file} for ${options.agency}: ${n(r.rowsCommitted)} episodes (${n(r.rowsQuarantined)} quarantined), encodings of ${n(r.encodings)} people. Run hearth link --mode encoded to link them.`
    }))

  program
    .command('link')
    .description("link the partnership's records into people, and count them as a range across thresholds")
    .option('--mode <mode>', 'plaintext (data held in Hearth) or encoded (encoded imports)', 'plaintext')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .option('--json', 'print the summary as JSON')
    .action(withDatabase(async (db, _engine, options: { mode: string; partnership?: string; json?: boolean }) => {
      if (options.mode !== 'plaintext' && options.mode !== 'encoded') throw new CliError('--mode is plaintext or encoded')
      const who: SystemActor = { label: operator(), partnershipId: await partnershipFor(db, options.partnership) }
      const labels: Record<string, string> = { loading: 'Loading', blocking: 'Blocking', training: 'Training', scoring: 'Scoring', clustering: 'Clustering', saving: 'Saving' }
      let bar: ReturnType<typeof progressBar> | undefined
      let phase = ''
      try {
        const summary = await createLinkageService({ db }).run(who, {
          mode: options.mode,
          onProgress: (p, done, total) => {
            if (p !== phase) {
              bar?.stop()
              bar = progressBar(labels[p]!.padEnd(10), total, process.stderr)
              phase = p
            }
            bar!.update(done, total)
          },
        })
        bar?.stop()
        return options.json ? JSON.stringify(summary, null, 2) : describeRun(summary)
      } finally {
        bar?.stop()
      }
    }))

  program
    .command('linkage-bench-data')
    .description('the deterministic synthetic linkage benchmark data, with the true person of every record')
    .requiredOption('--records <n>', 'how many records')
    .option('--seed <seed>', 'the seed', '42')
    .option('--agencies <n>', 'how many agencies, 6 to 12', '10')
    .option('--out <file>', 'one CSV with the true person of each record')
    .option('--episodes <dir>', 'one service-episodes file per agency (importable with hearth import)')
    .option('--default-model', 'print the model trained on the data (for defaultModel.ts)')
    .action(offline((options: { records: string; seed?: string; agencies?: string; out?: string; episodes?: string; defaultModel?: boolean }) => benchDataCommand(options)))
}
