/**
 * Publishes the standard: the machine-readable JSON (one file per standard version) and the generated
 * tables in docs/data-standard.md (between `<!-- generated:... -->` markers).
 *
 *   node src/standard/publish.ts          write both
 *   node src/standard/publish.ts --check  exit 1 if either is out of date (a test does the same)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { allCodeLists, specialCodes, standardVersion } from './codeLists.ts'
import { type ColumnDef, type DatasetDef, datasets } from './serviceEpisodes.ts'

const root = join(import.meta.dirname, '..', '..')
export const publishedJsonPath = join(import.meta.dirname, 'published', `hearth-standard-${standardVersion}.json`)
export const docPath = join(root, 'docs', 'data-standard.md')

const columnJson = (c: ColumnDef) => ({
  name: c.name,
  type: c.type,
  required: c.required,
  description: c.description,
  ...(c.codeList ? { codeList: c.codeList } : {}),
  acceptsNotKnownAndDeclined: c.unknownAllowed,
  ...(c.personal ? { personal: true } : {}),
  ...(c.min !== undefined ? { min: c.min } : {}),
  ...(c.max !== undefined ? { max: c.max } : {}),
  ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
  ...(c.profileList ? { profileList: c.profileList } : {}),
  ...(c.format ? { format: c.format } : {}),
})

const datasetJson = (d: DatasetDef<unknown>) => ({
  name: d.name,
  description: d.description,
  key: d.key,
  columns: d.columns.map(columnJson),
})

/** The whole standard as one JSON document. */
export function standardDocument() {
  return {
    standard: 'hearth-partnership-data-standard',
    standardVersion,
    rules: {
      blank: 'A blank cell means the agency did not record the item ("not recorded").',
      notKnown: 'not-known: the agency asked or looked, but the answer is not known.',
      declined: 'declined: the person chose not to answer.',
      distinct: 'Blank, not-known, declined and other are never merged with one another.',
      multiValue: 'Multi-value cells list every code that applies, separated by the mapping\'s separator (default ";"); none, not-known and declined stand alone.',
      dates: 'Dates are ISO YYYY-MM-DD; months are YYYY-MM.',
    },
    specialCodes,
    datasets: Object.values(datasets).map((d) => datasetJson(d as DatasetDef<unknown>)),
    codeLists: Object.fromEntries(
      allCodeLists().map((l) => [l.field, { description: l.description, multiValue: l.multiValue, codes: l.codes }]),
    ),
  }
}

export const publishedJson = () => JSON.stringify(standardDocument(), null, 2) + '\n'

const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

function columnsTable(d: DatasetDef<unknown>): string {
  const lines = ['| Column | Type | Required | Not known / declined | Description |', '|---|---|---|---|---|']
  for (const c of d.columns) {
    const type = c.codeList && c.codeList !== c.name ? `${c.type} (${c.codeList})` : c.type
    const limits =
      c.min !== undefined || c.max !== undefined ? ` Range ${c.min ?? ''}–${c.max ?? ''}.` : ''
    lines.push(`| \`${c.name}\` | ${type} | ${c.required ? 'yes' : ''} | ${c.unknownAllowed ? 'accepted' : ''} | ${esc(c.description)}${limits}${c.personal ? ' *Personal data.*' : ''} |`)
  }
  return lines.join('\n')
}

/** Lists too long for the document are linked instead. */
const linkedLists = new Set(['nationality', 'main_language'])

function codeListsMarkdown(): string {
  const out: string[] = []
  for (const list of allCodeLists()) {
    out.push(`#### \`${list.field}\`${list.multiValue ? ' (multi-value)' : ''}`, '', esc(list.description), '')
    if (linkedLists.has(list.field)) {
      out.push(
        `${list.codes.length - specialCodes.length} codes, plus \`not-known\` and \`declined\`: see \`codeLists.${list.field}\` in ` +
          `[the published JSON](../src/standard/published/hearth-standard-${standardVersion}.json).`,
        '',
      )
      continue
    }
    const extra = list.codes.some((c) => c.onsCode !== undefined) ? ' ONS code |' : list.codes.some((c) => c.group) ? ' Group |' : ''
    out.push(`| Code | Label |${extra}`, `|---|---|${extra ? '---|' : ''}`)
    for (const c of list.codes) {
      const e = extra === ' ONS code |' ? ` ${c.onsCode ?? ''} |` : extra ? ` ${c.group ?? ''} |` : ''
      out.push(`| \`${c.code}\` | ${esc(c.label)} |${e}`)
    }
    out.push('')
  }
  return out.join('\n').trimEnd()
}

export function generatedSections(): Record<string, string> {
  return {
    'service-episodes-columns': columnsTable(datasets['service-episodes'] as DatasetDef<unknown>),
    'police-aggregates-columns': columnsTable(datasets['police-aggregates'] as DatasetDef<unknown>),
    'code-lists': codeListsMarkdown(),
    'standard-version': `Standard version: **${standardVersion}**.`,
  }
}

/** The document with every generated section replaced. */
export function renderDoc(current: string): string {
  let doc = current
  for (const [name, body] of Object.entries(generatedSections())) {
    const start = `<!-- generated:${name}:start -->`
    const end = `<!-- generated:${name}:end -->`
    const i = doc.indexOf(start)
    const j = doc.indexOf(end)
    if (i < 0 || j < i) throw new Error(`docs/data-standard.md lacks the markers for ${name}`)
    doc = `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`
  }
  return doc
}

if (import.meta.main) {
  const check = process.argv.includes('--check')
  const doc = readFileSync(docPath, 'utf8')
  const nextDoc = renderDoc(doc)
  const json = publishedJson()
  let current = ''
  try {
    current = readFileSync(publishedJsonPath, 'utf8')
  } catch {
    current = ''
  }
  if (check) {
    const stale = [doc !== nextDoc && docPath, current !== json && publishedJsonPath].filter(Boolean)
    if (stale.length > 0) {
      console.error(`Out of date: ${stale.join(', ')}. Run node src/standard/publish.ts`)
      process.exit(1)
    }
    console.log('The published standard is up to date.')
  } else {
    mkdirSync(join(import.meta.dirname, 'published'), { recursive: true })
    writeFileSync(publishedJsonPath, json)
    writeFileSync(docPath, nextDoc)
    console.log(`Wrote ${publishedJsonPath} and ${docPath}`)
  }
}
