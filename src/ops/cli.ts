import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { isRole, roles } from '../access/roles.ts'
import { systemClock } from '../clock.ts'
import { loadConfig } from '../config.ts'
import { migrateToLatest, migrationState } from '../db/migrate.ts'
import { DEMO_PASSWORD, ensureDemoPartnership, generateDemoDataset } from '../demo/seed.ts'
import { createUserAsOperator } from '../domains/auth/users.ts'
import { loadPartnershipProfile } from '../domains/partnership/service.ts'
import { openRuntime, type Runtime } from '../runtime.ts'
import { verifyAuditLogs } from './audit.ts'
import { readBackupHeader, restoreBackup, writeBackup } from './backup.ts'
import { describeError, OpsError } from './errors.ts'
import { readNewPassword } from './password.ts'
import { progressBar } from './progress.ts'

/** Operator commands: migrate, partnership load, admin create, audit verify, backup, restore, demo-data. */
export function registerOperationCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and list them')
    .action(run(migrate))

  const partnership = program.command('partnership').description('partnership profiles')
  partnership
    .command('load')
    .argument('<file>', 'the profile JSON file')
    .description('load or update a partnership from its profile (loading the same file again changes nothing)')
    .action(run(loadProfile))

  const admin = program.command('admin').description('user accounts')
  admin
    .command('create')
    .description('create a user, such as the first administrator (the password is prompted for, or read from --password-file)')
    .requiredOption('--email <email>', 'email address, used to sign in')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--partnership <code>', 'partnership code')
    .requiredOption('--agency <code>', 'agency code from the profile')
    .option('--team <code>', 'team code from the profile')
    .option('--role <roles...>', `roles: ${roles.join(', ')}`, ['administrator'])
    .option('--password-file <file>', 'read the password from the first line of this file')
    .option('--password <password>', 'the password itself (development only; refused in production)')
    .action(run(createAdmin))

  const audit = program.command('audit').description('the audit log')
  audit
    .command('verify')
    .description('recompute every audit entry hash; prints the head hash to keep outside the database')
    .option('--partnership <code>', 'only this partnership')
    .action(run(verifyAudit))

  program
    .command('backup')
    .argument('<file>', 'where to write the backup (gzip NDJSON)')
    .description('write a logical backup of the whole database')
    .action(run(backup))

  program
    .command('restore')
    .argument('<file>', 'a backup written by hearth backup')
    .description('restore a backup into a new, empty database (all or nothing; the audit log is verified)')
    .action(run(restore))

  program
    .command('demo-data')
    .description('seed the demo partnership with synthetic data, or write the synthetic data as JSON with --out')
    .option('--seed <n>', 'random seed (same seed, same data)')
    .option('--years <n>', 'years of history (1 to 20)')
    .option('--scale <n>', 'volume relative to the real partnership (1 = about 2,500 referrals a year)')
    .option('--end-date <date>', 'last day of the history, YYYY-MM-DD (default: today in Europe/London)')
    .option('--profile <file>', 'partnership profile (default: HEARTH_DEMO_PROFILE)')
    .option('--out <file>', 'write the generated data to this JSON file instead of the database')
    .action(run(demoData))
}

/** Runs an action, printing problems one a line and setting exit code 1 instead of throwing. */
function run<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args)
    } catch (error) {
      for (const line of describeError(error)) console.error(line)
      process.exitCode = 1
    }
  }
}

async function withRuntime(fn: (runtime: Runtime) => Promise<void>, options: { migrate?: boolean } = {}): Promise<void> {
  const runtime = await openRuntime({}, options)
  try {
    await fn(runtime)
  } finally {
    await runtime.close()
  }
}

/** Who is acting, as recorded in the audit log: the operating-system account running the command. */
function operator(): string {
  try {
    return `cli:${os.userInfo().username}`
  } catch {
    return 'cli'
  }
}

async function migrate(): Promise<void> {
  await withRuntime(
    async ({ database }) => {
      console.log(`Database: ${database.location}`)
      const result = await migrateToLatest(database.db)
      const applied = new Set((result.results ?? []).filter(r => r.status === 'Success').map(r => r.migrationName))
      const state = await migrationState(database.db)
      for (const name of state.applied) console.log(`  applied  ${name}${applied.has(name) ? '  (just now)' : ''}`)
      for (const name of state.pending) console.log(`  pending  ${name}`)
      console.log(applied.size ? `Applied ${applied.size} migration(s).` : 'Already up to date: nothing pending.')
    },
    { migrate: false },
  )
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    throw new OpsError(`Cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new OpsError(`${what[0]!.toUpperCase()}${what.slice(1)} ${file} is not valid JSON: ${(error as Error).message}`)
  }
}

async function loadProfile(file: string): Promise<void> {
  const raw = await readJsonFile(file, 'the profile')
  await withRuntime(async ({ database }) => {
    const result = await loadPartnershipProfile(database.db, raw, { loadedBy: operator() })
    console.log(
      result.unchanged
        ? `Partnership ${result.code}: profile version ${result.version} is already loaded; nothing changed.`
        : `Partnership ${result.code}: loaded profile version ${result.version}.`,
    )
  })
}

type AdminOptions = {
  email: string
  name: string
  partnership: string
  agency: string
  team?: string
  role: string[]
  passwordFile?: string
  password?: string
}

async function createAdmin(options: AdminOptions): Promise<void> {
  const unknown = options.role.filter(r => !isRole(r))
  if (unknown.length) throw new OpsError(`Unknown role ${unknown.map(r => `"${r}"`).join(', ')}; use one of ${roles.join(', ')}.`)
  const config = loadConfig()
  const password = await readNewPassword({ passwordFile: options.passwordFile, password: options.password, production: config.production })
  await withRuntime(async ({ database }) => {
    const { userId } = await createUserAsOperator(
      database.db,
      options.partnership,
      { email: options.email, displayName: options.name, agencyCode: options.agency, teamCode: options.team, roles: options.role, password },
      { operator: operator() },
    )
    console.log(`Created ${options.role.join(', ')} ${options.email.toLowerCase()} in ${options.partnership} (user ${userId}).`)
  })
}

async function verifyAudit(options: { partnership?: string }): Promise<void> {
  await withRuntime(async ({ database }) => {
    const bar = progressBar('Verifying', 0)
    let results
    try {
      results = await verifyAuditLogs(database.db, { partnershipCode: options.partnership, onProgress: (done, total) => bar.update(done, total) })
    } finally {
      bar.stop()
    }
    if (results.length === 0) console.log('There are no partnerships yet: nothing to verify.')
    let problems = 0
    for (const { code, result } of results) {
      if (result.problems.length === 0) {
        console.log(`${code}: ${result.entries} entries checked, chain intact. Head hash ${result.headHash}`)
        continue
      }
      problems += result.problems.length
      console.error(`${code}: ${result.problems.length} problem(s) in ${result.entries} entries:`)
      for (const p of result.problems) console.error(`  - entry ${p.seq}: ${p.problem}`)
    }
    if (problems) throw new OpsError(`The audit log has been changed: ${problems} problem(s) found.`)
  })
}

async function backup(file: string): Promise<void> {
  const target = path.resolve(file)
  await withRuntime(async ({ database }) => {
    const bar = progressBar('Backing up', 0)
    let header
    try {
      header = await writeBackup(database.db, target, {
        engine: database.engine,
        operator: operator(),
        clock: systemClock,
        onProgress: (done, total) => bar.update(done, total),
      })
    } finally {
      bar.stop()
    }
    const rows = header.tables.reduce((sum, t) => sum + t.rows, 0)
    console.log(`Backup written to ${target}: ${rows} rows in ${header.tables.length} tables, schema ${header.migrations.at(-1) ?? '(none)'}.`)
    for (const head of header.auditHeads) console.log(`  audit log of ${head.code}: ${head.entries} entries, head hash ${head.headHash}`)
  })
}

async function restore(file: string): Promise<void> {
  const source = path.resolve(file)
  await readBackupHeader(source) // a missing or foreign file is reported before the database is opened
  await withRuntime(async ({ database }) => {
    console.log(`Restoring ${source} into ${database.location}`)
    const bar = progressBar('Restoring', 0)
    let result
    try {
      result = await restoreBackup(database.db, source, { onProgress: (done, total) => bar.update(done, total) })
    } finally {
      bar.stop()
    }
    console.log(`Restored ${result.rows} rows in ${result.header.tables.length} tables; ${result.auditEntriesVerified} audit entries verified.`)
    for (const head of result.header.auditHeads) console.log(`  audit log of ${head.code}: ${head.entries} entries, head hash ${head.headHash}`)
  })
}

const wholeNumber = (message: string, min: number, max: number) =>
  z.coerce.number({ message }).int(message).min(min, message).max(max, message)

const demoOptionsSchema = z.object({
  seed: wholeNumber('--seed must be a whole number', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  years: wholeNumber('--years must be a whole number from 1 to 20', 1, 20),
  scale: z.coerce
    .number({ message: '--scale must be a number above 0, at most 20' })
    .positive('--scale must be a number above 0, at most 20')
    .max(20, '--scale must be a number above 0, at most 20'),
  endDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--end-date must be a date written YYYY-MM-DD').optional(),
  profile: z.string(),
  out: z.string().optional(),
})

type DemoOptions = { seed?: string; years?: string; scale?: string; endDate?: string; profile?: string; out?: string }

async function demoData(raw: DemoOptions): Promise<void> {
  const config = loadConfig()
  const parsed = demoOptionsSchema.safeParse({
    seed: raw.seed ?? config.demoSeed,
    years: raw.years ?? config.demoYears,
    scale: raw.scale ?? config.demoScale,
    endDate: raw.endDate,
    profile: raw.profile ?? config.demoProfile,
    out: raw.out,
  })
  if (!parsed.success) throw new OpsError(parsed.error.issues.map(i => `${i.message} (got "${String(raw[i.path[0] as keyof DemoOptions])}")`).join('\n'))
  const o = parsed.data
  const seedOptions = { profilePath: o.profile, seed: o.seed, years: o.years, scale: o.scale, ...(o.endDate ? { endDate: o.endDate } : {}) }

  if (o.out) {
    const dataset = await generateDemoDataset(seedOptions)
    await fs.writeFile(o.out, `${JSON.stringify(dataset)}\n`)
    console.log(`Wrote synthetic data (seed ${o.seed}, ${o.years} years to ${dataset.meta.endDate}, scale ${o.scale}) to ${o.out}:`)
    for (const [name, n] of Object.entries(dataset.summary.totals)) console.log(`  ${name}: ${n}`)
    return
  }
  if (config.production) throw new OpsError('demo-data writes synthetic data and is refused in production (NODE_ENV=production).')
  await withRuntime(async ({ database }) => {
    const result = await ensureDemoPartnership(database.db, seedOptions)
    console.log(
      result.created
        ? `Seeded demo partnership ${result.partnershipCode} (${result.partnershipName}) in ${database.location}:`
        : `Demo partnership ${result.partnershipCode} already has data; nothing was added. It holds:`,
    )
    for (const [name, n] of Object.entries(result.counts)) console.log(`  ${name}: ${n}`)
    console.log(`Demo sign-ins (synthetic data only), password ${DEMO_PASSWORD}:`)
    for (const login of result.logins) console.log(`  ${login.role.padEnd(26)} ${login.email}`)
  })
}
