/** Helpers shared by the import tests (not used by production code). */
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import ExcelJS from 'exceljs'
import { parseMapping, type Mapping } from './mapping.ts'

export const fixtureDir = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'imports')
export const fixture = (name: string) => join(fixtureDir, name)
export const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixture(name)))
export const idvaMapping = (): Mapping => parseMapping(JSON.parse(readFileSync(fixture('idva-mapping.json'), 'utf8')))

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** Splits bytes into tiny chunks, to exercise chunk boundaries (e.g. inside a UTF-8 character). */
export function trickle(bytes: Uint8Array, size = 1): () => AsyncIterable<Uint8Array> {
  return async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
  }
}

/** A one-shot stream (as from an HTTP upload). */
export async function* once(bytes: Uint8Array, size = 16 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

/** Writes an XLSX with ExcelJS, the way Excel lays one out (date cells, a second sheet...). */
export async function excelWorkbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  wb.created = new Date('2026-01-01T00:00:00Z')
  wb.modified = new Date('2026-01-01T00:00:00Z')
  build(wb)
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

/** The fictional test profile (profiles/fictional-test.json), with extra agencies the import tests use. */
export function fictionalProfile(extraAgencies: readonly { code: string; name: string; kind: string }[] = [], partnershipCode?: string): Record<string, unknown> {
  const profile = JSON.parse(readFileSync(join(fixtureDir, '..', '..', '..', 'profiles', 'fictional-test.json'), 'utf8')) as {
    partnership: { code: string }
    agencies: { code: string }[]
  }
  profile.agencies.push(...extraAgencies.map((a) => ({ ...a })))
  if (partnershipCode) profile.partnership.code = partnershipCode
  return profile
}

/** The agencies the import fixtures need beyond the fictional profile's own. */
export const extraFixtureAgencies = [
  { code: 'nc-marac', name: 'Northmoor & Castlebridge MARAC', kind: 'local-authority' },
  { code: 'cambs-idva', name: 'IDVA service (LibreOffice fixtures)', kind: 'idva-service' },
  { code: 'test', name: 'Test agency', kind: 'other' },
] as const

export const readJsonFixture = (name: string): unknown => JSON.parse(readFileSync(fixture(name), 'utf8'))
