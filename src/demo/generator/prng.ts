/**
 * A small seeded pseudo-random number generator for the demo data generator.
 *
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 32-bit) seeded from a string key through a
 * 32-bit string hash (cyrb128). It is fast, passes PractRand to large sizes and, unlike Math.random, is
 * reproducible: the same key always gives the same sequence on every platform. Never use it for anything
 * that needs to be unpredictable (ids of real records, tokens): it is for synthetic data only.
 */

/** cyrb128: hashes a string to four 32-bit words (used only to seed sfc32). */
const cyrb128 = (text: string): [number, number, number, number] => {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

const hex = (word: number): string => (word >>> 0).toString(16).padStart(8, '0')

/** A weighted choice table: build once, sample many times (binary search on the cumulative weights). */
export class Weighted<T> {
  readonly items: readonly T[]
  readonly cumulative: Float64Array
  readonly total: number

  constructor(entries: readonly (readonly [T, number])[]) {
    const kept = entries.filter(([, weight]) => weight > 0)
    if (kept.length === 0) {
      throw new Error('A weighted choice needs at least one entry with a weight above 0')
    }
    this.items = kept.map(([item]) => item)
    this.cumulative = new Float64Array(kept.length)
    let total = 0
    kept.forEach(([, weight], index) => {
      if (!Number.isFinite(weight)) {
        throw new Error(`Weights must be finite numbers; got ${weight}`)
      }
      total += weight
      this.cumulative[index] = total
    })
    this.total = total
  }

  sample(rng: Rng): T {
    const target = rng.float() * this.total
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.cumulative[mid] ?? 0) > target) {
        hi = mid
      } else {
        lo = mid + 1
      }
    }
    return this.items[lo] as T
  }
}

/** sfc32 with convenience draws. Every method advances the sequence deterministically. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(key: string) {
    const [a, b, c, d] = cyrb128(key)
    this.a = a
    this.b = b
    this.c = c
    this.d = d
    // Discard the first outputs: sfc32 mixes poorly for the first few rounds from similar seeds.
    for (let i = 0; i < 15; i++) {
      this.next()
    }
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const a = this.a
    const b = this.b
    const c = this.c
    const d = this.d
    const t = (((a + b) | 0) + d) | 0
    this.d = (d + 1) | 0
    this.a = b ^ (b >>> 9)
    this.b = (c + (c << 3)) | 0
    const rotated = (c << 21) | (c >>> 11)
    this.c = (rotated + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296
  }

  /** A whole number from `min` to `max`, both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new Error('Cannot pick from an empty list')
    }
    return items[Math.floor(this.float() * items.length)] as T
  }

  /** A standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.float()
    const v = this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** A Poisson-distributed count with the given mean (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) {
      return 0
    }
    if (mean > 30) {
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()))
    }
    const limit = Math.exp(-mean)
    let k = 0
    let p = this.float()
    while (p > limit) {
      k++
      p *= this.float()
    }
    return k
  }

  /** A UUID-shaped string (version 4 layout) made from this generator's output: deterministic, not secret. */
  uuid(): string {
    const w0 = this.next()
    const w1 = this.next()
    const w2 = ((this.next() & 0x0fffffff) | 0x40000000) >>> 0
    const w3 = ((this.next() & 0x3fffffff) | 0x80000000) >>> 0
    const s0 = hex(w0)
    const s1 = hex(w1)
    const s2 = hex(w2)
    const s3 = hex(w3)
    return `${s0}-${s1.slice(0, 4)}-${s2.slice(0, 4)}-${s3.slice(0, 4)}-${s1.slice(4)}${s2.slice(4)}${s3.slice(4)}`
  }
}
