import { describe, expect, it } from 'vitest'
import { firstInvalidUtf8, scanUtf8 } from './encoding.ts'

async function* chunks(...parts: number[][]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new Uint8Array(p)
}

describe('UTF-8 checks', () => {
  it('finds the first invalid byte', () => {
    expect(firstInvalidUtf8(new Uint8Array(Buffer.from('Renée £5 😀')))).toBe(-1)
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xe9, 0x62]))).toBe(1) // Windows-1252 é
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0x80]))).toBe(0) // overlong
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0) // surrogate
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xc3]), false)).toBe(-1) // may continue in the next chunk
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xc3]), true)).toBe(1)
  })

  it('scans across chunk boundaries, reporting the line and offset of the first invalid byte', async () => {
    expect(await scanUtf8(chunks([0x61, 0xc3], [0xa9, 0x0a]))).toEqual({ valid: true })
    const r = await scanUtf8(chunks([0x61, 0x0a, 0x62, 0xc3], [0x41, 0x0a]))
    expect(r).toMatchObject({ valid: false, line: 2, byteOffset: 3, byte: 0xc3 }) // the lead byte whose sequence breaks
    const e = await scanUtf8(chunks([0x61, 0x0a, 0x0a], [0x62, 0xa3, 0x35]))
    expect(e).toMatchObject({ valid: false, line: 3, byteOffset: 4, byte: 0xa3 })
    expect(await scanUtf8(chunks([0x61, 0xe2, 0x82]))).toMatchObject({ valid: false }) // ends mid-character
  })
})
