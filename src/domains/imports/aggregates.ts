/**
 * The police-aggregates dataset (DA incidents and crimes by district and month) through the standard
 * pipeline: the same reader (CSV in UTF-8 or Windows-1252, XLSX), the agency's saved mapping (or the
 * standard layout), the same per-row validation (districts from the profile). It feeds `police_aggregate`,
 * which the quarterly report reads (src/domains/reports).
 *
 * Aggregates hold no personal data and a file is a few hundred rows, so there is no staging or quarantine:
 * a file with any row error loads nothing and every error is returned (row, column, value, message); a
 * clean file is upserted on agency + district + month in one transaction, so loading a corrected file
 * again replaces the figures and never doubles them.
 *
 * Runs as the signed-in Actor (row-level security: `import.run` for the agency) or a SystemActor (the CLI).
 * Each load is recorded in the audit log.
 */
import { type Kysely, sql } from 'kysely'
import { scopeFor } from '../../access/policy.ts'
import type { DB } from '../../db/schema.ts'
import { recordAudit } from '../audit/service.ts'
import type { RowError } from './errors.ts'
import { identityMapping, type Mapping, parseMapping } from './mapping.ts'
import { processFile } from './pipeline.ts'
import type { ImportSource } from './reader.ts'
import { type ImportWho, ImportServiceError, inTx } from './service.ts'

export interface AggregateLoadResult {
  readonly agencyCode: string
  readonly mappingVersion: number
  readonly rowsRead: number
  readonly rowsLoaded: number
  readonly errors: readonly RowError[]
  readonly months: readonly string[]
  readonly districts: readonly string[]
}

interface AggregateRow {
  district: string
  month: string
  incidents: number
  crimes: number
}

/** Checks, then (only when every row is valid) loads a police-aggregates file. */
export async function importPoliceAggregates(
  db: Kysely<DB>,
  who: ImportWho,
  options: { source: ImportSource; agencyCode: string; mapping?: unknown; dryRun?: boolean },
): Promise<AggregateLoadResult> {
  const { agency, districts, mapping } = await inTx(db, who, async (tx) => {
    const agency = await tx
      .selectFrom('agency')
      .where('partnership_id', '=', who.partnershipId)
      .where('code', '=', options.agencyCode)
      .select(['id', 'code', 'name'])
      .executeTakeFirst()
    if (!agency) throw new ImportServiceError('not-found', `There is no agency with the code "${options.agencyCode}" in this partnership.`)
    if ('roles' in who) {
      const scope = scopeFor(who.roles, 'import.run')
      if (!(scope === 'partnership' || (scope === 'agency' && who.agencyId === agency.id))) {
        throw new ImportServiceError('forbidden', `You may not import data for ${agency.name}.`)
      }
    }
    const districts = (await tx.selectFrom('district').where('partnership_id', '=', who.partnershipId).select('code').execute()).map((d) => d.code)
    let mapping: Mapping
    if (options.mapping !== undefined && options.mapping !== null) mapping = parseMapping(options.mapping)
    else {
      const saved = await tx
        .selectFrom('import_mapping')
        .where('partnership_id', '=', who.partnershipId)
        .where('agency_id', '=', agency.id)
        .where('dataset', '=', 'police-aggregates')
        .orderBy('version', 'desc')
        .select('mapping')
        .executeTakeFirst()
      mapping = saved ? parseMapping(saved.mapping) : identityMapping(agency.code, 'police-aggregates')
    }
    if (mapping.agency !== agency.code) throw new ImportServiceError('mapping-mismatch', `The mapping is for the agency "${mapping.agency}", not "${agency.code}".`)
    if (mapping.dataset !== 'police-aggregates') throw new ImportServiceError('mapping-mismatch', `The mapping is for the ${mapping.dataset} dataset, not police-aggregates.`)
    return { agency, districts, mapping }
  })

  const rows: AggregateRow[] = []
  const errors: RowError[] = []
  let rowsRead = 0
  for await (const event of processFile(options.source, { mapping, dataset: 'police-aggregates', profile: { districts } })) {
    if (event.kind === 'row') rows.push(event.row as unknown as AggregateRow)
    else if (event.kind === 'error') errors.push(...event.errors)
    else if (event.kind === 'summary') rowsRead = event.rowsRead
  }
  const result = {
    agencyCode: agency.code,
    mappingVersion: mapping.version,
    rowsRead,
    months: [...new Set(rows.map((r) => r.month))].sort(),
    districts: [...new Set(rows.map((r) => r.district))].sort(),
  }
  if (errors.length > 0 || options.dryRun) return { ...result, rowsLoaded: 0, errors }

  await inTx(db, who, async (tx) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000)
      await sql`
        INSERT INTO police_aggregate (partnership_id, agency_id, district, month, incidents, crimes)
        VALUES ${sql.join(chunk.map((r) => sql`(${who.partnershipId}::uuid, ${agency.id}::uuid, ${r.district}, ${r.month}, ${r.incidents}, ${r.crimes})`))}
        ON CONFLICT (partnership_id, agency_id, district, month) DO UPDATE SET incidents = excluded.incidents, crimes = excluded.crimes, loaded_at = now()`.execute(tx)
    }
    await recordAudit(tx, who, {
      action: 'IMPORT',
      subjectType: 'police-aggregates',
      subjectId: agency.code,
      details: { step: 'committed', dataset: 'police-aggregates', agency: agency.code, mappingVersion: mapping.version, rows: rows.length, months: result.months },
    })
  })
  return { ...result, rowsLoaded: rows.length, errors }
}
