/**
 * The benchmark's server process: opens a database (PGlite in a data directory, or a PostgreSQL database
 * made for the run), applies migrations, seeds the benchmark partnership and serves Hearth as in production
 * (NODE_ENV=production, request logs at info, written to /dev/null). It runs apart from the load generator
 * so that autocannon does not share Hearth's event loop. Driven by bench/run.ts over IPC.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { CompiledQuery, type KyselyPlugin, type QueryId, type RootOperationNode, sql } from 'kysely'
import pino from 'pino'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { withActor } from '../src/db/scope.ts'
import { recordAudit } from '../src/domains/audit/service.ts'
import * as caseRepo from '../src/domains/cases/repository.ts'
import { createLogger } from '../src/logger.ts'
import { buildApp } from '../src/web/app.ts'
import { seedBenchPartnership } from './seed.ts'

export type ServerOptions = { databaseUrl?: string; dataDir?: string; cases: number }
export type Ready = {
  kind: 'ready'
  url: string
  email: string
  password: string
  serverVersion: string
  timings: { migrateMs: number; seedMs: number }
}
export type Profile = { kind: 'profile'; steps: { step: string; runs: number; medianMs: number; p90Ms: number }[]; explain?: string }
export type Stats = { kind: 'stats'; auditByAction: Record<string, number> }
/** CPU time used so far by this process (Node: HTTP, Hearth, and PGlite when embedded), in milliseconds. */
export type Cpu = { kind: 'cpu'; nodeMs: number }
export type Message = { kind: 'profile'; token: string; page: number; iterations: number } | { kind: 'stats' } | { kind: 'cpu' } | { kind: 'stop' }

const send = (message: Ready | Profile | Stats | Cpu | { kind: 'error'; message: string }) =>
  new Promise<void>(resolve => process.send!(message, () => resolve()))

async function main() {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir })
  const { db } = database
  let t = performance.now()
  await migrateToLatest(db)
  const migrateMs = performance.now() - t
  t = performance.now()
  const seeded = await seedBenchPartnership(db, { cases: options.cases })
  await sql`ANALYZE`.execute(db)
  const seedMs = performance.now() - t
  const serverVersion = (await sql<{ server_version: string }>`SHOW server_version`.execute(db)).rows[0]!.server_version

  const config = loadConfig(
    { NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), HEARTH_DEMO: 'false', LOG_LEVEL: 'info' },
    { demo: false },
  )
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }))
  const app = await buildApp({ config, db, engine: database.engine, logger })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo

  process.on('message', (message: Message) => {
    void (async () => {
      try {
        if (message.kind === 'stop') {
          await app.close()
          await database.close()
          process.exit(0)
        }
        if (message.kind === 'stats') {
          const rows = await db.selectFrom('audit_event').select(['action', eb => eb.fn.countAll<number>().as('n')]).groupBy('action').execute()
          await send({ kind: 'stats', auditByAction: Object.fromEntries(rows.map(r => [r.action, Number(r.n)])) })
        }
        if (message.kind === 'cpu') {
          const used = process.cpuUsage()
          await send({ kind: 'cpu', nodeMs: (used.user + used.system) / 1000 })
        }
        if (message.kind === 'profile') await send(await profile(message))
      } catch (error) {
        await send({ kind: 'error', message: (error as Error).stack ?? String(error) })
      }
    })()
  })

  /** Each part of one case-list request, timed serially (no concurrency): where does the time go? */
  async function profile(message: Extract<Message, { kind: 'profile' }>): Promise<Profile> {
    const resolved = await app.services.auth.resolveSession(message.token)
    if (resolved.kind !== 'active') throw new Error('profile: the token is not an active session')
    const actor = resolved.actor
    const pid = actor.partnershipId
    const offset = (message.page - 1) * 25
    const lastOffset = Math.max(0, options.cases - 25)
    // The cursor of the same page (the case before it in the list's order), as an API client would hold it.
    const before = await db.selectFrom('support_case').where('partnership_id', '=', pid)
      .select(['id', sql<string>`to_char(opened_on, 'YYYY-MM-DD')`.as('openedOn')]).orderBy('opened_on', 'desc').orderBy('id').offset(Math.max(0, offset - 1)).limit(1).executeTakeFirstOrThrow()
    const after = { openedOn: before.openedOn, id: before.id }
    const cursor = Buffer.from(`${after.openedOn}~${after.id}`, 'utf8').toString('base64url')
    const genericPlans = database.engine === 'postgres'
    const steps: [string, () => Promise<unknown>][] = [
      ['resolve session (every request)', () => app.services.auth.resolveSession(message.token)],
      ['withActor: empty transaction', () => withActor(db, actor, async () => {})],
      ['withActor + case page 1', () => withActor(db, actor, tx => caseRepo.casePage(tx, pid, { offset: 0, limit: 25 }))],
      [`withActor + case page ${message.page}`, () => withActor(db, actor, tx => caseRepo.casePage(tx, pid, { offset, limit: 25 }))],
      ['withActor + last case page', () => withActor(db, actor, tx => caseRepo.casePage(tx, pid, { offset: lastOffset, limit: 25 }))],
      ['withActor + case count', () => withActor(db, actor, tx => caseRepo.caseCount(tx, pid))],
      ['withActor + CASE_LIST_VIEW audit row', () => withActor(db, actor, tx => recordAudit(tx, actor, {
        action: 'CASE_LIST_VIEW', subjectType: 'case-list', fields: ['personName'], details: { page: message.page, personIds: [], caseIds: [] },
      }))],
      [`cases.list page ${message.page} (whole service call)`, () => app.services.cases.list(actor, { page: message.page })],
      [`GET /api/v1/cases?page=${message.page} (inject)`, () => app.inject({ method: 'GET', url: `/api/v1/cases?page=${message.page}`, headers: { authorization: `Bearer ${message.token}` } })],
      [`withActor${genericPlans ? ' (generic plans)' : ''} + cursor page ${message.page}`, () => withActor(db, actor, tx => caseRepo.casePage(tx, pid, { offset: 0, limit: 26, after }), { genericPlans })],
      [`cases.listAfter page ${message.page} (whole service call)`, () => app.services.cases.listAfter(actor, { after })],
      [`GET /api/v1/cases?after=cursor of page ${message.page} (inject)`, () => app.inject({ method: 'GET', url: `/api/v1/cases?after=${cursor}`, headers: { authorization: `Bearer ${message.token}` } })],
      ['GET /sign-in (inject)', () => app.inject({ method: 'GET', url: '/sign-in' })],
      // Not Hearth's code: the same page with the 25 ids chosen first (a deferred join), so the joins, row-level
      // security on person and risk_assessment, and the risk subquery run for 25 rows instead of offset + 25.
      [`what-if: deferred join, page ${message.page}`, () => withActor(db, actor, tx => sql`
        WITH page AS (
          SELECT c.partnership_id, c.id, c.reference, c.person_id, c.referral_id, c.team_id, c.allocated_user_id, c.status, c.opened_on
          FROM support_case c WHERE c.partnership_id = ${pid}
          ORDER BY c.opened_on DESC, c.id OFFSET ${offset} LIMIT 25)
        SELECT page.id, page.reference, page.person_id, concat_ws(' ', p.given_name, p.family_name) AS person_name,
          t.name AS team_name, u.display_name AS allocated_to, page.status, page.opened_on,
          (SELECT ra.risk_level FROM risk_assessment ra WHERE ra.partnership_id = page.partnership_id AND ra.referral_id = page.referral_id
            ORDER BY ra.assessed_on DESC, ra.created_at DESC LIMIT 1) AS risk_level
        FROM page
        JOIN person p ON p.partnership_id = page.partnership_id AND p.id = page.person_id
        LEFT JOIN team t ON t.partnership_id = page.partnership_id AND t.id = page.team_id
        LEFT JOIN app_user u ON u.partnership_id = page.partnership_id AND u.id = page.allocated_user_id
        ORDER BY page.opened_on DESC, page.id`.execute(tx))],
    ]
    const result: Profile['steps'] = []
    for (const [step, run] of steps) {
      for (let i = 0; i < 3; i++) await run()
      const times: number[] = []
      const until = performance.now() + 8_000
      // Up to `iterations` runs, but at most about 8 s a step (and at least 10 runs).
      for (let i = 0; i < message.iterations && (i < 10 || performance.now() < until); i++) {
        const start = performance.now()
        await run()
        times.push(performance.now() - start)
      }
      times.sort((a, b) => a - b)
      result.push({ step, runs: times.length, medianMs: times[Math.floor(times.length / 2)]!, p90Ms: times[Math.floor(times.length * 0.9)]! })
    }
    // The plan of the middle page's query as the application role, with row-level security applied.
    let captured: { node: RootOperationNode; queryId: QueryId } | undefined
    const capture: KyselyPlugin = {
      transformQuery: args => { captured ??= args; return args.node },
      transformResult: async args => args.result,
    }
    await withActor(db, actor, tx => caseRepo.casePage(tx.withPlugin(capture), pid, { offset, limit: 25 }))
    const explain = await withActor(db, actor, async tx => {
      const compiled = tx.getExecutor().compileQuery(captured!.node, captured!.queryId)
      const plan = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${compiled.sql}`, [...compiled.parameters]))
      return plan.rows.map(r => r['QUERY PLAN']).join('\n')
    })
    return { kind: 'profile', steps: result, explain }
  }

  await send({ kind: 'ready', url: `http://127.0.0.1:${port}`, email: seeded.email, password: seeded.password, serverVersion, timings: { migrateMs, seedMs } })
}

main().catch(async error => {
  await send({ kind: 'error', message: (error as Error).stack ?? String(error) })
  process.exit(1)
})
