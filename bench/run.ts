/**
 * The first benchmark: 50 concurrent users against the sign-in page and against an authenticated JSON
 * list of 25 cases out of 10,000, on embedded PGlite and on a PostgreSQL server, in one run.
 *
 *   npm run bench                         # both engines, 10 s a scenario, writes docs/performance.md
 *   node bench/run.ts --engines postgres --duration 5 --no-write
 *
 * Options: --engines pglite,postgres  --duration SECONDS (10)  --warmup SECONDS (3)  --connections N (50)
 *          --cases N (10000)  --postgres URL (BENCH_POSTGRES_URL, or postgres://postgres@127.0.0.1:5432/postgres)
 *          --no-write (print only)  --out FILE (docs/performance.md)
 *
 * Each engine gets a database of its own: PGlite in a temporary directory, and on the server a database
 * created for the run and dropped afterwards. Hearth runs in a child process (bench/server.ts) so that
 * autocannon does not share its event loop. Every case-list request writes a CASE_LIST_VIEW audit row:
 * that is intended, and part of what is measured.
 */
import { execFileSync, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import pg from 'pg'
import type { Cpu, Message, Profile, Ready, ServerOptions, Stats } from './server.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')

const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'pglite,postgres' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    // Offered loads for the capacity steps (cursor case list, PostgreSQL only): requests a second across all connections.
    rates: { type: 'string', default: '25,50,75,100,125,150' },
    cases: { type: 'string', default: '10000' },
    postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres' },
    'no-write': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'docs/performance.md') },
  },
})
const engines = args.engines.split(',').map(e => e.trim()).filter(Boolean) as ('pglite' | 'postgres')[]
const duration = Number(args.duration)
const warmup = Number(args.warmup)
const connections = Number(args.connections)
const rates = args.rates.split(',').map(r => Number(r.trim())).filter(r => Number.isFinite(r) && r > 0)
const caseCount = Number(args.cases)
const pageSize = 25
const pages = Math.ceil(caseCount / pageSize)
const middlePage = Math.ceil(pages / 2)
for (const engine of engines) if (engine !== 'pglite' && engine !== 'postgres') throw new Error(`Unknown engine ${engine}: use pglite and/or postgres`)

/** CPU milliseconds a request, measured over the scenario: Hearth's process and the PostgreSQL server's backends. */
type CpuPerRequest = { nodeMs: number; postgresMs: number | null }
type Row = { engine: string; scenario: string; label: string; offeredRate?: number; result: Result; cpu: CpuPerRequest }
type EngineRun = { engine: string; ready: Ready; profile: Profile; stats: Stats; rows: Row[]; load: { before: number[]; after: number[] } }

const log = (line: string) => console.log(`[bench] ${line}`)

/** Starts bench/server.ts over a fresh database for one engine; returns a handle and a cleanup. */
async function startEngine(engine: 'pglite' | 'postgres') {
  const options: ServerOptions = { cases: caseCount }
  let databaseName: string | undefined
  let cleanup: () => Promise<void>
  let where: string
  if (engine === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-'))
    options.dataDir = dataDir
    where = `PGlite at ${dataDir}`
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true })
  } else {
    const name = `hearth_bench_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: args.postgres })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(args.postgres)
    url.pathname = `/${name}`
    options.databaseUrl = url.toString()
    where = `PostgreSQL database ${name} at ${url.host}`
    databaseName = name
    cleanup = async () => {
      const c = new pg.Client({ connectionString: args.postgres })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    }
  }
  log(`${engine}: ${where}; migrating and seeding ${caseCount.toLocaleString('en-GB')} cases`)
  const child = fork(path.join(here, 'server.ts'), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const waiting = new Map<string, (message: unknown) => void>()
  let failed: ((error: Error) => void) | undefined
  child.on('message', (message: { kind: string; message?: string }) => {
    if (message.kind === 'error') failed?.(new Error(`bench server (${engine}): ${message.message}`))
    waiting.get(message.kind)?.(message)
    waiting.delete(message.kind)
  })
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()))
  child.on('exit', code => { if (code) failed?.(new Error(`bench server (${engine}) exited with ${code}`)) })
  const expect = <T>(kind: string) =>
    new Promise<T>((resolve, reject) => {
      failed = reject
      waiting.set(kind, m => resolve(m as T))
    })
  const request = <T>(message: Message, kind: string) => {
    const answer = expect<T>(kind)
    child.send(message)
    return answer
  }
  let stopping: Promise<void> | undefined
  try {
    const ready = await expect<Ready>('ready')
    return {
      ready,
      request,
      databaseName,
      stop() {
        stopping ??= (async () => {
          if (child.connected) child.send({ kind: 'stop' } satisfies Message)
          await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 10_000))])
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await exited
          await cleanup()
        })()
        return stopping
      },
    }
  } catch (error) {
    child.kill('SIGKILL')
    await cleanup()
    throw error
  }
}

async function signIn(ready: Ready): Promise<string> {
  const response = await fetch(`${ready.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ready.email, password: ready.password }),
  })
  if (response.status !== 201) throw new Error(`POST /api/v1/sessions answered ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { token: string }).token
}

async function sanityCheck(ready: Ready, token: string) {
  const page = await fetch(`${ready.url}/api/v1/cases?page=${middlePage}`, { headers: { authorization: `Bearer ${token}` } })
  const body = (await page.json()) as { rows: unknown[]; total: number }
  if (page.status !== 200 || body.rows.length !== pageSize || body.total !== caseCount) {
    throw new Error(`GET /api/v1/cases?page=${middlePage}: status ${page.status}, ${body.rows?.length} rows of ${body.total}; expected ${pageSize} of ${caseCount}`)
  }
  const signInPage = await fetch(`${ready.url}/sign-in`)
  if (signInPage.status !== 200 || !(await signInPage.text()).includes('Sign in to Hearth')) throw new Error(`GET /sign-in answered ${signInPage.status}`)
}

/**
 * autocannon stops at the deadline without waiting for the requests in flight: wait until Hearth answers
 * /healthz (which queries the database, through the same pool) promptly again before the next scenario.
 */
async function drain(url: string) {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const start = performance.now()
    await fetch(`${url}/healthz`).then(r => r.arrayBuffer())
    if (performance.now() - start < 100) return
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  log('warning: Hearth was still busy 120 s after the load stopped')
}

const randomPage = () => 1 + Math.floor(Math.random() * pages)

/**
 * Walks the whole list by cursor, as an API client would, and keeps every page's cursor ('' for the first); checks
 * that the walk sees every case exactly once. The cursor scenario then asks for a random one of these pages.
 */
async function collectCursors(ready: Ready, token: string): Promise<string[]> {
  const cursors: string[] = []
  const seen = new Set<string>()
  let after: string | null = ''
  while (after !== null && cursors.length <= pages) {
    cursors.push(after)
    const response = await fetch(`${ready.url}/api/v1/cases?after=${encodeURIComponent(after)}`, { headers: { authorization: `Bearer ${token}` } })
    const body = (await response.json()) as { rows: { id: string }[]; nextCursor: string | null }
    if (response.status !== 200) throw new Error(`GET /api/v1/cases?after=${after}: status ${response.status}`)
    for (const row of body.rows) seen.add(row.id)
    after = body.nextCursor
  }
  if (seen.size !== caseCount || cursors.length !== pages) throw new Error(`walking the case list by cursor saw ${seen.size} cases in ${cursors.length} pages; expected ${caseCount} in ${pages}`)
  return cursors
}

let cursors: string[] = []
const randomCursor = () => encodeURIComponent(cursors[Math.floor(Math.random() * cursors.length)]!)

type Scenario = keyof typeof scenarios

/**
 * A capacity step (open loop): requests arrive at random (a Poisson process) at `rate` a second, whatever the answers
 * do, over at most `connections` keep-alive connections. Latency runs from when a request was due, so time spent
 * waiting for a free connection counts (no coordinated omission). autocannon's own rate limit sends each connection's
 * requests on the same ticks, in bursts of 50, which measures the bursts rather than the service.
 */
async function openLoop(base: string, path: () => string, token: string, rate: number, seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const { hostname, port } = new URL(base)
  const latencies: number[] = []
  let errors = 0
  let non2xx = 0
  const started = performance.now()
  const end = started + seconds * 1000
  const inFlight: Promise<void>[] = []
  let due = started
  while (due < end) {
    const wait = due - performance.now()
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait))
    const scheduled = due
    inFlight.push(new Promise<void>(resolve => {
      const request = http.request({ agent, hostname, port, path: path(), headers: { authorization: `Bearer ${token}` } }, response => {
        response.resume()
        response.on('end', () => {
          latencies.push(performance.now() - scheduled)
          if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) non2xx++
          resolve()
        })
      })
      request.on('error', () => { errors++; resolve() })
      request.end()
    }))
    due += (-Math.log(1 - Math.random()) * 1000) / rate
  }
  await Promise.all(inFlight)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0)
  return {
    latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(latencies.at(-1) ?? 0) },
    requests: { average: latencies.length / seconds, total: latencies.length },
    errors, non2xx,
  } as unknown as Result
}

function load(url: string, scenario: Scenario, token: string, seconds: number, rate?: number) {
  // A different page of 25 on every request, across all 400: by number, or entered at its cursor.
  const path = scenario === 'case-list-cursor' ? () => `/api/v1/cases?after=${randomCursor()}` : () => `/api/v1/cases?page=${randomPage()}`
  if (rate) return openLoop(url, path, token, rate, seconds)
  if (scenario === 'sign-in') return autocannon({ url: `${url}/sign-in`, connections, duration: seconds, timeout: 30 })
  return autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ method: 'GET', setupRequest: request => ({ ...request, path: path() }) }],
  })
}

const scenarios = {
  'sign-in': 'GET /sign-in',
  'case-list': `GET /api/v1/cases?page=1..${pages} (25 of ${caseCount.toLocaleString('en-GB')}, bearer)`,
  'case-list-cursor': `GET /api/v1/cases?after=cursor of page 1..${pages} (25 of ${caseCount.toLocaleString('en-GB')}, bearer, no count)`,
} as const

/** Interrupted (Ctrl-C): stop the server and drop its database before leaving. */
let stopCurrent: (() => Promise<void>) | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`)
    void (stopCurrent?.() ?? Promise.resolve()).finally(() => process.exit(130))
  })
}

const CLOCK_TICKS_PER_SECOND = 100 // Linux USER_HZ, what /proc/<pid>/stat counts in

/**
 * CPU milliseconds used so far by each PostgreSQL backend serving one database: pids from pg_stat_activity,
 * user + system time from /proc (the server runs on this machine). Null when /proc cannot be read.
 */
async function postgresCpuMs(databaseName: string): Promise<Map<number, number> | null> {
  const c = new pg.Client({ connectionString: args.postgres })
  await c.connect()
  try {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName])
    const out = new Map<number, number>()
    for (const { pid } of rows) {
      try {
        // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND)
      } catch { return null }
    }
    return out
  } finally {
    await c.end()
  }
}

/**
 * The backends' CPU between two readings: a backend in both counts its difference, one that started in between
 * counts all of its time. One that ended in between (the pool closes idle connections) is lost, so this can
 * undercount a little, never overcount.
 */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0
  for (const [pid, used] of after) ms += used - (before.get(pid) ?? 0)
  return ms
}

async function runEngine(engine: 'pglite' | 'postgres'): Promise<EngineRun> {
  const before = os.loadavg()
  const server = await startEngine(engine)
  stopCurrent = server.stop
  try {
    const { ready } = server
    log(`${engine}: PostgreSQL ${ready.serverVersion}; migrations ${(ready.timings.migrateMs / 1000).toFixed(1)} s, seed ${(ready.timings.seedMs / 1000).toFixed(1)} s; serving at ${ready.url}`)
    const token = await signIn(ready)
    await sanityCheck(ready, token)
    log(`${engine}: serial profile of one case-list request (page ${middlePage})`)
    const profile = await server.request<Profile>({ kind: 'profile', token, page: middlePage, iterations: 50 }, 'profile')
    const rows: Row[] = []
    cursors = await collectCursors(ready, token)
    // Closed loop first (every user asks again as soon as answered: the most the machine serves), then, on the
    // server, capacity steps: the same users asking at a fixed total rate, to find the load p99 stays under 100 ms at.
    const steps: { scenario: Scenario; rate?: number }[] = [
      { scenario: 'sign-in' }, { scenario: 'case-list' }, { scenario: 'case-list-cursor' },
      ...(engine === 'postgres' ? rates.map(rate => ({ scenario: 'case-list-cursor' as const, rate })) : []),
    ]
    for (const { scenario, rate } of steps) {
      const label = rate ? `${scenarios[scenario]}, ${rate} a second arriving at random (open loop)` : scenarios[scenario]
      if (warmup > 0 && !rate) {
        await load(ready.url, scenario, token, warmup)
        await drain(ready.url)
      }
      log(`${engine}: ${label}: ${connections} connections for ${duration} s`)
      const cpuBefore = { node: (await server.request<Cpu>({ kind: 'cpu' }, 'cpu')).nodeMs, postgres: server.databaseName ? await postgresCpuMs(server.databaseName) : null }
      const result = await load(ready.url, scenario, token, duration, rate)
      const cpuAfter = { node: (await server.request<Cpu>({ kind: 'cpu' }, 'cpu')).nodeMs, postgres: server.databaseName ? await postgresCpuMs(server.databaseName) : null }
      const requests = Math.max(1, result.requests.total ?? 1)
      const cpu: CpuPerRequest = {
        nodeMs: (cpuAfter.node - cpuBefore.node) / requests,
        postgresMs: cpuBefore.postgres === null || cpuAfter.postgres === null ? null : postgresCpuBetween(cpuBefore.postgres, cpuAfter.postgres) / requests,
      }
      rows.push({ engine, scenario, label, ...(rate ? { offeredRate: rate } : {}), result, cpu })
      await drain(ready.url)
      log(`${engine}: ${scenario}${rate ? ` at ${rate}/s` : ''}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${Math.round(result.requests.average)} req/s, ${result.errors} errors, ${result.non2xx} non-2xx; CPU a request: Node ${cpu.nodeMs.toFixed(2)} ms${cpu.postgresMs === null ? '' : `, PostgreSQL ${cpu.postgresMs.toFixed(2)} ms`}`)
    }
    const stats = await server.request<Stats>({ kind: 'stats' }, 'stats')
    return { engine, ready, profile, stats, rows, load: { before, after: os.loadavg() } }
  } finally {
    stopCurrent = undefined
    await server.stop()
  }
}

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  const pgliteVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version
  const autocannonVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version
  let commit = 'unknown'
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    commit = git('rev-parse', '--short', 'HEAD')
    const dirty = git('status', '--porcelain')
    if (dirty) commit += ` plus ${dirty.split('\n').length} uncommitted or untracked file(s) in the working tree`
  } catch { /* not a git checkout */ }
  return {
    commit,
    cpu: model,
    cores: os.availableParallelism(),
    ramGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    pgliteVersion,
    autocannonVersion,
  }
}

const ms = (n: number) => (Number.isInteger(n) ? `${n}` : n.toFixed(1))

function table(runs: EngineRun[]): string[] {
  const lines = [
    '| Engine | Scenario | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | Requests/s (mean) | Requests | Errors | Non-2xx | CPU a request (ms): Hearth process + PostgreSQL server |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  for (const run of runs) {
    for (const { label, result, cpu } of run.rows) {
      const cpuCell = cpu.postgresMs === null ? `${cpu.nodeMs.toFixed(2)}` : `${cpu.nodeMs.toFixed(2)} + ${cpu.postgresMs.toFixed(2)} = ${(cpu.nodeMs + cpu.postgresMs).toFixed(2)}`
      const engineName = run.engine === 'pglite' ? `PGlite (PostgreSQL ${run.ready.serverVersion}, embedded)` : `PostgreSQL ${run.ready.serverVersion} (server)`
      lines.push(
        `| ${engineName} | ${label} | ${ms(result.latency.p50)} | ${ms(result.latency.p90)} | ${ms(result.latency.p99)} | ${ms(result.latency.max)} | ${Math.round(result.requests.average).toLocaleString('en-GB')} | ${result.requests.total?.toLocaleString('en-GB') ?? ''} | ${result.errors} | ${result.non2xx} | ${cpuCell} |`,
      )
    }
  }
  return lines
}

/** The top of a plan, which shows where the rows go; row-level security makes the full text very long. */
function planExcerpt(plan: string, maxLines = 45, width = 180): string[] {
  const lines = plan.split('\n')
  const shown = lines.slice(0, maxLines).map(l => (l.length > width ? `${l.slice(0, width)}…` : l))
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more lines (run with BENCH_PRINT_PLAN=1 to print the whole plan)`)
  const summary = lines.filter(l => /^(Planning|Execution) Time/.test(l))
  return lines.length > maxLines ? [...shown, ...summary] : shown
}

function report(runs: EngineRun[], command: string, started: Date): string {
  const m = machine()
  const lines = [
    `Run on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\`.`,
    '',
    `- Code: commit ${m.commit}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}`,
    `- Node ${m.node}; autocannon ${m.autocannonVersion}; PGlite ${m.pgliteVersion}${runs.find(r => r.engine === 'pglite') ? ` (PostgreSQL ${runs.find(r => r.engine === 'pglite')!.ready.serverVersion} in WebAssembly)` : ''}; PostgreSQL server ${runs.find(r => r.engine === 'postgres')?.ready.serverVersion ?? 'not run'}`,
    `- Other load on the machine (1/5/15-minute load averages, before and after each engine): ${runs.map(r => `${r.engine} ${r.load.before.map(x => x.toFixed(1)).join('/')} → ${r.load.after.map(x => x.toFixed(1)).join('/')}`).join('; ')}`,
    `- Load: ${connections} connections, ${warmup} s warm-up (not recorded) then ${duration} s a scenario; ${caseCount.toLocaleString('en-GB')} cases visible to one IDVA manager; Hearth in production mode in its own process, request logs at info to /dev/null, pg pool of 10 connections`,
    '',
    ...table(runs),
    '',
  ]
  for (const run of runs) {
    const stepped = run.rows.filter(r => r.offeredRate)
    if (stepped.length === 0) continue
    // A step is met when the offered rate was served (at least 95% of it) with p99 under 100 ms and no errors.
    const met = stepped.filter(r => r.result.latency.p99 < 100 && r.result.requests.average >= 0.95 * r.offeredRate! && r.result.errors === 0 && r.result.non2xx === 0)
    const missed = stepped.filter(r => !met.includes(r))
    const describe = (r: Row) => `${r.offeredRate}/s (p99 ${ms(r.result.latency.p99)} ms, ${Math.round(r.result.requests.average)} served a second)`
    lines.push(
      `Capacity on ${run.engine} (requests arriving at random; a step is met when at least 95% of the offered rate is served with p99 under 100 ms and no errors): `
        + `met at ${met.length ? met.map(describe).join(', ') : 'no rate tried'}; missed at ${missed.length ? missed.map(describe).join(', ') : 'no rate tried'}. `
        + `Each step is ${duration} s, so its p99 rests on its slowest 1% of a few hundred to a thousand requests: one pause (a checkpoint, garbage collection) can decide a step.`,
      '',
    )
  }
  const truncated = runs.flatMap(r => r.rows).filter(r => r.result.latency.max > duration * 500)
  if (truncated.length) {
    lines.push(
      `Latency percentiles count only the responses received within the ${duration} s window. Where the max is near the window itself (${truncated.map(r => `${r.engine} ${r.scenario}`).join(', ')}), requests still queued when it closed are missing from them, so the true tail is longer than shown.`,
      '',
    )
  }
  for (const run of runs) {
    lines.push(
      `Serial profile on ${run.engine} (one request at a time, before the load; median and 90th percentile of up to 50 runs):`,
      '',
      '| Step | Runs | Median (ms) | p90 (ms) |',
      '|---|--:|--:|--:|',
      ...run.profile.steps.map(s => `| ${s.step} | ${s.runs} | ${s.medianMs.toFixed(2)} | ${s.p90Ms.toFixed(2)} |`),
      '',
      `Audit rows written during the ${run.engine} run: ${Object.entries(run.stats.auditByAction).map(([a, n]) => `${a} ${n.toLocaleString('en-GB')}`).join(', ')}.`,
      '',
      `<details><summary>Plan of the page-${middlePage} query on ${run.engine}, as hearth_app with row-level security</summary>`,
      '',
      '```',
      ...planExcerpt(run.profile.explain ?? ''),
      '```',
      '',
      '</details>',
      '',
    )
  }
  return lines.join('\n')
}

const START = '<!-- bench:results:start (written by bench/run.ts; do not edit by hand) -->'
const END = '<!-- bench:results:end -->'

function write(file: string, results: string) {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  const block = `${START}\n${results}\n${END}`
  const a = existing.indexOf(START.slice(0, 24))
  const b = existing.indexOf(END)
  const next = a >= 0 && b > a
    ? `${existing.slice(0, a)}${block}${existing.slice(b + END.length)}`
    : `${existing || '# Performance\n\n## Latest results\n\n'}${block}\n`
  fs.writeFileSync(file, next)
}

async function main() {
  const started = new Date()
  const argv = process.argv.slice(2).join(' ')
  const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${argv ? ` -- ${argv}` : ''}` : `node bench/run.ts${argv ? ` ${argv}` : ''}`
  const runs: EngineRun[] = []
  for (const engine of engines) runs.push(await runEngine(engine))
  console.log('')
  console.log(table(runs).join('\n'))
  console.log('')
  for (const run of runs) {
    console.log(`Serial profile, ${run.engine}:`)
    for (const s of run.profile.steps) console.log(`  ${s.step.padEnd(52)} median ${s.medianMs.toFixed(2).padStart(8)} ms   p90 ${s.p90Ms.toFixed(2).padStart(8)} ms`)
    if (process.env.BENCH_PRINT_PLAN) console.log(run.profile.explain)
  }
  if (!args['no-write']) {
    write(args.out, report(runs, command, started))
    log(`results written to ${path.relative(process.cwd(), args.out)}`)
  }
  log(`done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`)
}

main().catch(error => {
  console.error(error)
  process.exit(1)
})
