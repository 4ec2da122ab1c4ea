/**
 * Dice similarity of bit vectors (Bloom-filter encodings), 2·|A∧B| / (|A| + |B|): 1 when equal, 0 when
 * no bit in common (a SIMILARITY, like anonlink's).
 *
 * Two implementations:
 * - dice(): plain TypeScript with a SWAR popcount, for the short field filters compared pair by pair;
 * - DiceKernel: a WebAssembly kernel using `i64.popcnt`, for scanning many long encodings (1,024-bit CLKs)
 *   against one. The module is assembled here from its instructions (no toolchain, no npm package): the
 *   query's 64-bit words are held in locals and the inner loop is fully unrolled for the encoding length.
 *   It keeps only scores at or above a threshold, as anonlink's candidate generation does.
 */

/** Number of set bits in a 32-bit word. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** Set bits in `words` words of `bits` from `offset`. */
export function popcount(bits: Uint32Array, offset = 0, words = bits.length - offset): number {
  let c = 0
  for (let w = 0; w < words; w++) c += popcount32(bits[offset + w]!)
  return c
}

/**
 * Dice SIMILARITY of two bit vectors of `words` 32-bit words, given their popcounts. Two empty vectors
 * have similarity 0 (nothing is known, so nothing agrees).
 */
export function dice(a: Uint32Array, offA: number, b: Uint32Array, offB: number, words: number, popA: number, popB: number): number {
  const total = popA + popB
  if (total === 0) return 0
  let c = 0
  for (let w = 0; w < words; w++) c += popcount32(a[offA + w]! & b[offB + w]!)
  return (2 * c) / total
}

// ---------------------------------------------------------------------------------------------------
// A tiny WebAssembly assembler: just what the kernel needs.

const I32 = 0x7f
const I64 = 0x7e
const F64 = 0x7c

function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const str = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')]
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()]

const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br_if: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32load: 0x28, i64load: 0x29, i32load16u: 0x2f, i32store: 0x36, f32store: 0x38,
  i32const: 0x41,
  i32eqz: 0x45, i32ltu: 0x49, f64ge: 0x66,
  i32add: 0x6a, i32shl: 0x74,
  i64popcnt: 0x7b, i64add: 0x7c, i64and: 0x83,
  f64mul: 0xa2, f64div: 0xa3, i32wrapi64: 0xa7, f32demotef64: 0xb6, f64converti32u: 0xb8,
}

/**
 * The scan function for encodings of `words64` 64-bit words:
 *   scan(query, base, n, queryPop, pops, threshold, outIndex, outScore) → count
 * For i in [0, n): c = popcount(query ∧ base[i]); keeps i and 2c/(queryPop + pops[i]) when at least threshold.
 * Addresses are byte offsets in the imported memory; pops are 16-bit counts.
 */
function scanModule(words64: number): Uint8Array {
  // parameters 0..7, then locals
  const P = { query: 0, base: 1, n: 2, qpop: 3, pops: 4, threshold: 5, outIndex: 6, outScore: 7 }
  const L = { i: 8, k: 9, ptr: 10, cnt: 11, twoC: 12, denom: 13, q0: 14 }
  const body: number[] = []
  const emit = (...bytes: number[]) => body.push(...bytes)
  for (let w = 0; w < words64; w++) emit(op.get, P.query, op.i64load, 3, ...uleb(8 * w), op.set, L.q0 + w)
  emit(op.get, P.base, op.set, L.ptr)
  emit(op.block, op.void)
  emit(op.get, P.n, op.i32eqz, op.br_if, 0)
  emit(op.loop, op.void)
  for (let w = 0; w < words64; w++) {
    emit(op.get, L.q0 + w, op.get, L.ptr, op.i64load, 3, ...uleb(8 * w), op.i64and, op.i64popcnt)
    if (w > 0) emit(op.i64add)
  }
  emit(op.i32wrapi64, op.set, L.cnt)
  emit(op.get, L.cnt, op.i32const, 1, op.i32shl, op.f64converti32u, op.set, L.twoC)
  emit(op.get, P.qpop, op.get, P.pops, op.get, L.i, op.i32const, 1, op.i32shl, op.i32add, op.i32load16u, 1, 0, op.i32add, op.f64converti32u, op.set, L.denom)
  emit(op.get, L.twoC, op.get, P.threshold, op.get, L.denom, op.f64mul, op.f64ge)
  emit(op.if, op.void)
  emit(op.get, P.outIndex, op.get, L.k, op.i32const, 2, op.i32shl, op.i32add, op.get, L.i, op.i32store, 2, 0)
  emit(op.get, P.outScore, op.get, L.k, op.i32const, 2, op.i32shl, op.i32add, op.get, L.twoC, op.get, L.denom, op.f64div, op.f32demotef64, op.f32store, 2, 0)
  emit(op.get, L.k, op.i32const, 1, op.i32add, op.set, L.k)
  emit(op.end)
  emit(op.get, L.ptr, op.i32const, ...sleb(8 * words64), op.i32add, op.set, L.ptr)
  emit(op.get, L.i, op.i32const, 1, op.i32add, op.tee, L.i, op.get, P.n, op.i32ltu, op.br_if, 0)
  emit(op.end) // loop
  emit(op.end) // block
  emit(op.get, L.k)
  emit(op.end) // function

  const locals = vec([
    [...uleb(4), I32], // i, k, ptr, cnt
    [...uleb(2), F64], // twoC, denom
    [...uleb(words64), I64], // q words
  ])
  const code = [...locals, ...body]
  const funcType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [F64], [I32], [I32]]), ...vec([[I32]])]
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([funcType])),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...str('scan'), 0x00, 0x00]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]
  return new Uint8Array(bytes)
}

type ScanFn = (query: number, base: number, n: number, qpop: number, pops: number, threshold: number, outIndex: number, outScore: number) => number

/**
 * Many encodings of one length in WebAssembly memory, scanned by Dice against a query. Load once with
 * load(), then call scan() per query. Memory grows as needed.
 */
export class DiceKernel {
  readonly words32: number
  private readonly memory: WebAssembly.Memory
  private readonly fn: ScanFn
  private n = 0
  private baseOffset = 0
  private popsOffset = 0
  private queryOffset = 0
  private outIndexOffset = 0
  private outScoreOffset = 0

  /** `bits`: the encoding length, a multiple of 64. */
  constructor(bits: number) {
    if (bits % 64 !== 0 || bits <= 0) throw new Error('The encoding length must be a positive multiple of 64 bits')
    this.words32 = bits / 32
    this.memory = new WebAssembly.Memory({ initial: 1 })
    const module = new WebAssembly.Module(scanModule(bits / 64) as BufferSource)
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } })
    this.fn = instance.exports.scan as ScanFn
  }

  /** Copies `n` encodings (n × words32 words) into the kernel's memory, with their popcounts. */
  load(encodings: Uint32Array, n: number): void {
    const bytesPerRecord = this.words32 * 4
    this.n = n
    this.queryOffset = 0
    this.baseOffset = 1024 + bytesPerRecord
    this.popsOffset = this.baseOffset + n * bytesPerRecord
    this.outIndexOffset = align(this.popsOffset + 2 * n, 8)
    this.outScoreOffset = this.outIndexOffset + 4 * n
    const needed = this.outScoreOffset + 4 * n
    const pages = Math.ceil(needed / 65536)
    const current = this.memory.buffer.byteLength / 65536
    if (pages > current) this.memory.grow(pages - current)
    const words = new Uint32Array(this.memory.buffer)
    words.set(encodings.subarray(0, n * this.words32), this.baseOffset / 4)
    const pops = new Uint16Array(this.memory.buffer, this.popsOffset, n)
    for (let i = 0; i < n; i++) pops[i] = popcount(encodings, i * this.words32, this.words32)
  }

  /**
   * Scores encodings [from, to) against `query` (words32 words from `queryOffset` in `source`) and returns the
   * indices and Dice scores of those at or above `threshold`. The arrays are views into kernel memory,
   * valid until the next call.
   */
  scan(source: Uint32Array, queryOffset: number, threshold: number, from = 0, to = this.n): { count: number; index: Uint32Array; score: Float32Array } {
    const words = new Uint32Array(this.memory.buffer)
    words.set(source.subarray(queryOffset, queryOffset + this.words32), this.queryOffset / 4)
    const qpop = popcount(source, queryOffset, this.words32)
    const bytesPerRecord = this.words32 * 4
    const count = qpop === 0 || to <= from
      ? 0
      : this.fn(this.queryOffset, this.baseOffset + from * bytesPerRecord, to - from, qpop, this.popsOffset + 2 * from, threshold, this.outIndexOffset, this.outScoreOffset)
    const index = new Uint32Array(this.memory.buffer, this.outIndexOffset, count)
    for (let k = 0; k < count; k++) index[k] = index[k]! + from
    return { count, index, score: new Float32Array(this.memory.buffer, this.outScoreOffset, count) }
  }
}

const align = (n: number, to: number) => Math.ceil(n / to) * to
