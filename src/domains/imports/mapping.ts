/**
 * An agency's saved mapping: how its own spreadsheet turns into the partnership standard.
 *
 * A mapping names, for one agency and one dataset:
 * - `columns`: the agency's column name → the standard column (several agency columns may feed one
 *   multi-value column, e.g. "Disability 1" and "Disability 2" → `disability`);
 * - `values`: per standard column, the agency's own values → standard codes ("White - British" or "W1"
 *   → `white-british`; "Unknown" → `not-known`; "Prefer not to say" → `declined`). A target may be a list
 *   of codes for a multi-value column, or `null` to say that the agency value means "not recorded";
 * - `dateFormat`: the file's date layout (`DD/MM/YYYY`, `D/M/YY`...). ISO dates are always accepted;
 * - `multiValueSeparator` (default `;`), `encoding` (default auto), `headerRow` (default: the first non-blank row);
 * - `constants`: a value for a standard column that the file does not carry (e.g. `service: idva` for
 *   the IDVA service's own spreadsheet);
 * - `ignoreColumns`: agency columns deliberately left out. Any other unmapped column stops the import,
 *   unless `ignoreOtherColumns` is true, so that a renamed column is never dropped unnoticed.
 *
 * Values are matched ignoring case, repeated spaces and dash or quote variants ("White – British" matches
 * "White - British"). A standard code or its label is accepted as it is. Any other value is an ERROR that
 * names the value: nothing ever falls back to a default.
 */
import { z } from 'zod'
import {
  type CodedField,
  DECLINED,
  NOT_KNOWN,
  codeList,
  isValidCode,
  specialCodes,
  standardVersion,
} from '../../standard/codeLists.ts'
import {
  type AnyDatasetDef,
  type ColumnDef,
  type DatasetName,
  datasetNames,
  getDataset,
  isIsoDate,
  isoMonthPattern,
} from '../../standard/serviceEpisodes.ts'
import { dateFormatProblem, parseDate, parseMonth } from './dates.ts'
import { ImportFileError, type RowError } from './errors.ts'
import type { RawRow } from './reader.ts'

export const MAPPING_FORMAT = 'hearth-mapping/1'

const valueTarget = z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.null()])
export type ValueTarget = z.infer<typeof valueTarget>

const mappingObject = z.strictObject({
  /** The file format of mappings; bumped only if this schema changes incompatibly. */
  format: z.literal(MAPPING_FORMAT),
  agency: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/, 'agency code: letters, digits, - and _ only'),
  dataset: z.enum(datasetNames as [DatasetName, ...DatasetName[]]),
  /** The agency's revision of this mapping: 1, 2, 3... Saved with every import so it can be traced. */
  version: z.number().int().min(1),
  /** The version of the standard the mapping was written for. */
  standardVersion: z.string().min(1),
  description: z.string().optional(),
  encoding: z.enum(['auto', 'utf-8', 'windows-1252']).optional(),
  /** CSV field separator; default ','. */
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
  dateFormat: z.string().optional(),
  multiValueSeparator: z.string().min(1).max(5).optional(),
  headerRow: z.number().int().min(1).optional(),
  columns: z.record(z.string(), z.string()),
  ignoreColumns: z.array(z.string()).optional(),
  ignoreOtherColumns: z.boolean().optional(),
  values: z.record(z.string(), z.record(z.string(), valueTarget)).optional(),
  constants: z.record(z.string(), z.string()).optional(),
})

export const mappingSchema = mappingObject.superRefine((m, ctx) => {
  for (const problem of mappingProblems(m)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path })
})

export type Mapping = z.infer<typeof mappingObject>

/** Parses and checks a mapping (e.g. from JSON). Throws ImportFileError('invalid-mapping') listing every problem. */
export function parseMapping(input: unknown): Mapping {
  const result = mappingSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
  throw new ImportFileError('invalid-mapping', `The mapping is not valid:\n- ${problems.join('\n- ')}`, { problems })
}

/** Normalises a column name or value for matching: case, spaces, dashes and quotes. */
export function matchKey(value: string): string {
  let key = keyCache.get(value)
  if (key === undefined) {
    key = computeMatchKey(value)
    if (keyCache.size >= 20_000) keyCache.clear() // bounded: coded columns repeat a few values
    keyCache.set(value, key)
  }
  return key
}

const keyCache = new Map<string, string>()

function computeMatchKey(value: string): string {
  return value
    .normalize('NFC')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()
}

const specialsLookup = new Map<string, string>()
for (const s of specialCodes) {
  specialsLookup.set(matchKey(s.code), s.code)
  specialsLookup.set(matchKey(s.label), s.code)
}

/** Codes and labels of a list, by match key. */
const codeLookups = new Map<string, Map<string, string>>()
function codeLookup(field: CodedField): Map<string, string> {
  let lookup = codeLookups.get(field)
  if (lookup) return lookup
  lookup = new Map()
  const labelCount = new Map<string, number>()
  const list = codeList(field)
  for (const c of list.codes) labelCount.set(matchKey(c.label), (labelCount.get(matchKey(c.label)) ?? 0) + 1)
  for (const c of list.codes) {
    lookup.set(matchKey(c.code), c.code)
    if (labelCount.get(matchKey(c.label)) === 1 && !lookup.has(matchKey(c.label))) lookup.set(matchKey(c.label), c.code)
  }
  codeLookups.set(field, lookup)
  return lookup
}

// ---------------------------------------------------------------------------------------------------
// Checking a mapping against the standard

interface Problem {
  readonly path: (string | number)[]
  readonly message: string
}

function mappingProblems(m: Mapping): Problem[] {
  const problems: Problem[] = []
  const dataset = getDataset(m.dataset)
  const col = (name: string) => dataset.columns.find((c) => c.name === name)
  if (m.dateFormat !== undefined) {
    const p = dateFormatProblem(m.dateFormat)
    if (p) problems.push({ path: ['dateFormat'], message: p })
  }
  const targets = new Map<string, string[]>()
  const seenHeaders = new Map<string, string>()
  for (const [header, field] of Object.entries(m.columns)) {
    const key = matchKey(header)
    if (key === '') problems.push({ path: ['columns', header], message: 'a blank column name cannot be mapped' })
    if (seenHeaders.has(key)) problems.push({ path: ['columns', header], message: `the column "${header}" is listed twice (also as "${seenHeaders.get(key)}")` })
    seenHeaders.set(key, header)
    const def = col(field)
    if (!def) {
      problems.push({ path: ['columns', header], message: `"${field}" is not a column of ${m.dataset}` })
      continue
    }
    targets.set(field, [...(targets.get(field) ?? []), header])
  }
  for (const [field, headers] of targets) {
    if (headers.length > 1 && col(field)?.type !== 'multi-code') {
      problems.push({ path: ['columns'], message: `${headers.map((h) => `"${h}"`).join(' and ')} both map to ${field}; only multi-value columns can take several` })
    }
  }
  for (const header of m.ignoreColumns ?? []) {
    if (seenHeaders.has(matchKey(header))) problems.push({ path: ['ignoreColumns'], message: `"${header}" is both mapped and ignored` })
  }
  for (const [field, value] of Object.entries(m.constants ?? {})) {
    const def = col(field)
    if (!def) {
      problems.push({ path: ['constants', field], message: `"${field}" is not a column of ${m.dataset}` })
      continue
    }
    if (targets.has(field)) problems.push({ path: ['constants', field], message: `${field} has a constant and is also mapped from the column ${targets.get(field)!.map((h) => `"${h}"`).join(', ')}` })
    const p = targetProblem(def, value)
    if (p) problems.push({ path: ['constants', field], message: p })
  }
  for (const [field, table] of Object.entries(m.values ?? {})) {
    const def = col(field)
    if (!def) {
      problems.push({ path: ['values', field], message: `"${field}" is not a column of ${m.dataset}` })
      continue
    }
    const keys = new Map<string, string>()
    for (const [agencyValue, target] of Object.entries(table)) {
      const key = matchKey(agencyValue)
      if (key === '') {
        problems.push({ path: ['values', field, agencyValue], message: 'a blank cell always means "not recorded" and cannot be mapped' })
        continue
      }
      if (keys.has(key)) problems.push({ path: ['values', field, agencyValue], message: `"${agencyValue}" is listed twice (also as "${keys.get(key)}")` })
      keys.set(key, agencyValue)
      if (target === null) {
        if (def.required) problems.push({ path: ['values', field, agencyValue], message: `${field} is required, so no value can mean "not recorded"` })
        continue
      }
      if (Array.isArray(target)) {
        if (def.type !== 'multi-code') {
          problems.push({ path: ['values', field, agencyValue], message: `${field} takes one value, not a list` })
          continue
        }
        for (const t of target) {
          const p = targetProblem(def, t)
          if (p) problems.push({ path: ['values', field, agencyValue], message: p })
        }
        continue
      }
      const p = targetProblem(def, target)
      if (p) problems.push({ path: ['values', field, agencyValue], message: p })
    }
  }
  return problems
}

/** Why `target` cannot be a value of the column, or undefined if it can. */
function targetProblem(def: ColumnDef, target: string): string | undefined {
  const unknown = target === NOT_KNOWN || target === DECLINED
  if (unknown) return def.unknownAllowed ? undefined : `${def.name} does not accept ${target}`
  switch (def.type) {
    case 'code':
    case 'multi-code':
    case 'boolean-code':
      return isValidCode(def.codeList!, target) ? undefined : `"${target}" is not a code of ${def.codeList} (standard ${standardVersion})`
    case 'integer':
      return /^\d+$/.test(target) ? undefined : `"${target}" is not a whole number`
    case 'date':
      return isIsoDate(target) ? undefined : `"${target}" is not an ISO date (YYYY-MM-DD)`
    case 'month':
      return isoMonthPattern.test(target) ? undefined : `"${target}" is not a month (YYYY-MM)`
    case 'string':
      return undefined
  }
}

/**
 * The mapping for a file already in the standard's own layout: every standard column under its own
 * name, standard codes only, ISO dates. What `hearth import` can use when no mapping is given.
 */
export function identityMapping(agency: string, dataset: DatasetName): Mapping {
  return parseMapping({
    format: MAPPING_FORMAT,
    agency,
    dataset,
    version: 1,
    standardVersion,
    description: `The ${dataset} standard layout`,
    columns: Object.fromEntries(getDataset(dataset).columns.map((c) => [c.name, c.name])),
  })
}

// ---------------------------------------------------------------------------------------------------
// Compiled form, for applying to millions of rows

export interface CompiledMapping {
  readonly mapping: Mapping
  readonly dataset: AnyDatasetDef
  readonly separator: string
  /** match key of an agency column → standard column */
  readonly byHeader: ReadonlyMap<string, ColumnDef>
  /** standard column → the agency column names that feed it, as the mapping spells them */
  readonly headersFor: ReadonlyMap<string, readonly string[]>
  readonly values: ReadonlyMap<string, ReadonlyMap<string, ValueTarget>>
  readonly constants: ReadonlyMap<string, string>
  readonly ignored: ReadonlySet<string>
  /** file header text → standard column (null when unmapped); filled as headers are met */
  readonly fileHeaderCache: Map<string, ColumnDef | null>
  /** every column of the dataset set to null (not recorded) */
  readonly blankRow: Readonly<MappedRow>
}

const compiledCache = new WeakMap<Mapping, CompiledMapping>()

export function compileMapping(input: Mapping | CompiledMapping): CompiledMapping {
  if ('byHeader' in input) return input
  const cached = compiledCache.get(input)
  if (cached) return cached
  // checked in full even if it was built in code rather than parsed; treated as immutable from here on
  const mapping = parseMapping(input)
  const dataset = getDataset(mapping.dataset)
  const byHeader = new Map<string, ColumnDef>()
  const headersFor = new Map<string, string[]>()
  for (const [header, field] of Object.entries(mapping.columns)) {
    const def = dataset.columns.find((c) => c.name === field)!
    byHeader.set(matchKey(header), def)
    headersFor.set(field, [...(headersFor.get(field) ?? []), header])
  }
  const values = new Map<string, Map<string, ValueTarget>>()
  for (const [field, table] of Object.entries(mapping.values ?? {})) {
    values.set(field, new Map(Object.entries(table).map(([k, v]) => [matchKey(k), v])))
  }
  const compiled: CompiledMapping = {
    mapping,
    dataset,
    separator: mapping.multiValueSeparator ?? ';',
    byHeader,
    headersFor,
    values,
    constants: new Map(Object.entries(mapping.constants ?? {})),
    ignored: new Set((mapping.ignoreColumns ?? []).map(matchKey)),
    fileHeaderCache: new Map(),
    blankRow: Object.fromEntries(dataset.columns.map((col) => [col.name, null])),
  }
  compiledCache.set(input, compiled)
  return compiled
}

function columnForHeader(c: CompiledMapping, header: string): ColumnDef | null {
  let def = c.fileHeaderCache.get(header)
  if (def === undefined) {
    def = c.byHeader.get(matchKey(header)) ?? null
    c.fileHeaderCache.set(header, def)
  }
  return def
}

// ---------------------------------------------------------------------------------------------------
// Header check

export interface HeaderCheck {
  /** File columns and the standard columns they feed. */
  readonly mapped: readonly { readonly header: string; readonly field: string }[]
  /** File columns the mapping deliberately ignores. */
  readonly ignored: readonly string[]
  /** File columns the mapping neither maps nor ignores. */
  readonly unknown: readonly string[]
  /** Columns the mapping expects that the file does not have (their fields will be "not recorded"). */
  readonly absent: readonly { readonly header: string; readonly field: string }[]
  /** Required standard columns that nothing in the file or the constants supplies. */
  readonly missingRequired: readonly string[]
  /** Standard columns this file supplies (from a column or a constant): "recorded?" for the quality report. */
  readonly suppliedFields: readonly string[]
}

export function checkHeaders(headers: readonly string[], mapping: Mapping | CompiledMapping): HeaderCheck {
  const c = compileMapping(mapping)
  const mapped: { header: string; field: string }[] = []
  const ignored: string[] = []
  const unknown: string[] = []
  const present = new Set<string>()
  for (const header of headers) {
    const def = columnForHeader(c, header)
    if (def) {
      mapped.push({ header, field: def.name })
      present.add(matchKey(header))
    } else if (c.ignored.has(matchKey(header))) ignored.push(header)
    else unknown.push(header)
  }
  const absent: { header: string; field: string }[] = []
  for (const [field, hs] of c.headersFor) for (const h of hs) if (!present.has(matchKey(h))) absent.push({ header: h, field })
  const supplied = new Set([...mapped.map((m) => m.field), ...c.constants.keys()])
  const missingRequired = c.dataset.columns.filter((col) => col.required && !supplied.has(col.name)).map((col) => col.name)
  const suppliedFields = c.dataset.columns.map((col) => col.name).filter((n) => supplied.has(n))
  return { mapped, ignored, unknown: c.mapping.ignoreOtherColumns ? [] : unknown, absent, missingRequired, suppliedFields }
}

/** Throws ImportFileError when the header check means the file cannot be imported with this mapping. */
export function assertHeaders(check: HeaderCheck): void {
  if (check.missingRequired.length > 0) {
    throw new ImportFileError(
      'missing-required-columns',
      `Nothing in the file or the mapping supplies the required column${check.missingRequired.length > 1 ? 's' : ''} ${check.missingRequired.join(', ')}. Map the agency column that holds ${check.missingRequired.length > 1 ? 'them' : 'it'}.`,
      { columns: check.missingRequired },
    )
  }
  if (check.unknown.length > 0) {
    throw new ImportFileError(
      'unknown-columns',
      `The mapping does not cover ${check.unknown.length} column${check.unknown.length > 1 ? 's' : ''} of the file: ${check.unknown.map((h) => `"${h}"`).join(', ')}. ` +
        'Map each to a standard column, or list it in ignoreColumns.',
      { columns: check.unknown },
    )
  }
}

// ---------------------------------------------------------------------------------------------------
// Applying a mapping to one row

/** A row after mapping, before validation: every column of the dataset, null when not recorded. */
export type MappedValue = string | number | readonly string[] | null
export type MappedRow = Record<string, MappedValue>

export interface ApplyOptions {
  readonly rowNumber?: number
  /** Today's ISO date, for two-digit years. */
  readonly today?: string
  /**
   * Remembers how each distinct cell of each column converted (value or errors), so that the thousands of
   * rows repeating "White British" or "03/04/2021" are converted once. One per file (and per `today`).
   */
  readonly cache?: ConversionCache
}

interface ConversionOutcome {
  readonly value: MappedValue | string[] | undefined
  readonly errors: readonly RowError[]
}

/** A bounded memo of cell conversions, per column of one file. See ApplyOptions.cache. */
export class ConversionCache {
  readonly #byHeader = new Map<string, Map<string, ConversionOutcome>>()
  readonly #maxPerColumn: number

  constructor(maxPerColumn = 10_000) {
    this.#maxPerColumn = maxPerColumn
  }

  get(header: string, raw: string): ConversionOutcome | undefined {
    return this.#byHeader.get(header)?.get(raw)
  }

  set(header: string, raw: string, outcome: ConversionOutcome): void {
    let column = this.#byHeader.get(header)
    if (!column) this.#byHeader.set(header, (column = new Map()))
    if (column.size < this.#maxPerColumn) column.set(raw, outcome)
  }
}

export interface ApplyResult {
  readonly row: MappedRow
  readonly errors: RowError[]
}

export function applyMapping(cells: Readonly<Record<string, string>>, mapping: Mapping | CompiledMapping, options: ApplyOptions = {}): ApplyResult {
  const c = compileMapping(mapping)
  const rowNumber = options.rowNumber ?? 0
  const errors: RowError[] = []
  const row: MappedRow = { ...c.blankRow }
  const multiParts = new Map<string, Set<string>>()

  const cache = options.cache
  for (const header in cells) {
    const def = columnForHeader(c, header)
    if (!def) continue
    const raw = cells[header]!
    if (raw.trim() === '') continue
    let outcome = cache?.get(header, raw)
    if (!outcome) {
      const cellErrors: RowError[] = []
      const ctx: ConvertContext = { c, def, header, raw, rowNumber, errors: cellErrors, today: options.today }
      outcome = { value: def.type === 'multi-code' ? convertMulti(ctx) : convert(ctx), errors: cellErrors }
      // free text (names, ids) is not worth remembering: convert returns it as it is
      if (cache && !(def.type === 'string' && !def.unknownAllowed && !c.values.has(def.name))) cache.set(header, raw, outcome)
    }
    for (const e of outcome.errors) errors.push(e.rowNumber === rowNumber ? e : { ...e, rowNumber })
    if (def.type === 'multi-code') {
      const codes = outcome.value as string[] | undefined
      if (codes) {
        const set = multiParts.get(def.name) ?? new Set<string>()
        for (const code of codes) set.add(code)
        multiParts.set(def.name, set)
      }
      continue
    }
    if (outcome.value !== undefined) row[def.name] = outcome.value as MappedValue
  }
  for (const [field, value] of c.constants) {
    const def = c.dataset.columns.find((col) => col.name === field)!
    row[field] = def.type === 'integer' && /^\d+$/.test(value) ? Number(value) : def.type === 'multi-code' ? [value] : value
  }
  for (const [field, set] of multiParts) {
    if (set.size === 0) continue
    const order = codeList(c.dataset.columns.find((col) => col.name === field)!.codeList!).codes.map((x) => x.code)
    row[field] = [...set].sort((a, b) => order.indexOf(a) - order.indexOf(b))
  }
  return { row, errors }
}

interface ConvertContext {
  readonly c: CompiledMapping
  readonly def: ColumnDef
  readonly header: string
  readonly raw: string
  readonly rowNumber: number
  readonly errors: RowError[]
  readonly today: string | undefined
}

function fail(ctx: ConvertContext, code: RowError['code'], message: string, value = ctx.raw): undefined {
  ctx.errors.push({ rowNumber: ctx.rowNumber, column: ctx.header, field: ctx.def.name, value, message, code })
  return undefined
}

/** Converts one cell of a single-value column. Returns undefined after recording an error. */
function convert(ctx: ConvertContext): MappedValue | undefined {
  const { c, def, raw } = ctx
  const table = c.values.get(def.name)
  let text = raw.trim()
  // free text without a value table needs no matching
  if (def.type === 'string' && !table && !def.unknownAllowed) return text
  const key = matchKey(raw)
  if (table?.has(key)) {
    const target = table.get(key)!
    if (target === null) return null
    text = target as string // arrays are refused for single-value columns when the mapping is checked
    if (def.type === 'integer' && /^\d+$/.test(text)) return Number(text)
    return text
  }
  if (def.unknownAllowed && def.type !== 'code' && def.type !== 'boolean-code') {
    const special = specialsLookup.get(key)
    if (special) return special
  }
  switch (def.type) {
    case 'string':
      return text
    case 'code':
    case 'boolean-code': {
      const code = codeLookup(def.codeList!).get(key)
      if (code) return code
      return fail(ctx, 'unmapped-value', unmappedMessage(def, text))
    }
    case 'integer': {
      const n = parseInteger(text)
      if (n === undefined) return fail(ctx, 'invalid-integer', `"${text}" is not a whole number`)
      return n
    }
    case 'date': {
      const d = parseDate(text, { format: c.mapping.dateFormat, today: ctx.today })
      if (d.ok) return d.iso
      return fail(ctx, d.code, d.message)
    }
    case 'month': {
      const m = parseMonth(text, { format: c.mapping.dateFormat, today: ctx.today })
      if (m.ok) return m.month
      return fail(ctx, m.code, m.message)
    }
    case 'multi-code':
      return undefined // handled by convertMulti
  }
}

function convertMulti(ctx: ConvertContext): string[] | undefined {
  const { c, def, raw } = ctx
  const table = c.values.get(def.name)
  const lookup = codeLookup(def.codeList!)
  const whole = matchKey(raw)
  const direct = table?.get(whole)
  if (direct !== undefined) return direct === null ? [] : Array.isArray(direct) ? [...direct] : [direct as string]
  if (lookup.has(whole)) return [lookup.get(whole)!]
  const out: string[] = []
  const uncovered: string[] = []
  for (const part of raw.split(c.separator)) {
    const key = matchKey(part)
    if (key === '') continue
    const target = table?.get(key)
    if (target !== undefined) {
      if (target !== null) out.push(...(Array.isArray(target) ? target : [target as string]))
      continue
    }
    const code = lookup.get(key)
    if (code) out.push(code)
    else uncovered.push(part.trim())
  }
  for (const part of uncovered) fail(ctx, 'unmapped-value', unmappedMessage(def, part, raw), part)
  return uncovered.length > 0 ? undefined : out
}

function unmappedMessage(def: ColumnDef, value: string, whole?: string): string {
  const inCell = whole !== undefined && whole.trim() !== value ? ` (in "${whole.trim()}")` : ''
  return `"${value}"${inCell} is not a code of ${def.name}, and the mapping has no value mapping for it: add it under values.${def.name}`
}

/** A whole number: "12", "12.0", "1,234". */
export function parseInteger(text: string): number | undefined {
  const t = text.trim()
  let digits: string
  if (/^\d+$/.test(t)) digits = t
  else if (/^\d+\.0+$/.test(t)) digits = t.slice(0, t.indexOf('.'))
  else if (/^\d{1,3}(,\d{3})+$/.test(t)) digits = t.replaceAll(',', '')
  else return undefined
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : undefined
}

// ---------------------------------------------------------------------------------------------------
// Every uncovered value in a file, for the preview

export interface UnmappedValue {
  readonly value: string
  readonly count: number
  /** The first few rows where it appears. */
  readonly rows: readonly number[]
}

export interface UnmappedColumnReport {
  readonly column: string
  readonly field: string
  readonly values: readonly UnmappedValue[]
  /** True when there were more distinct values than the collector keeps. */
  readonly truncated: boolean
}

/** Collects distinct uncovered values per column, with bounded memory. */
export class UnmappedValueCollector {
  readonly #maxDistinct: number
  readonly #rowsPerValue: number
  readonly #columns = new Map<string, { field: string; values: Map<string, { value: string; count: number; rows: number[] }>; truncated: boolean }>()

  constructor(maxDistinctPerColumn = 1000, rowsPerValue = 5) {
    this.#maxDistinct = maxDistinctPerColumn
    this.#rowsPerValue = rowsPerValue
  }

  add(errors: readonly RowError[]): void {
    for (const e of errors) {
      if (e.code !== 'unmapped-value') continue
      let col = this.#columns.get(e.column)
      if (!col) {
        col = { field: e.field ?? e.column, values: new Map(), truncated: false }
        this.#columns.set(e.column, col)
      }
      const key = matchKey(e.value)
      const entry = col.values.get(key)
      if (entry) {
        entry.count++
        if (entry.rows.length < this.#rowsPerValue) entry.rows.push(e.rowNumber)
      } else if (col.values.size < this.#maxDistinct) {
        col.values.set(key, { value: e.value.trim(), count: 1, rows: [e.rowNumber] })
      } else col.truncated = true
    }
  }

  report(): UnmappedColumnReport[] {
    return [...this.#columns.entries()].map(([column, col]) => ({
      column,
      field: col.field,
      truncated: col.truncated,
      values: [...col.values.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).map((v) => ({ ...v, rows: [...v.rows] })),
    }))
  }
}

/** Reads every row and lists every distinct value the mapping does not cover, per column. */
export async function unmappedValues(
  rows: AsyncIterable<RawRow> | Iterable<RawRow>,
  mapping: Mapping | CompiledMapping,
  options: { today?: string; maxDistinctPerColumn?: number } = {},
): Promise<UnmappedColumnReport[]> {
  const c = compileMapping(mapping)
  const collector = new UnmappedValueCollector(options.maxDistinctPerColumn)
  for await (const r of rows) {
    collector.add(applyMapping(r.cells, c, { rowNumber: r.rowNumber, ...(options.today ? { today: options.today } : {}) }).errors)
  }
  return collector.report()
}
