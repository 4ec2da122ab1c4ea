import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { fixtureFiles } from '../../../test/fixtures/imports/generate.ts'
import { fixture } from './testSupport.ts'

describe('import fixtures', () => {
  it('the committed text fixtures are what generate.ts writes (node test/fixtures/imports/generate.ts)', () => {
    for (const [name, bytes] of Object.entries(fixtureFiles())) {
      expect(new Uint8Array(readFileSync(fixture(name))), name).toEqual(bytes)
    }
  })

  it('the Windows-1252 fixture really holds £ as 0xA3 and é as 0xE9', () => {
    const bytes = readFileSync(fixture('windows-1252.csv'))
    expect(bytes.includes(Buffer.from([0xa3, 0x32, 0x35, 0x30]))).toBe(true) // £250
    expect(bytes.includes(Buffer.from('Ren\xe9e', 'latin1'))).toBe(true)
    expect(bytes.includes(Buffer.from('£', 'utf8'))).toBe(false)
  })

  it('the LibreOffice fixtures are committed with the command that made them', () => {
    for (const name of ['idva-libreoffice.xlsx', 'idva-libreoffice-1252.csv', 'idva-libreoffice-source.csv', 'README.md']) {
      expect(existsSync(fixture(name)), name).toBe(true)
    }
    expect(readFileSync(fixture('README.md'), 'utf8')).toContain('soffice --headless')
    const app = readFileSync(fixture('idva-libreoffice.xlsx'))
    expect(app.subarray(0, 2).toString('latin1')).toBe('PK')
  })
})
