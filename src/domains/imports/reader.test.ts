import { describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { ImportFileError } from './errors.ts'
import { cellText, columnLetter, openTable, readRows } from './reader.ts'
import { collect, excelWorkbook, fixture, fixtureBytes, once, trickle } from './testSupport.ts'

async function fileError(p: Promise<unknown>): Promise<ImportFileError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(ImportFileError)
    return e as ImportFileError
  }
  throw new Error('expected an ImportFileError')
}

describe('CSV encodings', () => {
  it('(a) reads a Windows-1252 CSV with £ and é, and says it was read as Windows-1252', async () => {
    const t = await openTable(fixture('windows-1252.csv'))
    expect(t.meta).toMatchObject({ format: 'csv', encoding: 'windows-1252', encodingSource: 'fallback', bom: false })
    expect(t.meta.warnings).toHaveLength(1)
    expect(t.meta.warnings[0]).toContain('Windows-1252')
    expect(t.meta.warnings[0]).toContain('line 2')
    const rows = await collect(t.rows)
    expect(rows[0]!.cells['Forename']).toBe('Renée')
    expect(rows[0]!.cells['Surname']).toBe('Dupré')
    expect(rows[0]!.cells['Notes']).toBe('Owes £250 rent arrears')
    expect(rows[1]!.cells['Forename']).toBe('Zoë')
    expect(rows[1]!.cells['Notes']).toBe('Café job')
  })

  it('reads Windows-1252 without a warning when the mapping declares it', async () => {
    const t = await openTable(fixture('windows-1252.csv'), { encoding: 'windows-1252' })
    expect(t.meta).toMatchObject({ encoding: 'windows-1252', encodingSource: 'declared', warnings: [] })
    expect((await collect(t.rows))[0]!.cells['Notes']).toBe('Owes £250 rent arrears')
  })

  it('reads UTF-8 with and without a BOM to the same cells as the Windows-1252 file', async () => {
    const w = await collect(readRows(fixture('windows-1252.csv')))
    const bom = await openTable(fixture('utf8-bom.csv'))
    expect(bom.meta).toMatchObject({ encoding: 'utf-8', encodingSource: 'bom', bom: true, warnings: [] })
    expect(bom.headers[0]).toBe('Case Ref') // the BOM is not part of the first header
    const withBom = await collect(bom.rows)
    const noBom = await openTable(fixture('utf8-no-bom.csv'))
    expect(noBom.meta).toMatchObject({ encoding: 'utf-8', encodingSource: 'detected', bom: false, warnings: [] })
    const without = await collect(noBom.rows)
    expect(withBom.map((r) => ({ ...r.cells }))).toEqual(w.map((r) => ({ ...r.cells })))
    expect(without.map((r) => ({ ...r.cells }))).toEqual(w.map((r) => ({ ...r.cells })))
  })

  it('wrong encoding: refuses bytes that are neither UTF-8 nor Windows-1252, naming the line', async () => {
    const e = await fileError(collect(readRows(fixture('wrong-encoding.csv'))))
    expect(e.code).toBe('encoding')
    expect(e.message).toContain('0x81')
    expect(e.message).toContain('line 2')
    expect(e.details.line).toBe(2)
  })

  it('wrong encoding: a Windows-1252 file declared as UTF-8 is an error, not mojibake', async () => {
    const e = await fileError(collect(readRows(fixture('windows-1252.csv'), { encoding: 'utf-8' })))
    expect(e.code).toBe('encoding')
    expect(e.message).toMatch(/declared as UTF-8 but is not valid UTF-8 at line 2/)
  })

  it('refuses a UTF-8 file declared as Windows-1252 (BOM present), and UTF-16', async () => {
    expect((await fileError(openTable(fixture('utf8-bom.csv'), { encoding: 'windows-1252' }))).code).toBe('encoding')
    const utf16 = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\r\n1,2\r\n', 'utf16le')]))
    const e = await fileError(openTable(utf16))
    expect(e.message).toContain('UTF-16')
  })

  it('decodes a UTF-8 character split across chunks', async () => {
    const bytes = new Uint8Array(Buffer.from('name,amount\nRenée,£5\n€,😀\n', 'utf8'))
    const rows = await collect(readRows(trickle(bytes, 1)))
    expect(rows.map((r) => ({ ...r.cells }))).toEqual([{ name: 'Renée', amount: '£5' }, { name: '€', amount: '😀' }])
  })

  it('one-shot stream: judges the encoding from the first 64 KiB and says so', async () => {
    const t = await openTable(once(fixtureBytes('windows-1252.csv')))
    expect(t.meta.encodingSource).toBe('fallback')
    expect(t.meta.warnings[0]).toContain('first 64 KiB')
    expect((await collect(t.rows))[0]!.cells['Notes']).toBe('Owes £250 rent arrears')
  })

  it('one-shot stream: a non-UTF-8 byte after the first 64 KiB stops the import with a clear message', async () => {
    const lines = ['id,name']
    for (let i = 0; i < 5000; i++) lines.push(`${i},plain ascii name ${i}`)
    const head = Buffer.from(lines.join('\n') + '\n', 'utf8')
    expect(head.length).toBeGreaterThan(64 * 1024)
    const bytes = new Uint8Array(Buffer.concat([head, iconv.encode('5000,Renée\n', 'win1252')]))
    const t = await openTable(once(bytes))
    expect(t.meta.encoding).toBe('utf-8')
    const e = await fileError(collect(t.rows))
    expect(e.code).toBe('encoding')
    expect(e.message).toContain('line 5002')
    expect(e.message).toMatch(/Declare its encoding/)
  })
})

describe('CSV structure', () => {
  it('keeps quoted newlines inside one row, numbering rows as a spreadsheet does', async () => {
    const rows = await collect(readRows(fixture('quoted-newlines.csv')))
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4])
    expect(rows[0]!.cells['Notes']).toBe('First line\nsecond line\r\nthird line')
    expect(rows[0]!.line).toBe(2)
    expect(rows[1]!.cells['Notes']).toBe('Said "leave now", then left')
    expect(rows[1]!.line).toBeGreaterThan(4) // after the three physical lines of row 2
    expect(rows[2]!.cells).toEqual(Object.assign(Object.create(null), { 'Case Ref': 'C003', 'Client ID': 'P003', 'Referral Date': '2021-04-05', Notes: 'plain' }))
  })

  it('empty file: a clear error', async () => {
    const e = await fileError(openTable(fixture('empty.csv')))
    expect(e.code).toBe('empty-file')
    expect(e.message).toBe('The file is empty: it has no header row and no data rows.')
    expect((await fileError(openTable(fixture('blank-lines-only.csv')))).code).toBe('empty-file')
  })

  it('header-only file: a clear error', async () => {
    const e = await fileError(openTable(fixture('header-only.csv')))
    expect(e.code).toBe('header-only')
    expect(e.message).toBe('The file has a header row (row 1, 16 columns) but no data rows.')
  })

  it('skips blank rows but keeps counting them', async () => {
    const rows = await collect(readRows(new Uint8Array(Buffer.from('\r\na,b\r\n1,2\r\n\r\n,\r\n3,4\r\n'))))
    expect(rows.map((r) => [r.rowNumber, r.cells['a']])).toEqual([[3, '1'], [6, '3']])
  })

  it('handles mixed line endings', async () => {
    const rows = await collect(readRows(new Uint8Array(Buffer.from('a,b\r\n1,2\n3,4\r5,6'))))
    expect(rows.map((r) => r.cells['b'])).toEqual(['2', '4', '6'])
  })

  it('refuses duplicate column names', async () => {
    const e = await fileError(openTable(new Uint8Array(Buffer.from('Name,DOB,name\n1,2,3\n'))))
    expect(e.code).toBe('duplicate-header')
    expect(e.message).toContain('"name" (columns A and C)')
  })

  it('reports values beyond the header or under a blank header as row issues', async () => {
    const rows = await collect(readRows(new Uint8Array(Buffer.from('a,,c\n1,x,3,4\n5,,6\n'))))
    expect(rows[0]!.issues).toEqual(['value "x" in column B, which has no header', 'value "4" in column D, beyond the last column of the header'])
    expect(rows[1]!.issues).toBeUndefined()
    expect(Object.keys(rows[0]!.cells)).toEqual(['a', 'c'])
  })

  it('an unclosed quote is a malformed-file error, and cannot swallow a large file', async () => {
    const lines = ['a,b', '1,"never closed']
    for (let i = 0; i < 50_000; i++) lines.push(`${i},value ${i}`)
    const e = await fileError(collect(readRows(new Uint8Array(Buffer.from(lines.join('\n'))), { maxRecordSize: 64 * 1024 })))
    expect(e.code).toBe('malformed-csv')
    expect(e.message).toMatch(/quote/)
  })

  it('uses headerRow when a title row sits above the header', async () => {
    const t = await openTable(new Uint8Array(Buffer.from('IDVA referrals 2021-22,\nid,name\n1,Ann\n')), { headerRow: 2 })
    expect(t.headers).toEqual(['id', 'name'])
    expect((await collect(t.rows)).map((r) => r.rowNumber)).toEqual([3])
  })

  it('refuses old .xls and .ods files with a message', async () => {
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])
    expect((await fileError(openTable(xls))).message).toContain('.xls')
  })

  it('counts bytes for a progress bar', async () => {
    const t = await openTable(fixture('utf8-bom.csv'))
    await collect(t.rows)
    expect(t.progress.totalBytes).toBe(fixtureBytes('utf8-bom.csv').length)
    expect(t.progress.bytesRead).toBe(t.progress.totalBytes)
  })
})

describe('XLSX', () => {
  it('reads a workbook saved by LibreOffice: first sheet, date cells as ISO, £ and é, cell line breaks', async () => {
    const t = await openTable(fixture('idva-libreoffice.xlsx'))
    expect(t.meta.format).toBe('xlsx')
    expect(t.meta.sheetName).toBe('idva-libreoffice-source')
    expect(t.headers).toHaveLength(16)
    const rows = await collect(t.rows)
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4, 5, 6])
    expect(rows[0]!.cells['Forename']).toBe('Renée')
    expect(rows[0]!.cells['DOB']).toBe('1985-02-14')
    expect(rows[0]!.cells['Referral Date']).toBe('2021-04-03')
    expect(rows[0]!.cells['Closed']).toBe('')
    expect(rows[0]!.cells['Notes']).toBe('Owes £250 rent\nCalled twice')
    expect(rows[0]!.cells['DASH']).toBe('16')
    expect(rows[1]!.cells['Closed']).toBe('2021-06-30')
  })

  it('reads the same rows from the LibreOffice XLSX and the CSV LibreOffice saved in Windows-1252', async () => {
    const x = await collect(readRows(fixture('idva-libreoffice.xlsx')))
    const c = await openTable(fixture('idva-libreoffice-1252.csv'))
    expect(c.meta.encoding).toBe('windows-1252')
    const crows = await collect(c.rows)
    expect(crows.map((r) => ({ ...r.cells }))).toEqual(x.map((r) => ({ ...r.cells })))
  })

  it('reads an Excel-style workbook: built-in date format, formulas, rich text, numbers; only the first sheet', async () => {
    const bytes = await excelWorkbook((wb) => {
      const ws = wb.addWorksheet('Referrals')
      ws.addRow(['Case Ref', 'Referral Date', 'Score', 'Name', 'Flag', 'Total'])
      ws.addRow(['C1', new Date(Date.UTC(2021, 3, 3)), 14, { richText: [{ text: 'Re' }, { text: 'née', font: { bold: true } }] }, true, { formula: 'C2*2', result: 28 }])
      ws.addRow([])
      ws.addRow(['C2', new Date(Date.UTC(2021, 11, 25, 13, 45)), 0, 'Zoë', false, { formula: 'C4*2+1', result: 1 }])
      ws.getColumn(2).numFmt = 'mm-dd-yy' // Excel's built-in short date (numFmtId 14)
      const other = wb.addWorksheet('Lookups')
      other.addRow(['ignored'])
    })
    const t = await openTable(bytes)
    expect(t.meta.sheetName).toBe('Referrals')
    const rows = await collect(t.rows)
    expect(rows.map((r) => ({ n: r.rowNumber, ...r.cells }))).toEqual([
      { n: 2, 'Case Ref': 'C1', 'Referral Date': '2021-04-03', Score: '14', Name: 'Renée', Flag: 'TRUE', Total: '28' },
      { n: 4, 'Case Ref': 'C2', 'Referral Date': '2021-12-25T13:45:00', Score: '0', Name: 'Zoë', Flag: 'FALSE', Total: '1' },
    ])
  })

  it('empty and header-only workbooks are clear errors', async () => {
    const empty = await excelWorkbook((wb) => void wb.addWorksheet('Sheet1'))
    expect((await fileError(openTable(empty))).code).toBe('empty-file')
    const headerOnly = await excelWorkbook((wb) => void wb.addWorksheet('Sheet1').addRow(['Case Ref', 'Client ID']))
    const e = await fileError(openTable(headerOnly))
    expect(e.code).toBe('header-only')
    expect(e.message).toContain('2 columns')
  })

  it('a truncated workbook is a malformed-xlsx error', async () => {
    const bytes = fixtureBytes('idva-libreoffice.xlsx').slice(0, 2000)
    const e = await fileError(collect(readRows(bytes)))
    expect(e.code).toBe('malformed-xlsx')
    expect(e.message).toContain('could not be read as an Excel workbook')
  })

  it('a workbook with a corrupt worksheet fails instead of hanging', async () => {
    const bytes = fixtureBytes('idva-libreoffice.xlsx')
    bytes[3000]! ^= 0xff // inside the compressed sheet1.xml
    bytes[3001]! ^= 0xff
    const e = await fileError(collect(readRows(bytes, { xlsxStallTimeoutMs: 300 })))
    expect(e.code).toBe('malformed-xlsx')
    expect(e.message).toContain('stopped making progress')
  })

  it('turns cell values into text', () => {
    expect(cellText(new Date(Date.UTC(1985, 1, 14)))).toBe('1985-02-14')
    expect(cellText({ error: '#N/A' })).toBe('#N/A')
    expect(cellText({ formula: 'A1' })).toBe('=A1')
    expect(cellText({ text: 'link', hyperlink: 'http://x' })).toBe('link')
    expect(cellText(12.5)).toBe('12.5')
    expect(columnLetter(0)).toBe('A')
    expect(columnLetter(27)).toBe('AB')
  })
})
