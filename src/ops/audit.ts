import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.ts'
import { chainHead } from '../domains/audit/repository.ts'
import { type VerifyResult, verifyAuditChain } from '../domains/audit/verify.ts'
import { OpsError } from './errors.ts'

export type PartnershipVerification = { code: string; name: string; result: VerifyResult }

/**
 * Verifies the audit chain of one partnership (by code) or of every partnership. Read-only: verifying
 * adds no entry, so the head hash printed can be compared with one recorded earlier.
 */
export async function verifyAuditLogs(
  db: Kysely<DB>,
  options: { partnershipCode?: string | undefined; onProgress?: (done: number, total: number) => void } = {},
): Promise<PartnershipVerification[]> {
  let query = db.selectFrom('partnership').select(['partnership_id', 'code', 'name']).orderBy('code')
  if (options.partnershipCode) query = query.where('code', '=', options.partnershipCode)
  const partnerships = await query.execute()
  if (options.partnershipCode && partnerships.length === 0) {
    throw new OpsError(`There is no partnership with code "${options.partnershipCode}".`)
  }
  let total = 0
  for (const p of partnerships) total += (await chainHead(db, p.partnership_id))?.entries ?? 0
  const results: PartnershipVerification[] = []
  let before = 0
  for (const p of partnerships) {
    const result = await verifyAuditChain(db, p.partnership_id, done => options.onProgress?.(before + done, total))
    before += result.entries
    results.push({ code: p.code, name: p.name, result })
  }
  return results
}
