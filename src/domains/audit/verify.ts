import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { chainHead, chainPage } from './repository.ts'

export type VerifyResult = {
  partnershipId: string
  entries: number
  headHash: string
  problems: { seq: number; problem: string }[]
}

const GENESIS = '0'.repeat(64)

/**
 * Walks a partnership's audit chain and recomputes every hash. Any edited, deleted, inserted or
 * reordered entry shows as a problem. Print the head hash somewhere outside the database (a ticket,
 * an email to the data protection officer) to detect a rewrite of the whole chain later.
 */
export async function verifyAuditChain(
  db: Kysely<DB>,
  partnershipId: string,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyResult> {
  const head = await chainHead(db, partnershipId)
  const total = head?.lastSeq ?? 0
  const problems: VerifyResult['problems'] = []
  let expectedPrev = GENESIS
  let expectedSeq = 1
  let entries = 0
  let after = 0
  for (;;) {
    const page = await chainPage(db, partnershipId, after, 5000)
    if (page.length === 0) break
    for (const entry of page) {
      if (entry.seq !== expectedSeq) {
        problems.push({ seq: expectedSeq, problem: `entries ${expectedSeq} to ${entry.seq - 1} are missing` })
      }
      if (entry.prevHash !== expectedPrev) {
        problems.push({ seq: entry.seq, problem: 'does not follow the entry before it (previous hash differs)' })
      }
      const recomputed = createHash('sha256').update(entry.canonical, 'utf8').digest('hex')
      if (recomputed !== entry.hash) problems.push({ seq: entry.seq, problem: 'content has changed since it was written' })
      expectedPrev = entry.hash
      expectedSeq = entry.seq + 1
      entries++
    }
    after = page[page.length - 1]!.seq
    onProgress?.(entries, total)
  }
  if (head && (head.lastSeq !== expectedSeq - 1 || head.lastHash !== expectedPrev)) {
    problems.push({ seq: head.lastSeq, problem: 'the chain head does not match the last entry (entries removed from the end?)' })
  }
  return { partnershipId, entries, headHash: expectedPrev, problems }
}
