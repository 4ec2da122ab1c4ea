/**
 * HMAC-SHA256 for many short messages (RFC 2104 over FIPS 180-4 SHA-256).
 *
 * node:crypto's HMAC costs a native call and an object per message: about 4 µs, which makes encoding a
 * million records with a dozen keyed hashes each take a minute. Here the key's inner and outer pads are
 * hashed ONCE into two SHA-256 mid-states, so each message costs two compressions in plain TypeScript on
 * reused typed arrays (a message of up to 55 bytes is one block). The output is checked against
 * node:crypto's createHmac in the tests (RFC 4231 vectors and random messages).
 */

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const IV = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

const W = new Uint32Array(64)

/** One SHA-256 compression of the 64-byte block at `offset` in `block` into `state` (8 words). */
function compress(state: Uint32Array, block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const o = offset + t * 4
    W[t] = (block[o]! << 24) | (block[o + 1]! << 16) | (block[o + 2]! << 8) | block[o + 3]!
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!
    const w2 = W[t - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const ch = (e & f) ^ (~e & g)
    const t1 = (h + S1 + ch + K[t]! + W[t]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const maj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = (S0 + maj) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

const encoder = new TextEncoder()

/** SHA-256 of bytes (used to shorten keys longer than a block). */
export function sha256(bytes: Uint8Array): Uint8Array {
  const state = IV.slice()
  const blocks = Math.ceil((bytes.length + 9) / 64)
  const buffer = new Uint8Array(blocks * 64)
  buffer.set(bytes)
  buffer[bytes.length] = 0x80
  const bits = bytes.length * 8
  const view = new DataView(buffer.buffer)
  view.setUint32(buffer.length - 4, bits >>> 0)
  view.setUint32(buffer.length - 8, Math.floor(bits / 4294967296))
  for (let b = 0; b < blocks; b++) compress(state, buffer, b * 64)
  const out = new Uint8Array(32)
  const outView = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, state[i]!)
  return out
}

export class HmacSha256 {
  private readonly innerState = new Uint32Array(8)
  private readonly outerState = new Uint32Array(8)
  private readonly state = new Uint32Array(8)
  private buffer = new Uint8Array(256)
  private readonly outerBlock = new Uint8Array(64)

  constructor(key: Uint8Array) {
    const k = key.length > 64 ? sha256(key) : key
    const pad = new Uint8Array(64)
    this.innerState.set(IV)
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36
    compress(this.innerState, pad, 0)
    this.outerState.set(IV)
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c
    compress(this.outerState, pad, 0)
    // the outer message is always the 32-byte inner hash: its padding never changes
    this.outerBlock[32] = 0x80
    const bits = (64 + 32) * 8
    this.outerBlock[62] = (bits >>> 8) & 0xff
    this.outerBlock[63] = bits & 0xff
  }

  /** HMAC of a UTF-8 string into `out` (32 bytes, or fewer to truncate). */
  digestInto(message: string, out: Uint8Array): Uint8Array {
    // worst case 3 bytes per UTF-16 unit, plus padding
    const need = message.length * 3 + 72
    if (need > this.buffer.length) this.buffer = new Uint8Array(need * 2)
    const buffer = this.buffer
    const length = encoder.encodeInto(message, buffer).written
    const blocks = Math.floor((length + 8) / 64) + 1
    const end = blocks * 64
    buffer[length] = 0x80
    buffer.fill(0, length + 1, end)
    const bits = (64 + length) * 8
    buffer[end - 4] = (bits >>> 24) & 0xff
    buffer[end - 3] = (bits >>> 16) & 0xff
    buffer[end - 2] = (bits >>> 8) & 0xff
    buffer[end - 1] = bits & 0xff
    buffer[end - 5] = Math.floor(bits / 4294967296) & 0xff
    const state = this.state
    state.set(this.innerState)
    for (let b = 0; b < blocks; b++) compress(state, buffer, b * 64)
    const outer = this.outerBlock
    for (let i = 0; i < 8; i++) {
      const w = state[i]!
      outer[i * 4] = w >>> 24
      outer[i * 4 + 1] = (w >>> 16) & 0xff
      outer[i * 4 + 2] = (w >>> 8) & 0xff
      outer[i * 4 + 3] = w & 0xff
    }
    state.set(this.outerState)
    compress(state, outer, 0)
    const n = Math.min(out.length, 32)
    for (let i = 0; i < n; i++) out[i] = (state[i >>> 2]! >>> (24 - 8 * (i & 3))) & 0xff
    return out
  }

  /** HMAC of a UTF-8 string: 32 bytes. */
  digest(message: string): Uint8Array {
    return this.digestInto(message, new Uint8Array(32))
  }
}
