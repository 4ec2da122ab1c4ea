import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { balance, bigrams, Encoder, fromColumns, toColumns, xorFold } from './clk.ts'
import { dice, DiceKernel, popcount, popcount32 } from './dice.ts'
import { HmacSha256 } from './hmac.ts'
import { xorshift } from './model.ts'
import { link } from './pipeline.ts'
import { prepareEncoded, preparePlain } from './prepare.ts'
import { clusterScores } from './evaluate.ts'
import { generate } from './synthetic.ts'

const secret = Buffer.from('a secret shared by the agencies and never by Hearth')

describe('HMAC-SHA256', () => {
  it('matches RFC 4231 test case 2 and node:crypto on random keys and messages', () => {
    expect(Buffer.from(new HmacSha256(Buffer.from('Jefe')).digest('what do ya want for nothing?')).toString('hex'))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
    const random = xorshift(9)
    for (const keyLength of [1, 32, 64, 100]) {
      const key = Buffer.from(Array.from({ length: keyLength }, () => Math.floor(random() * 256)))
      const h = new HmacSha256(key)
      for (let length = 0; length < 140; length += 7) {
        const message = Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 400))).join('')
        expect(Buffer.from(h.digest(message)).toString('hex')).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'))
      }
    }
  })
})

describe('Dice similarity', () => {
  const words = (bits: number[]) => {
    const out = new Uint32Array(2)
    for (const b of bits) out[b >>> 5]! |= 1 << (b & 31)
    return out
  }

  it('counts bits', () => {
    expect(popcount32(0)).toBe(0)
    expect(popcount32(0xffffffff)).toBe(32)
    expect(popcount(Uint32Array.from([0b1011, 1 << 31]))).toBe(4)
  })

  it('is 1 for equal vectors, 0 with nothing in common, and falls as they differ', () => {
    const a = words([1, 2, 3, 4])
    const b = words([1, 2, 3, 40])
    const c = words([10, 20, 30, 40])
    const d = (x: Uint32Array, y: Uint32Array) => dice(x, 0, y, 0, 2, popcount(x), popcount(y))
    expect(d(a, a)).toBe(1)
    expect(d(a, b)).toBe(0.75)
    expect(d(a, c)).toBe(0)
    expect(d(a, b)).toBeGreaterThan(d(a, c))
    expect(d(new Uint32Array(2), new Uint32Array(2))).toBe(0)
  })

  it('the WebAssembly kernel gives the same scores as TypeScript, keeping only those at or above the threshold', () => {
    const n = 500
    const bits = 1024
    const w = bits / 32
    const random = xorshift(3)
    const encodings = new Uint32Array(n * w)
    for (let i = 0; i < encodings.length; i++) encodings[i] = (random() * 4294967296) & (random() * 4294967296)
    // make some near-copies of record 0
    for (let i = 1; i < 20; i++) for (let x = 0; x < w; x++) encodings[i * w + x] = encodings[x]! ^ (random() < 0.2 ? 1 << Math.floor(random() * 32) : 0)
    const kernel = new DiceKernel(bits)
    kernel.load(encodings, n)
    const result = kernel.scan(encodings, 0, 0.5)
    const expected: [number, number][] = []
    for (let i = 0; i < n; i++) {
      const s = dice(encodings, 0, encodings, i * w, w, popcount(encodings, 0, w), popcount(encodings, i * w, w))
      if (s >= 0.5) expected.push([i, s])
    }
    expect(result.count).toBe(expected.length)
    expect(result.count).toBeGreaterThanOrEqual(20)
    for (let k = 0; k < result.count; k++) {
      expect(result.index[k]).toBe(expected[k]![0])
      expect(result.score[k]).toBeCloseTo(expected[k]![1], 6)
    }
    const part = kernel.scan(encodings, 0, 0.5, 10, 15)
    expect([...part.index]).toEqual([10, 11, 12, 13, 14])
  })
})

describe('the agency-side encoder', () => {
  const person = { key: 'a:1', source: 'a', givenName: 'Małgorzata', familyName: 'Kowalska', dateOfBirth: '1985-06-12', postcode: 'PE1 2AB', sex: 'female' }

  it('is deterministic given the key, and different under another key', () => {
    const a = new Encoder(secret, { clk: true }).encode(person)
    const b = new Encoder(secret, { clk: true }).encode(person)
    expect(toColumns(a)).toEqual(toColumns(b))
    const other = new Encoder(Buffer.from('another secret, another partnership'), { clk: true }).encode(person)
    expect(other.tokens.fn).not.toBe(a.tokens.fn)
    expect([...other.filters.fn]).not.toEqual([...a.filters.fn])
  })

  it('writes no plaintext, and reads back what it wrote', () => {
    const encoded = new Encoder(secret, { clk: true }).encode(person)
    const cells = toColumns(encoded)
    const text = JSON.stringify(cells).toLowerCase()
    for (const value of ['malgorzata', 'małgorzata', 'kowalska', '1985', 'pe1', 'female']) expect(text).not.toContain(value)
    const back = fromColumns('a:1', 'a', cells)
    expect(back.tokens).toEqual(encoded.tokens)
    expect(back.blocking).toEqual(encoded.blocking)
    expect([...back.filters.sn]).toEqual([...encoded.filters.sn])
    expect([...back.clk!]).toEqual([...encoded.clk!])
  })

  it('keeps similar names similar: Dice of the bigram filters follows the names', () => {
    const enc = new Encoder(secret)
    const f = (givenName: string) => enc.encode({ ...person, givenName }).filters.fn
    const d = (x: Uint32Array, y: Uint32Array) => dice(x, 0, y, 0, x.length, popcount(x), popcount(y))
    expect(d(f('Katherine'), f('Katherine'))).toBe(1)
    expect(d(f('Katherine'), f('Katharine'))).toBeGreaterThan(0.7)
    expect(d(f('Katherine'), f('Katharine'))).toBeGreaterThan(d(f('Katherine'), f('Zofia')))
    expect(bigrams('ann')).toEqual([' a', 'an', 'nn', 'n '])
  })

  it('balanced CLKs have a constant weight, and XOR folding halves the length', () => {
    const enc = new Encoder(secret, { clk: true, balanced: true })
    const x = enc.encode(person).clk!
    const y = enc.encode({ ...person, givenName: 'Anna', dateOfBirth: null }).clk!
    expect(x.length).toBe(64)
    expect(popcount(x)).toBe(1024)
    expect(popcount(y)).toBe(1024)
    expect(xorFold(Uint32Array.from([1, 2, 3, 1])).length).toBe(2)
    expect([...xorFold(Uint32Array.from([1, 2, 3, 1]))]).toEqual([2, 3])
    expect(popcount(balance(Uint32Array.from([0xff]), Uint16Array.from({ length: 64 }, (_, i) => i)))).toBe(32)
  })

  it('links encoded records as well as plaintext ones (within 0.02 F1)', () => {
    const data = generate({ records: 3000, seed: 11 })
    const encoder = new Encoder(secret, { maxYear: 2026 })
    const plain = link(preparePlain(data.records, { maxYear: 2026 }), { threshold: 0.8, conflictBelow: 0.05 })
    const encoded = link(prepareEncoded(data.records.map(r => encoder.encode(r))), { threshold: 0.8, conflictBelow: 0.05 })
    expect(encoded.candidatePairs).toBe(plain.candidatePairs)
    const p = clusterScores(data.truth, plain.clusterOf).f1
    const e = clusterScores(data.truth, encoded.clusterOf).f1
    expect(e).toBeGreaterThan(0.9)
    expect(Math.abs(p - e)).toBeLessThan(0.02)
  })
})
