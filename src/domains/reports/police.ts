/**
 * Loading the police-aggregates dataset (DA incidents and crimes by district and month) for the quarterly
 * report: the file goes through the import pipeline's reader, mapping and validation (the same rules as
 * every import), and its rows are upserted on agency + district + month, so loading a corrected file again
 * replaces the figures. Runs on the owner connection (the CLI) and is audited.
 */
import { type Kysely, sql } from 'kysely'
import type { SystemActor } from '../../access/actor.ts'
import type { DB } from '../../db/schema.ts'
import { recordAudit } from '../audit/service.ts'
import type { RowError } from '../imports/errors.ts'
import { identityMapping, parseMapping } from '../imports/mapping.ts'
import { processFile } from '../imports/pipeline.ts'
import type { ImportSource } from '../imports/reader.ts'

export type PoliceLoadResult = { rowsLoaded: number; errors: RowError[]; months: string[] }

export async function loadPoliceAggregates(db: Kysely<DB>, who: SystemActor, options: { source: ImportSource; agencyCode: string; mapping?: unknown }): Promise<PoliceLoadResult> {
  const agency = await db.selectFrom('agency').where('partnership_id', '=', who.partnershipId).where('code', '=', options.agencyCode).select(['id', 'kind']).executeTakeFirst()
  if (!agency) throw new Error(`There is no agency with the code "${options.agencyCode}".`)
  const districts = (await db.selectFrom('district').where('partnership_id', '=', who.partnershipId).select('code').execute()).map(d => d.code)
  const mapping = options.mapping === undefined ? identityMapping(options.agencyCode, 'police-aggregates') : parseMapping(options.mapping)
  const rows: { district: string; month: string; incidents: number; crimes: number }[] = []
  const errors: RowError[] = []
  for await (const event of processFile(options.source, { mapping, dataset: 'police-aggregates', profile: { districts } })) {
    if (event.kind === 'row') rows.push(event.row as unknown as { district: string; month: string; incidents: number; crimes: number })
    else if (event.kind === 'error') errors.push(...event.errors)
  }
  if (errors.length > 0) return { rowsLoaded: 0, errors, months: [] }
  await db.transaction().execute(async tx => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000)
      await sql`
        INSERT INTO police_aggregate (partnership_id, agency_id, district, month, incidents, crimes)
        VALUES ${sql.join(chunk.map(r => sql`(${who.partnershipId}::uuid, ${agency.id}::uuid, ${r.district}, ${r.month}, ${r.incidents}, ${r.crimes})`))}
        ON CONFLICT (partnership_id, agency_id, district, month) DO UPDATE SET incidents = excluded.incidents, crimes = excluded.crimes, loaded_at = now()`.execute(tx)
    }
    await recordAudit(tx, who, { action: 'IMPORT', subjectType: 'police-aggregates', subjectId: options.agencyCode, details: { dataset: 'police-aggregates', agency: options.agencyCode, rows: rows.length } })
  })
  return { rowsLoaded: rows.length, errors, months: [...new Set(rows.map(r => r.month))].sort() }
}
