/**
 * Report commands:
 *
 *   hearth report quarterly --quarter 2022-Q1 [--format json|csv|xlsx|html|pdf] [--publication] [--out FILE] [--partnership CODE]
 *   hearth report needs-assessment --from DATE --to DATE [--format json|csv|xlsx|html|pdf] [--publication] [--population FILE] [--out FILE] [--partnership CODE]
 *   hearth report police-load FILE --agency CODE [--mapping FILE] [--partnership CODE]
 *   hearth report part4 --year 2023-24 [--out FILE] [--partnership CODE]
 *   hearth report marac-return --quarter 2022-Q1 [--format json|csv] [--out FILE] [--partnership CODE]
 *
 * They run on the owner connection, recorded in the audit log as cli:NAME. xlsx and pdf need --out (or
 * are written to stdout as bytes when it is not a terminal).
 */
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import type { Command } from 'commander'
import type { Kysely } from 'kysely'
import type { SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { openRuntime } from '../../runtime.ts'
import { csvRow } from '../imports/csvSafe.ts'
import { maracReturnCsv } from './maracReturn.ts'
import { loadPoliceAggregates } from './police.ts'
import { needsHtml } from './needs.ts'
import { needsCsv, needsXlsx } from './needsPublication.ts'
import { quarterlyCsv, quarterlyHtml, quarterlyXlsx } from './render.ts'
import { createReportService, ReportError } from './service.ts'

export class ReportCliError extends Error {}

export type ReportCliContext = { db: Kysely<DB>; actorLabel?: string }

const formats = ['json', 'csv', 'xlsx', 'html', 'pdf'] as const
type Format = (typeof formats)[number]

function operator(): string {
  try {
    return `cli:${os.userInfo().username}`
  } catch {
    return 'cli'
  }
}

async function systemActor(ctx: ReportCliContext, code: string | undefined): Promise<SystemActor> {
  const rows = await ctx.db.selectFrom('partnership').select(['partnership_id', 'code']).orderBy('code').execute()
  const found = code === undefined ? (rows.length === 1 ? rows[0] : undefined) : rows.find(r => r.code === code)
  if (!found) {
    if (rows.length === 0) throw new ReportCliError('There is no partnership yet: load a profile first (hearth partnership load FILE).')
    throw new ReportCliError(code === undefined ? `There are ${rows.length} partnerships: say which with --partnership (${rows.map(r => r.code).join(', ')}).` : `There is no partnership with the code "${code}".`)
  }
  return { label: ctx.actorLabel ?? operator(), partnershipId: found.partnership_id }
}

/** Prints an HTML document to PDF with Chromium (playwright-core; /usr/bin/chromium unless HEARTH_CHROMIUM is set). */
export async function htmlToPdf(html: string): Promise<Uint8Array> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage()
    await page.setContent(html, { waitUntil: 'load' })
    return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } }))
  } finally {
    await browser.close()
  }
}

/** `hearth report quarterly`: the output as text or bytes. */
export async function quarterlyCommand(ctx: ReportCliContext, options: { quarter: string; format?: string; publication?: boolean; partnership?: string }): Promise<string | Uint8Array> {
  const format = (options.format ?? 'json') as Format
  if (!formats.includes(format)) throw new ReportCliError(`Unknown format "${options.format}": use ${formats.join(', ')}.`)
  const who = await systemActor(ctx, options.partnership)
  const report = await createReportService({ db: ctx.db }).quarterly(who, { quarter: options.quarter, publication: options.publication ?? false })
  switch (format) {
    case 'json': return JSON.stringify(report, null, 2) + '\n'
    case 'csv': return quarterlyCsv(report)
    case 'xlsx': return quarterlyXlsx(report)
    case 'html': return quarterlyHtml(report)
    case 'pdf': return htmlToPdf(quarterlyHtml(report))
  }
}

export async function needsAssessmentCommand(ctx: ReportCliContext, options: { from: string; to: string; format?: string; population?: string; partnership?: string; publication?: boolean }): Promise<string | Uint8Array> {
  const format = (options.format ?? 'json') as Format
  if (!formats.includes(format)) throw new ReportCliError(`Unknown format "${options.format}": use ${formats.join(', ')}.`)
  const who = await systemActor(ctx, options.partnership)
  const populationShares = options.population ? (JSON.parse(await readFile(options.population, 'utf8')) as Record<string, number>) : undefined
  const report = await createReportService({ db: ctx.db }).needsAssessment(who, { from: options.from, to: options.to, publication: options.publication ?? false, ...(populationShares ? { populationShares } : {}) })
  switch (format) {
    case 'json': return JSON.stringify(report, null, 2) + '\n'
    case 'csv': return needsCsv(report)
    case 'xlsx': return needsXlsx(report)
    case 'html': return needsHtml(report)
    case 'pdf': return htmlToPdf(needsHtml(report))
  }
}

/** `hearth report marac-return`: the SafeLives Marac quarterly dataset, per meeting date. */
export async function maracReturnCommand(ctx: ReportCliContext, options: { quarter: string; format?: string; partnership?: string }): Promise<string> {
  const format = options.format ?? 'json'
  if (format !== 'json' && format !== 'csv') throw new ReportCliError(`Unknown format "${format}": use json or csv.`)
  const who = await systemActor(ctx, options.partnership)
  const report = await createReportService({ db: ctx.db }).maracReturn(who, { quarter: options.quarter })
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : maracReturnCsv(report, csvRow)
}

/** `hearth report part4`: the Part 4 safe accommodation return for a financial year (JSON). */
export async function part4Command(ctx: ReportCliContext, options: { year: string; partnership?: string }): Promise<string> {
  const who = await systemActor(ctx, options.partnership)
  return JSON.stringify(await createReportService({ db: ctx.db }).part4(who, { year: options.year }), null, 2) + '\n'
}

/** `hearth report police-load FILE --agency CODE [--mapping FILE]`: load police DA incidents and crimes by district and month. */
export async function policeLoadCommand(ctx: ReportCliContext, file: string, options: { agency: string; mapping?: string; partnership?: string }): Promise<string> {
  const who = await systemActor(ctx, options.partnership)
  const mapping = options.mapping ? JSON.parse(await readFile(options.mapping, 'utf8')) : undefined
  const result = await loadPoliceAggregates(ctx.db, who, { source: file, agencyCode: options.agency, mapping })
  if (result.errors.length > 0) {
    throw new ReportCliError(`Nothing loaded: ${result.errors.length} problems, e.g. ${result.errors.slice(0, 5).map(e => `row ${e.rowNumber} ${e.column}: ${e.message}`).join('; ')}`)
  }
  return `Loaded ${result.rowsLoaded} police aggregate rows (${result.months[0] ?? '-'} to ${result.months.at(-1) ?? '-'}).\n`
}

function action<A extends unknown[]>(fn: (ctx: ReportCliContext, ...args: A) => Promise<{ output: string | Uint8Array; out?: string | undefined }>) {
  return async (...args: A) => {
    const runtime = await openRuntime()
    try {
      const { output, out } = await fn({ db: runtime.database.db }, ...args)
      if (out) {
        await writeFile(out, output)
        process.stderr.write(`Wrote ${out}\n`)
      } else if (typeof output === 'string') process.stdout.write(output)
      else if (process.stdout.isTTY) throw new ReportCliError('This format is binary: give --out FILE.')
      else process.stdout.write(output)
    } catch (error) {
      if (error instanceof ReportError || error instanceof ReportCliError) {
        process.stderr.write(`hearth report: ${error.message}\n`)
        process.exitCode = 1
      } else throw error
    } finally {
      await runtime.close()
    }
  }
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports from live data: quarterly performance, needs assessment')
  report
    .command('quarterly')
    .description('the quarterly performance report (IDVA referrals, engagement, repeats by team and district; diversity; MARAC), beside the same quarter a year before')
    .requiredOption('--quarter <quarter>', 'financial-year quarter, e.g. 2022-Q1 (April to June 2022)')
    .option('--format <format>', `one of ${formats.join(', ')}`, 'json')
    .option('--publication', 'the publication version (small-number suppression)')
    .option('--out <file>', 'write to this file')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action(async (ctx, options: { quarter: string; format: string; publication?: boolean; out?: string; partnership?: string }) =>
      ({ output: await quarterlyCommand(ctx, options), out: options.out })))
  report
    .command('needs-assessment')
    .description('the needs assessment for any period: people, characteristics against the population, rates and benchmarks')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--format <format>', `one of ${formats.join(', ')}`, 'json')
    .option('--publication', 'the publication version (small-number suppression with secondary suppression, no internal appendix)')
    .option('--population <file>', 'JSON of population shares by ethnicity code (fractions), for representation ratios')
    .option('--out <file>', 'write to this file')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action(async (ctx, options: { from: string; to: string; format: string; publication?: boolean; population?: string; out?: string; partnership?: string }) =>
      ({ output: await needsAssessmentCommand(ctx, options), out: options.out })))
  report
    .command('marac-return')
    .description('the SafeLives Marac quarterly dataset, per meeting date, from the MARAC records')
    .requiredOption('--quarter <quarter>', 'financial-year quarter, e.g. 2022-Q1')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to this file')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action(async (ctx, options: { quarter: string; format: string; out?: string; partnership?: string }) =>
      ({ output: await maracReturnCommand(ctx, options), out: options.out })))
  report
    .command('police-load')
    .description('load police DA incidents and crimes by district and month (the police-aggregates dataset) for the quarterly report')
    .argument('<file>', 'CSV or XLSX in the police-aggregates layout, or the agency\'s own with --mapping')
    .requiredOption('--agency <code>', 'the police force (its agency code)')
    .option('--mapping <file>', 'the mapping JSON (default: the standard layout)')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action(async (ctx, file: string, options: { agency: string; mapping?: string; partnership?: string }) => ({ output: await policeLoadCommand(ctx, file, options) })))
  report
    .command('part4')
    .description('the Part 4 safe accommodation return for a financial year (JSON): every field, those Hearth cannot compute marked notComputed with the reason')
    .requiredOption('--year <year>', 'financial year, e.g. 2023-24')
    .option('--out <file>', 'write to this file')
    .option('--partnership <code>', 'the partnership (needed when the database holds several)')
    .action(action(async (ctx, options: { year: string; out?: string; partnership?: string }) => ({ output: await part4Command(ctx, options), out: options.out })))
}
