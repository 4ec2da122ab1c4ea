import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.ts'
import { chainHead, chainPage, combinedHeadHash, entriesOutsideLanes } from './repository.ts'

export type VerifyResult = {
  partnershipId: string
  entries: number
  /** One hash over the heads of every lane, as recomputed (see combinedHeadHash); all zeros for an empty log. */
  headHash: string
  problems: { seq: number; problem: string }[]
}

const GENESIS = '0'.repeat(64)

/**
 * Walks each lane of a partnership's audit chain (migration 202611300700) and recomputes every hash. Any edited,
 * deleted, inserted, moved or reordered entry shows as a problem. Print the head hash somewhere outside the database
 * (a ticket, an email to the data protection officer) to detect a rewrite of the whole log later.
 */
export async function verifyAuditChain(
  db: Kysely<DB>,
  partnershipId: string,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyResult> {
  const head = await chainHead(db, partnershipId)
  const total = head?.entries ?? 0
  const problems: VerifyResult['problems'] = []
  const recomputedHeads: { lane: number; lastHash: string }[] = []
  let entries = 0
  for (const lane of head?.lanes ?? []) {
    let expectedPrev = GENESIS
    let inLane = 0
    let after = 0
    for (;;) {
      const page = await chainPage(db, partnershipId, lane.lane, after, 5000)
      if (page.length === 0) break
      for (const entry of page) {
        if (entry.prevHash !== expectedPrev) {
          problems.push({ seq: entry.seq, problem: `does not follow the entry before it in chain lane ${lane.lane}: an entry before it is missing, or was moved or inserted` })
        }
        const recomputed = createHash('sha256').update(entry.canonical, 'utf8').digest('hex')
        if (recomputed !== entry.hash) problems.push({ seq: entry.seq, problem: 'content has changed since it was written' })
        expectedPrev = entry.hash
        inLane++
        entries++
      }
      after = page[page.length - 1]!.seq
      onProgress?.(entries, total)
    }
    if (lane.lastHash !== expectedPrev || lane.entries !== inLane) {
      problems.push({ seq: lane.lastSeq, problem: `the head of chain lane ${lane.lane} does not match its last entry (${lane.entries} entries recorded, ${inLane} found): entries are missing from its end` })
    }
    recomputedHeads.push({ lane: lane.lane, lastHash: expectedPrev })
  }
  for (const seq of await entriesOutsideLanes(db, partnershipId, (head?.lanes ?? []).map(l => l.lane))) {
    problems.push({ seq, problem: 'is in no chain lane of this partnership: moved by hand' })
  }
  problems.sort((a, b) => a.seq - b.seq)
  return { partnershipId, entries, headHash: recomputedHeads.length ? combinedHeadHash(recomputedHeads) : GENESIS, problems }
}
