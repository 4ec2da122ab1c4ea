/**
 * The linkage benchmark (issue 7, goals G1-G8 in shared/domain/linkage.md), on the deterministic synthetic
 * data (src/domains/linkage/synthetic.ts, generator v1, seed 42) with its ground truth.
 *
 *   node bench/linkage.ts                          # 1,000,000 records
 *   node bench/linkage.ts --records 100000         # quicker
 *   node bench/linkage.ts --parts plaintext,dice   # some parts only
 *
 * Each part runs in a child process of its own, so its peak memory (maxRSS) is its own:
 * - plaintext: linkage end to end from records in memory (normalise → block → u → λ → EM → score → cluster →
 *   count), accuracy against the truth (pairwise and cluster precision, recall, F1; blocking recall; the
 *   number of people at each threshold and its error), time (wall and CPU) and memory;
 * - encoded: the agency-side encoding (tokens, field filters and a 1,024-bit CLK per record) and linkage of
 *   the encodings, with the same accuracy measures;
 * - dice: Dice comparisons of 1,024-bit CLKs per second with the WebAssembly popcount kernel (threshold 0.7,
 *   as anonlink's benchmark), and with plain TypeScript for comparison.
 *
 * Rates "per core" are per CPU-second of the process (user + system), which does not depend on what else
 * the machine is running; wall-clock times are given beside them. The core is single-threaded.
 * Prints a table; writes nothing (the numbers go into docs/performance.md by hand).
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Encoder } from '../src/domains/linkage/clk.ts'
import { cluster } from '../src/domains/linkage/cluster.ts'
import { dice, DiceKernel, popcount } from '../src/domains/linkage/dice.ts'
import { blockingRecall, clusterScores, pairwise } from '../src/domains/linkage/evaluate.ts'
import { link, type LinkResult } from '../src/domains/linkage/pipeline.ts'
import { prepareEncoded, preparePlain } from '../src/domains/linkage/prepare.ts'
import { calibration, generate, type SyntheticData } from '../src/domains/linkage/synthetic.ts'

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    parts: { type: 'string', default: 'plaintext,encoded,dice' },
    part: { type: 'string' },
    threshold: { type: 'string', default: '0.8' },
    conflict: { type: 'string', default: '0.05' },
  },
})
const records = Number(args.records)
const thresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]

type Clock = { wall: number; cpu: number }
function timer() {
  const wall = performance.now()
  const cpu = process.cpuUsage()
  return (): Clock => {
    const used = process.cpuUsage(cpu)
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 }
  }
}
const maxRssGb = () => process.resourceUsage().maxRSS / 1024 / 1024

/** Accuracy of one linkage result at several thresholds. */
function accuracy(data: SyntheticData, result: LinkResult, conflictBelow: number) {
  const c = result.candidates
  const blocking = blockingRecall(data.truth, c.a, c.b, c.count)
  const byThreshold = thresholds.map(threshold => {
    const clustered = cluster(data.records.length, c, { threshold, conflictBelow })
    const s = clusterScores(data.truth, clustered.clusterOf)
    const p = pairwise(data.truth, c.a, c.b, c.weight, c.count, threshold)
    return { threshold, pairwise: p, cluster: { precision: s.precision, recall: s.recall, f1: s.f1 }, people: s.clusters, countError: s.countError }
  })
  return { blockingRecall: blocking.recall, truePairs: blocking.truePairs, people: data.people, byThreshold }
}

function plaintextPart() {
  const data = generate({ records, seed: args.seed })
  const cal = calibration(data)
  const t = timer()
  const tPrepare = timer()
  const prepared = preparePlain(data.records, { maxYear: 2026 })
  const prepare = tPrepare()
  const result = link(prepared, { threshold: Number(args.threshold), conflictBelow: Number(args.conflict) })
  const total = t()
  const acc = accuracy(data, result, Number(args.conflict))
  return {
    part: 'plaintext', records, calibration: cal, total, prepare, timings: result.timings, candidatePairs: result.candidatePairs,
    blocking: result.blocking, pairsPerSecondPerCore: result.candidatePairs / result.timings.scoring.cpu, maxRssGb: maxRssGb(), accuracy: acc,
    model: { lambda: result.model.probabilityTwoRandomRecordsMatch, runs: result.model.training.runs.map(r => ({ blockedOn: r.blockedOn, pairs: r.pairs, iterations: r.iterations, converged: r.converged })) },
  }
}

function encodedPart() {
  const data = generate({ records, seed: args.seed })
  const encoder = new Encoder(Buffer.from('the partnership agencies\u2019 shared secret for the benchmark'), { clk: true, maxYear: 2026 })
  const tEncode = timer()
  const encoded = data.records.map(r => encoder.encode(r))
  const encode = tEncode()
  const t = timer()
  const prepared = prepareEncoded(encoded)
  const result = link(prepared, { threshold: Number(args.threshold), conflictBelow: Number(args.conflict) })
  const total = t()
  return {
    part: 'encoded', records, encode, encodingPerSecondPerCore: records / encode.cpu, total, timings: result.timings,
    candidatePairs: result.candidatePairs, maxRssGb: maxRssGb(), accuracy: accuracy(data, result, Number(args.conflict)),
  }
}

function dicePart() {
  const n = Math.min(records, 1_000_000)
  const data = generate({ records: n, seed: args.seed })
  const encoder = new Encoder(Buffer.from('the partnership agencies\u2019 shared secret for the benchmark'), { clk: true, maxYear: 2026 })
  const words = 32
  const clks = new Uint32Array(n * words)
  data.records.forEach((r, i) => clks.set(encoder.encode(r).clk!, i * words))
  const kernel = new DiceKernel(1024)
  kernel.load(clks, n)
  const queries = Math.max(20, Math.floor(100_000_000 / n))
  let found = 0
  const t = timer()
  for (let q = 0; q < queries; q++) found += kernel.scan(clks, q * words, 0.7).count
  const wasm = t()
  const jsQueries = Math.max(2, Math.floor(queries / 20))
  const pops = new Uint16Array(n)
  for (let i = 0; i < n; i++) pops[i] = popcount(clks, i * words, words)
  let jsFound = 0
  const tj = timer()
  for (let q = 0; q < jsQueries; q++) for (let i = 0; i < n; i++) if (dice(clks, q * words, clks, i * words, words, pops[q]!, pops[i]!) >= 0.7) jsFound++
  const js = tj()
  return {
    part: 'dice', clks: n, comparisons: queries * n, found, wasm, wasmPerSecondPerCore: (queries * n) / wasm.cpu, wasmPerSecondWall: (queries * n) / wasm.wall,
    jsComparisons: jsQueries * n, js, jsPerSecondPerCore: (jsQueries * n) / js.cpu, jsFound, maxRssGb: maxRssGb(),
  }
}

if (args.part) {
  const result = args.part === 'plaintext' ? plaintextPart() : args.part === 'encoded' ? encodedPart() : dicePart()
  process.stdout.write(JSON.stringify(result))
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------------
// Orchestration and the table

const self = fileURLToPath(import.meta.url)
const results: Record<string, any> = {}
for (const part of args.parts.split(',')) {
  const started = performance.now()
  process.stderr.write(`running ${part} on ${records.toLocaleString('en-GB')} records...\n`)
  const out = execFileSync(process.execPath, ['--max-old-space-size=7600', self, '--part', part, '--records', String(records), '--seed', args.seed, '--threshold', args.threshold, '--conflict', args.conflict], { maxBuffer: 1 << 26 })
  results[part] = JSON.parse(out.toString())
  process.stderr.write(`  ${part} done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
}

const f = (x: number, d = 3) => x.toFixed(d)
const int = (x: number) => Math.round(x).toLocaleString('en-GB')
const lines: string[] = []
const row = (...cells: string[]) => lines.push(`| ${cells.join(' | ')} |`)
lines.push(`Linkage benchmark: ${int(records)} synthetic records (generator v1, seed ${args.seed}); ${os.cpus().length} CPUs, load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')}; Node ${process.version}`)
lines.push('')
const p = results.plaintext
if (p) {
  lines.push(`Calibration: forename disagreement ${f(p.calibration.forename)}, surname ${f(p.calibration.surname)} (targets 0.12, 0.18); ${int(p.accuracy.people)} true people, ${int(p.accuracy.truePairs)} true pairs`)
  lines.push('')
  row('Measure', 'Plaintext', 'Encoded', 'Goal')
  row('---', '---', '---', '---')
  const e = results.encoded
  row('End-to-end wall time (s)', f(p.total.wall, 1), e ? f(e.total.wall, 1) : '', 'G2 ≤ 60 s for 1M')
  row('End-to-end CPU time (s)', f(p.total.cpu, 1), e ? f(e.total.cpu, 1) : '', '')
  row('Peak memory (GB, maxRSS, whole process)', f(p.maxRssGb, 2), e ? f(e.maxRssGb, 2) : '', 'G2 ≤ 8 GB')
  row('Candidate pairs', int(p.candidatePairs), e ? int(e.candidatePairs) : '', '10–20 per record')
  row('Pairs scored per CPU-second', int(p.pairsPerSecondPerCore), e ? int(e.candidatePairs / e.timings.scoring.cpu) : '', 'G1 ≥ 1,000,000')
  row('Blocking recall', f(p.accuracy.blockingRecall, 4), e ? f(e.accuracy.blockingRecall, 4) : '', 'G3 ≥ 0.97')
  for (const t of p.accuracy.byThreshold) {
    const et = e?.accuracy.byThreshold.find((x: any) => x.threshold === t.threshold)
    row(`Cluster P / R / F1 at ${t.threshold}`, `${f(t.cluster.precision)} / ${f(t.cluster.recall)} / ${f(t.cluster.f1)}`, et ? `${f(et.cluster.precision)} / ${f(et.cluster.recall)} / ${f(et.cluster.f1)}` : '', 'G3 F1 ≥ 0.96')
  }
  for (const t of p.accuracy.byThreshold) {
    const et = e?.accuracy.byThreshold.find((x: any) => x.threshold === t.threshold)
    row(`Pairwise P / R / F1 at ${t.threshold}`, `${f(t.pairwise.precision)} / ${f(t.pairwise.recall)} / ${f(t.pairwise.f1)}`, et ? `${f(et.pairwise.precision)} / ${f(et.pairwise.recall)} / ${f(et.pairwise.f1)}` : '', '')
  }
  const range = (acc: any) => {
    const people = acc.byThreshold.map((t: any) => t.people)
    const errors = acc.byThreshold.map((t: any) => t.countError * 100)
    return `${int(Math.min(...people))}–${int(Math.max(...people))} (${f(Math.min(...errors), 1)}% to ${f(Math.max(...errors), 1)}%)`
  }
  row(`People across thresholds ${thresholds.join(', ')} (error)`, range(p.accuracy), e ? range(e.accuracy) : '', 'G3 error ≤ 3 %')
  for (const t of p.accuracy.byThreshold) {
    const et = e?.accuracy.byThreshold.find((x: any) => x.threshold === t.threshold)
    row(`People at ${t.threshold} (error)`, `${int(t.people)} (${f(t.countError * 100, 1)}%)`, et ? `${int(et.people)} (${f(et.countError * 100, 1)}%)` : '', '')
  }
  if (e) row('Encoding records per CPU-second (tokens, filters, CLK)', '', int(e.encodingPerSecondPerCore), 'G6 ≥ 20,000')
  lines.push('')
  lines.push('Phases, plaintext (wall / CPU seconds): ' + [['normalise and block keys', p.prepare], ...Object.entries(p.timings)].map(([k, v]: any) => `${k} ${f(v.wall, 1)} / ${f(v.cpu, 1)}`).join('; '))
  if (e) lines.push('Phases, encoded (wall / CPU seconds): encoding ' + `${f(e.encode.wall, 1)} / ${f(e.encode.cpu, 1)}; ` + Object.entries(e.timings).map(([k, v]: any) => `${k} ${f(v.wall, 1)} / ${f(v.cpu, 1)}`).join('; '))
  lines.push('Blocking rules (pairs added, largest block): ' + p.blocking.map((b: any) => `${b.rule}: ${int(b.pairs)}, ${b.largestBlock}`).join('; '))
  lines.push(`EM: λ = ${p.model.lambda.toExponential(3)}; runs ${p.model.runs.map((r: any) => `${r.blockedOn} (${int(r.pairs)} pairs, ${r.iterations} iterations${r.converged ? '' : ', NOT converged'})`).join(', ')}`)
}
const d = results.dice
if (d) {
  lines.push('')
  lines.push(`Dice on 1,024-bit CLKs (${int(d.clks)} CLKs, threshold 0.7): WebAssembly ${int(d.wasmPerSecondPerCore)} comparisons per CPU-second (${int(d.wasmPerSecondWall)} per wall second; ${int(d.comparisons)} comparisons, ${int(d.found)} kept); plain TypeScript ${int(d.jsPerSecondPerCore)} per CPU-second. Goal G7 ≥ 80,000,000.`)
}
console.log(lines.join('\n'))
