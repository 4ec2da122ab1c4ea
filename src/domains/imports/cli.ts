/**
 * Analyst commands for imports and data quality:
 *
 *   hearth import FILE --agency CODE [--mapping FILE] [--dataset service-episodes|police-aggregates] [--dry-run] [--json]
 *                      [--errors FILE] [--partnership CODE] [--synthetic]
 *   hearth mapping save --agency CODE FILE [--partnership CODE]
 *   hearth mapping list [--agency CODE] [--partnership CODE]
 *   hearth quality --from DATE --to DATE [--format json|csv|html] [--out FILE] [--partnership CODE]
 *
 * They run on the owner connection as the operating-system user (recorded in the audit log as cli:NAME).
 * `--partnership` may be left out when the database holds one partnership.
 */
import { createWriteStream } from 'node:fs'
import { readFile, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { basename, resolve } from 'node:path'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import type { Kysely } from 'kysely'
import type { SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { openRuntime } from '../../runtime.ts'
import { isDatasetName } from '../../standard/serviceEpisodes.ts'
import { createQualityService } from '../quality/service.ts'
import { qualityCsv, qualityHtml } from '../quality/render.ts'
import { importPoliceAggregates } from './aggregates.ts'
import { csvRow } from './csvSafe.ts'
import { ImportFileError } from './errors.ts'
import { type ImportPhaseProgress, createImportService } from './service.ts'
import { openTable } from './reader.ts'
import { ENCODED_COLUMNS } from '../linkage/clk.ts'
import { importEncodedFile } from '../linkage/encodedFile.ts'

export interface CliContext {
  readonly db: Kysely<DB>
  readonly engine: 'pglite' | 'postgres'
  /** Normal output (stdout). */
  readonly out: (text: string) => void
  /** Where a progress bar may be drawn: only when it is a terminal. */
  readonly progressStream?: NodeJS.WriteStream
  readonly actorLabel?: string
}

export class CliError extends Error {}

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
    const found = rows.find((r) => r.code === code)
    if (!found) throw new CliError(`There is no partnership with the code "${code}". Partnerships: ${rows.map((r) => r.code).join(', ') || 'none'}.`)
    return found.partnership_id
  }
  if (rows.length === 1) return rows[0]!.partnership_id
  if (rows.length === 0) throw new CliError('There is no partnership yet: load a profile first (hearth partnership load FILE).')
  throw new CliError(`There are ${rows.length} partnerships: say which with --partnership (${rows.map((r) => r.code).join(', ')}).`)
}

async function system(ctx: CliContext, partnership: string | undefined): Promise<SystemActor> {
  return { label: ctx.actorLabel ?? operator(), partnershipId: await partnershipFor(ctx.db, partnership) }
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${what} ${file} is not valid JSON: ${(error as Error).message}`)
  }
}

/** A bar for reading (by bytes) then committing (by rows), drawn only on a terminal. */
function progressDisplay(stream: NodeJS.WriteStream | undefined) {
  if (!stream?.isTTY) return { update: (_: ImportPhaseProgress) => undefined, stop: () => undefined }
  let bar: cliProgress.SingleBar | undefined
  let phase: string | undefined
  const start = (label: string, total: number, detail: string) => {
    bar?.stop()
    bar = new cliProgress.SingleBar(
      { format: `${label.padEnd(10)} [{bar}] {percentage}% | {detail}`, hideCursor: true, stream, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    )
    bar.start(Math.max(total, 1), 0, { detail })
  }
  return {
    update(p: ImportPhaseProgress) {
      if (p.phase === 'reading') {
        if (phase !== 'reading') start('Reading', p.totalBytes ?? 1, '0 rows')
        phase = 'reading'
        bar!.update(p.totalBytes ? p.bytesRead : 0, { detail: `${p.rowsRead.toLocaleString('en-GB')} rows` })
      } else {
        if (phase !== 'committing') start('Committing', p.rowsToCommit, `0 of ${p.rowsToCommit.toLocaleString('en-GB')} rows`)
        phase = 'committing'
        bar!.update(p.rowsCommitted, { detail: `${p.rowsCommitted.toLocaleString('en-GB')} of ${p.rowsToCommit.toLocaleString('en-GB')} rows` })
      }
    },
    stop() {
      bar?.stop()
    },
  }
}

export interface ImportOptions {
  readonly agency: string
  readonly mapping?: string
  readonly dataset?: string
  readonly partnership?: string
  readonly dryRun?: boolean
  readonly errors?: string
  readonly json?: boolean
  readonly synthetic?: boolean
}

export interface ImportCommandResult {
  readonly file: string
  readonly agency: string
  readonly dryRun: boolean
  readonly batchId: string | null
  readonly mappingVersion: number
  readonly rowsRead: number
  readonly rowsCommitted: number
  readonly rowsQuarantined: number
  readonly errorCount: number
  readonly errorReport: string | null
  readonly unmappedValues: readonly { column: string; values: readonly string[] }[]
  readonly warnings: readonly string[]
  readonly seconds: number
}

const defaultErrorReport = (file: string) => resolve(`${basename(file).replace(/\.[^.]+$/, '')}.errors.csv`)

export async function importCommand(ctx: CliContext, file: string, options: ImportOptions): Promise<ImportCommandResult> {
  const started = performance.now()
  const dataset = options.dataset ?? 'service-episodes'
  if (!isDatasetName(dataset)) throw new CliError(`Unknown dataset "${dataset}": use service-episodes or police-aggregates.`)
  const who = await system(ctx, options.partnership)
  const mapping = options.mapping ? await readJson(options.mapping, 'The mapping') : undefined
  if (dataset === 'police-aggregates') return policeAggregatesCommand(ctx, who, file, options, mapping, started)
  // A file from `hearth encode` (names replaced by keyed encodings) goes in with its encodings for linkage.
  if (!options.dryRun && (await isEncodedFile(resolve(file), mapping))) return encodedCommand(ctx, who, file, options, mapping, started)
  const service = createImportService({ db: ctx.db, engine: ctx.engine })
  const progress = progressDisplay(ctx.progressStream)
  const reportPath = options.errors ?? defaultErrorReport(file)
  const base = { source: resolve(file), fileName: basename(file), agencyCode: options.agency, mapping, dataset, onProgress: progress.update }
  try {
    if (options.dryRun) {
      // write the error report as the file is read; remove it again if there was nothing to report
      let errorLines = 0
      const out = createWriteStream(reportPath)
      out.write('\uFEFF' + csvRow(['row', 'column', 'value', 'message']))
      let summary
      try {
        summary = await service.check(who, {
          ...base,
          onError: async (errors) => {
            for (const e of errors) {
              errorLines++
              if (!out.write(csvRow([e.rowNumber, e.column, e.value, e.message]))) await new Promise<void>((r) => out.once('drain', () => r()))
            }
          },
        })
      } finally {
        await new Promise<void>((r) => out.end(r))
      }
      if (errorLines === 0) await unlink(reportPath)
      return {
        file,
        agency: options.agency,
        dryRun: true,
        batchId: null,
        mappingVersion: summary.mappingVersion,
        rowsRead: summary.rowsRead,
        rowsCommitted: 0,
        rowsQuarantined: summary.rowsWithErrors,
        errorCount: summary.errorCount,
        errorReport: errorLines > 0 ? reportPath : null,
        unmappedValues: summary.unmappedValues.map((u) => ({ column: u.column, values: u.values.map((v) => v.value) })),
        warnings: summary.meta.warnings,
        seconds: Math.round(performance.now() - started) / 1000,
      }
    }
    const { preview, commit } = await service.importFile(who, { ...base, synthetic: options.synthetic ?? false })
    let errorReport: string | null = null
    if (preview.batch.rowsQuarantined > 0) {
      const out = createWriteStream(reportPath)
      for await (const text of service.errorReport(who, preview.batch.id)) {
        if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()))
      }
      await new Promise<void>((r) => out.end(r))
      errorReport = reportPath
    }
    return {
      file,
      agency: options.agency,
      dryRun: false,
      batchId: preview.batch.id,
      mappingVersion: preview.batch.mappingVersion,
      rowsRead: preview.batch.rowsRead,
      rowsCommitted: commit.rowsCommitted,
      rowsQuarantined: commit.rowsQuarantined,
      errorCount: preview.batch.errorCount,
      errorReport,
      unmappedValues: preview.unmappedValues.map((u) => ({ column: u.column, values: u.values.map((v) => v.value) })),
      warnings: preview.meta?.warnings ?? [],
      seconds: Math.round(performance.now() - started) / 1000,
    }
  } finally {
    progress.stop()
  }
}

/** Whether a file carries the encoded columns `hearth encode` writes (read from its header row only). */
async function isEncodedFile(path: string, mapping: unknown): Promise<boolean> {
  const m = (mapping ?? {}) as { encoding?: 'utf-8' | 'windows-1252'; delimiter?: string; headerRow?: number }
  const table = await openTable(path, { encoding: m.encoding, delimiter: m.delimiter, headerRow: m.headerRow })
  try {
    return ENCODED_COLUMNS.filter(c => c !== 'link_clk').every(c => table.headers.includes(c))
  } finally {
    await table.close()
  }
}

async function encodedCommand(ctx: CliContext, who: SystemActor, file: string, options: ImportOptions, mapping: unknown, started: number): Promise<ImportCommandResult> {
  const r = await importEncodedFile(ctx.db, who, {
    source: resolve(file), fileName: basename(file), agencyCode: options.agency, synthetic: options.synthetic ?? false,
    ...(mapping !== undefined ? { mapping } : {}),
  })
  const batch = await ctx.db.selectFrom('import_batch').where('partnership_id', '=', who.partnershipId).where('id', '=', r.batchId)
    .select(['mapping_version', 'rows_read', 'error_count']).executeTakeFirst()
  return {
    file,
    agency: options.agency,
    dryRun: false,
    batchId: r.batchId,
    mappingVersion: batch?.mapping_version ?? 0,
    rowsRead: batch?.rows_read ?? r.rowsCommitted + r.rowsQuarantined,
    rowsCommitted: r.rowsCommitted,
    rowsQuarantined: r.rowsQuarantined,
    errorCount: batch?.error_count ?? 0,
    errorReport: null,
    unmappedValues: [],
    warnings: [`An encoded file: the encodings of ${r.encodings.toLocaleString('en-GB')} people are kept for linkage (hearth link --mode encoded).`],
    seconds: Math.round(performance.now() - started) / 1000,
  }
}

/**
 * The police-aggregates dataset: the same reader, mapping and validation, no staging (figures, no personal
 * data). A file with any error loads nothing; the error report lists every error.
 */
async function policeAggregatesCommand(ctx: CliContext, who: SystemActor, file: string, options: ImportOptions, mapping: unknown, started: number): Promise<ImportCommandResult> {
  const result = await importPoliceAggregates(ctx.db, who, { source: resolve(file), agencyCode: options.agency, mapping, dryRun: options.dryRun ?? false })
  let errorReport: string | null = null
  if (result.errors.length > 0) {
    errorReport = options.errors ?? defaultErrorReport(file)
    await writeFile(errorReport, '\uFEFF' + csvRow(['row', 'column', 'value', 'message']) + result.errors.map((e) => csvRow([e.rowNumber, e.column, e.value, e.message])).join(''))
  }
  const rowsWithErrors = new Set(result.errors.map((e) => e.rowNumber)).size
  return {
    file,
    agency: options.agency,
    dryRun: options.dryRun ?? false,
    batchId: null,
    mappingVersion: result.mappingVersion,
    rowsRead: result.rowsRead,
    rowsCommitted: result.rowsLoaded,
    rowsQuarantined: rowsWithErrors,
    errorCount: result.errors.length,
    errorReport,
    unmappedValues: [],
    warnings: result.errors.length > 0 && !options.dryRun ? ['police-aggregates: a file with errors loads nothing; correct it and import it again'] : [],
    seconds: Math.round(performance.now() - started) / 1000,
  }
}

export function describeImport(r: ImportCommandResult): string {
  const n = (x: number) => x.toLocaleString('en-GB')
  const lines = [
    r.dryRun
      ? `Checked ${r.file} for ${r.agency} (mapping version ${r.mappingVersion}): nothing was imported.`
      : r.batchId === null && r.rowsCommitted === 0 && r.errorCount > 0
        ? `Nothing was imported from ${r.file} for ${r.agency} (mapping version ${r.mappingVersion}): correct the errors and import it again.`
        : `Imported ${r.file} for ${r.agency} (mapping version ${r.mappingVersion}).`,
    `  rows read          ${n(r.rowsRead)}`,
    r.dryRun ? `  rows valid         ${n(r.rowsRead - r.rowsQuarantined)}` : `  rows committed     ${n(r.rowsCommitted)}`,
    `  rows quarantined   ${n(r.rowsQuarantined)}${r.rowsQuarantined ? ` (${n(r.errorCount)} errors)` : ''}`,
    `  error report       ${r.errorReport ?? 'none (no errors)'}`,
    ...(r.batchId ? [`  import             ${r.batchId}`] : []),
    `  time               ${r.seconds.toFixed(1)} s (${n(Math.round(r.rowsRead / Math.max(r.seconds, 0.001)))} rows/s)`,
  ]
  for (const u of r.unmappedValues) {
    lines.push(`  values the mapping does not cover in "${u.column}": ${u.values.slice(0, 20).map((v) => JSON.stringify(v)).join(', ')}${u.values.length > 20 ? ` and ${u.values.length - 20} more` : ''}`)
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`)
  return lines.join('\n')
}

export async function mappingSaveCommand(ctx: CliContext, file: string, options: { agency: string; partnership?: string }): Promise<string> {
  const who = await system(ctx, options.partnership)
  const mapping = await readJson(file, 'The mapping')
  const saved = await createImportService({ db: ctx.db, engine: ctx.engine }).saveMapping(who, { agencyCode: options.agency, mapping })
  return saved.unchanged
    ? `Mapping version ${saved.version} for ${saved.agencyCode} (${saved.dataset}) is already saved; nothing changed.`
    : `Saved mapping version ${saved.version} for ${saved.agencyCode} (${saved.dataset}).`
}

export async function mappingListCommand(ctx: CliContext, options: { agency?: string; partnership?: string }): Promise<string> {
  const who = await system(ctx, options.partnership)
  const list = await createImportService({ db: ctx.db, engine: ctx.engine }).listMappings(who, options.agency !== undefined ? { agencyCode: options.agency } : {})
  if (list.length === 0) return 'No mappings are saved.'
  return list
    .map((m) => `${m.agencyCode}  ${m.dataset}  version ${m.version}  (standard ${m.standardVersion}, saved ${m.savedAt.toISOString().slice(0, 10)} by ${m.savedBy})${m.description ? `  ${m.description}` : ''}`)
    .join('\n')
}

export async function qualityCommand(
  ctx: CliContext,
  options: { from: string; to: string; format?: string; out?: string; partnership?: string },
): Promise<string> {
  const format = options.format ?? 'csv'
  if (!['json', 'csv', 'html'].includes(format)) throw new CliError(`Unknown format "${format}": use json, csv or html.`)
  const who = await system(ctx, options.partnership)
  const report = await createQualityService({ db: ctx.db }).report(who, { from: options.from, to: options.to })
  const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'csv' ? qualityCsv(report) : qualityHtml(report)
  if (options.out) {
    await writeFile(options.out, text)
    return `Wrote the data quality report (${report.agencies.length} agencies, ${options.from} to ${options.to}) to ${options.out}.`
  }
  return text
}

/** Runs a command with the configured database, printing its output; problems become exit code 1. */
function action<A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<string | void>) {
  return async (...args: A) => {
    const runtime = await openRuntime()
    try {
      const ctx: CliContext = {
        db: runtime.database.db,
        engine: runtime.database.engine,
        out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
        progressStream: process.stderr,
      }
      const text = await fn(ctx, ...args)
      if (text) ctx.out(text)
    } catch (error) {
      if (error instanceof ImportFileError) {
        console.error(`The file cannot be imported: ${error.message}`)
        for (const p of error.details.problems ?? []) if (!error.message.includes(p)) console.error(`  - ${p}`)
      } else console.error(error instanceof Error ? error.message : String(error))
      process.exitCode = 1
    } finally {
      await runtime.close()
    }
  }
}

/** Analyst commands for imports and data quality. */
export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description("import an agency's file (CSV or XLSX) into the partnership's service episodes, through the agency's mapping")
    .argument('<file>', 'the CSV or XLSX file')
    .requiredOption('--agency <code>', 'the agency the file comes from (its code in the profile)')
    .option('--mapping <file>', "the mapping JSON (default: the agency's saved mapping, else the standard layout)")
    .option('--dataset <name>', 'the dataset: service-episodes, or police-aggregates (DA incidents and crimes by district and month)', 'service-episodes')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .option('--dry-run', 'read and check every row and write the error report, but import nothing')
    .option('--errors <file>', 'where to write the error report (default: FILE.errors.csv in the current directory)')
    .option('--json', 'print the summary as JSON')
    .option('--synthetic', 'mark the rows as synthetic (demo or test data)')
    .action(
      action(async (ctx, file: string, options: ImportOptions) => {
        const result = await importCommand(ctx, file, options)
        return options.json ? JSON.stringify(result, null, 2) : describeImport(result)
      }),
    )

  const mapping = program.command('mapping').description("agencies' saved mappings")
  mapping
    .command('save')
    .description("check and save an agency's mapping (a new version each time it changes)")
    .argument('<file>', 'the mapping JSON')
    .requiredOption('--agency <code>', 'the agency the mapping is for')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action((ctx, file: string, options: { agency: string; partnership?: string }) => mappingSaveCommand(ctx, file, options)))
  mapping
    .command('list')
    .description('list saved mappings')
    .option('--agency <code>', 'only this agency')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action((ctx, options: { agency?: string; partnership?: string }) => mappingListCommand(ctx, options)))

  program
    .command('quality')
    .description('the data quality report: per agency and field, recorded or not and % unknown; timeliness, consistency, linkage')
    .requiredOption('--from <date>', 'first referral date, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last referral date, YYYY-MM-DD')
    .option('--format <format>', 'json, csv or html', 'csv')
    .option('--out <file>', 'write to this file instead of printing')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action((ctx, options: { from: string; to: string; format?: string; out?: string; partnership?: string }) => qualityCommand(ctx, options)))
}
