/**
 * Text encoding of CSV files: UTF-8 (with or without BOM) or Windows-1252.
 *
 * Decision (documented in docs/data-standard.md):
 * 1. A UTF-8 byte-order mark means UTF-8. A UTF-16 mark is refused with a message (Excel's "Unicode text").
 * 2. A declared encoding (the mapping's `encoding`, or the caller's option) is used strictly:
 *    invalid UTF-8 in a file declared UTF-8 is an error naming the line, never replaced silently.
 * 3. Otherwise (`auto`): a file that is valid UTF-8 throughout is UTF-8. A file that is not is decoded as
 *    Windows-1252 (what Excel on a UK Windows PC writes for "CSV (Comma delimited)"), and the result's
 *    metadata says so with a warning naming the first non-UTF-8 byte, so the preview can show it.
 *    For a re-readable source (a file path, bytes, or a stream factory) the whole file is checked first,
 *    in one streaming pass. For a one-shot stream only the first 64 KiB can be checked; if an invalid
 *    byte turns up later, the import stops with an `encoding` error asking for the encoding to be declared.
 * 4. Bytes that Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are an error: the file is in
 *    some other encoding and decoding it would produce mojibake.
 */
import iconv from 'iconv-lite'
import { ImportFileError } from './errors.ts'

export type DeclaredEncoding = 'auto' | 'utf-8' | 'windows-1252'
export type TextEncodingName = 'utf-8' | 'windows-1252'
export type EncodingSource = 'bom' | 'declared' | 'detected' | 'fallback'

export interface EncodingDecision {
  readonly encoding: TextEncodingName
  readonly source: EncodingSource
  readonly bom: boolean
  readonly warnings: readonly string[]
}

export const SNIFF_BYTES = 64 * 1024

const UTF8_BOM = [0xef, 0xbb, 0xbf]
const undefined1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d]

export function hasUtf8Bom(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === UTF8_BOM[0] && head[1] === UTF8_BOM[1] && head[2] === UTF8_BOM[2]
}

export function utf16Bom(head: Uint8Array): boolean {
  return head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
}

/**
 * Index of the first byte that cannot start or continue a valid UTF-8 sequence, or -1.
 * An incomplete sequence at the very end is not counted as invalid when `final` is false (it may
 * continue in the next chunk).
 */
export function firstInvalidUtf8(bytes: Uint8Array, final = true): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      min = 0x10000
    } else return i
    if (i + need >= n) {
      // the sequence runs past the end of the buffer
      if (final) return i
      for (let k = 1; i + k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i + k
      return -1
    }
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}

/** The trailing bytes of a chunk that start a UTF-8 sequence not finished in that chunk (0 to 3 bytes). */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  const n = bytes.length
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!
    if ((b & 0xc0) === 0x80) continue
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return len > back ? bytes.subarray(n - back) : new Uint8Array(0)
  }
  return new Uint8Array(0)
}

/** Counts line feeds, for error messages. */
function countLines(bytes: Uint8Array, end = bytes.length): number {
  let count = 0
  let pos = 0
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, end)
  while ((pos = buf.indexOf(10, pos)) !== -1) {
    count++
    pos++
  }
  return count
}

export interface Utf8ScanResult {
  readonly valid: boolean
  /** 0-based byte offset of the first invalid byte. */
  readonly byteOffset?: number
  /** 1-based line of the first invalid byte. */
  readonly line?: number
  readonly byte?: number
}

/** Streams through `chunks` once, checking that they form valid UTF-8. Constant memory. */
export async function scanUtf8(chunks: AsyncIterable<Uint8Array>, limit = Infinity): Promise<Utf8ScanResult> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let offset = 0
  let lines = 0
  let carry: Uint8Array = new Uint8Array(0)
  for await (const chunk of chunks) {
    const take = offset + chunk.length > limit ? chunk.subarray(0, Math.max(0, limit - offset)) : chunk
    try {
      decoder.decode(take, { stream: true })
    } catch {
      const joined = concat(carry, take)
      const idx = firstInvalidUtf8(joined, false)
      const at = idx < 0 ? 0 : idx
      return {
        valid: false,
        byteOffset: offset - carry.length + at,
        line: lines - countLines(carry) + countLines(joined, at) + 1,
        byte: joined[at]!,
      }
    }
    lines += countLines(take)
    offset += take.length
    carry = incompleteTail(take)
    if (offset >= limit) return { valid: true }
  }
  try {
    decoder.decode()
  } catch {
    return { valid: false, byteOffset: offset - 1, line: lines + 1 }
  }
  return { valid: true }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

const hex = (b: number | undefined) => (b === undefined ? '?' : `0x${b.toString(16).toUpperCase().padStart(2, '0')}`)

export function invalidUtf8Message(scan: Utf8ScanResult, declared: boolean): string {
  const where = `line ${scan.line ?? '?'} (byte ${scan.byteOffset ?? '?'}, value ${hex(scan.byte)})`
  return declared
    ? `The file is declared as UTF-8 but is not valid UTF-8 at ${where}. Save it again as "CSV UTF-8", or declare its encoding as windows-1252 if it was saved as "CSV (Comma delimited)".`
    : `The file looked like UTF-8 at the start but is not valid UTF-8 at ${where}. Declare its encoding (windows-1252 or utf-8) in the mapping, or save it again as "CSV UTF-8".`
}

/** Decodes UTF-8 strictly; a leading BOM is removed. Throws ImportFileError('encoding') on an invalid byte. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>, declared: boolean): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
  let offset = 0
  let lines = 0
  let carry: Uint8Array = new Uint8Array(0)
  for await (const chunk of chunks) {
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch {
      const joined = concat(carry, chunk)
      const idx = Math.max(0, firstInvalidUtf8(joined, false))
      const scan = {
        valid: false,
        byteOffset: offset - carry.length + idx,
        line: lines - countLines(carry) + countLines(joined, idx) + 1,
        byte: joined[idx]!,
      }
      throw new ImportFileError('encoding', invalidUtf8Message(scan, declared), { line: scan.line, byteOffset: scan.byteOffset })
    }
    lines += countLines(chunk)
    offset += chunk.length
    carry = incompleteTail(chunk)
    if (text) yield text
  }
  let tail: string
  try {
    tail = decoder.decode()
  } catch {
    throw new ImportFileError('encoding', `The file ends in the middle of a UTF-8 character (line ${lines + 1}). It may be truncated or not UTF-8.`, {
      line: lines + 1,
      byteOffset: offset,
    })
  }
  if (tail) yield tail
}

/** Decodes Windows-1252. Throws ImportFileError('encoding') on a byte that Windows-1252 leaves undefined. */
export async function* decodeWindows1252(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = iconv.getDecoder('windows1252')
  let offset = 0
  let lines = 0
  for await (const chunk of chunks) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    for (const b of undefined1252) {
      const idx = buf.indexOf(b)
      if (idx >= 0) {
        throw new ImportFileError(
          'encoding',
          `The file is neither valid UTF-8 nor Windows-1252: byte ${hex(b)} on line ${lines + countLines(chunk, idx) + 1} is not a Windows-1252 character. ` +
            `It was probably saved in another encoding; save it again as "CSV UTF-8".`,
          { line: lines + countLines(chunk, idx) + 1, byteOffset: offset + idx },
        )
      }
    }
    lines += countLines(chunk)
    offset += chunk.length
    const text = decoder.write(buf)
    if (text) yield text
  }
  const tail = decoder.end()
  if (tail) yield tail
}

export function decodeWith(decision: EncodingDecision, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  return decision.encoding === 'utf-8' ? decodeUtf8(chunks, decision.source === 'declared' || decision.source === 'bom') : decodeWindows1252(chunks)
}

export function fallbackWarning(scan: Utf8ScanResult, partial: boolean): string {
  return (
    `The file is not valid UTF-8 (first at line ${scan.line ?? '?'}, byte value ${hex(scan.byte)}), so it was read as Windows-1252` +
    `${partial ? ' (judged from the first 64 KiB)' : ''}. Check that accented letters and symbols such as £ and é look right in the preview; ` +
    `if they do not, save the file again as "CSV UTF-8".`
  )
}
