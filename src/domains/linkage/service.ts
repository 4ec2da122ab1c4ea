/**
 * Record linkage in the database: who in the partnership's data is the same person.
 *
 * ## Running linkage (the CLI, as the owner connection; never in a web request)
 *
 *   const linkage = createLinkageService({ db })
 *   await linkage.run(system, { mode: 'plaintext' | 'encoded', onProgress? }) → RunSummary
 *
 * Plaintext mode links every person in the app (key "p:<person id>") with every agency person of the
 * imported episodes (key "e:<agency id>:<person_ref>", identifiers of their latest episode). Encoded mode
 * links the encodings of encoded imports (key "x:<agency id>:<person_ref>"); the two never mix, because
 * Hearth cannot encode what it holds in plaintext (the agencies' secret is not Hearth's).
 * Active reviewer decisions and intake links (person_link) are applied: "same person" joins, "different
 * people" (and an intake link undone) keeps apart.
 *
 * ## For the reports and repeat detection
 *
 *   clusterIdsForPeople(tx, partnershipId, personIds)           → Map<person id, cluster id>
 *   clusterIdsForAgencyPeople(tx, partnershipId, [{agencyId, personRef}]) → Map<"agency:ref", cluster id>
 *   SQL: hearth_linked_people(person uuid) → SETOF uuid  (security definer: people in p's cluster, p included)
 *
 * A person or agency person that no run has seen is its own cluster (the functions return its own key).
 *
 * ## The review queue (web, through withActor: row-level security decides what a reviewer sees)
 *
 *   overview(actor), queue(actor, { offset, limit }), reviewPair(actor, a, b), decide(actor, a, b, decision, reason),
 *   withdraw(actor, decisionId, reason), decisions(actor), settings(actor), updateSettings(actor, input)
 *
 * A decision is recorded, audited, and the clusters recomputed from the stored pairs and every active
 * decision, so undoing it (withdraw) restores what the scores say: link, never merge.
 */
import { createHash, randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Actor, SystemActor } from '../../access/actor.ts'
import { can } from '../../access/policy.ts'
import { type Clock, systemClock } from '../../clock.ts'
import type { DB } from '../../db/schema.ts'
import { type Tx, withActor } from '../../db/scope.ts'
import { recordAudit } from '../audit/service.ts'
import { NotFoundError } from '../cases/service.ts'
import { createProfileCache } from '../partnership/service.ts'
import { refreshRepeatFlags } from '../referrals/repeats.ts'
import { fromColumns } from './clk.ts'
import { cluster } from './cluster.ts'
import { comparator, COMPARISONS } from './comparisons.ts'
import { DEFAULT_MODEL } from './defaultModel.ts'
import { type MatchPersonLike, possibleMatches } from './intake.ts'
import { type Model, probabilityOf, weightOf } from './model.ts'
import { DEFAULT_COUNT_THRESHOLDS, link, type LinkPhase } from './pipeline.ts'
import { type EncodedRecord, prepareEncoded, preparePlain } from './prepare.ts'
import type { PersonRecord } from './record.ts'
import type { LinkageMode } from './tables.ts'

export type LinkageSettings = { matchThreshold: number; reviewThreshold: number; conflictBelow: number; countThresholds: number[] }
export const DEFAULT_SETTINGS: LinkageSettings = { matchThreshold: 0.8, reviewThreshold: 0.5, conflictBelow: 0.05, countThresholds: [...DEFAULT_COUNT_THRESHOLDS] }

export type RunSummary = {
  runId: string
  mode: LinkageMode
  records: number
  candidatePairs: number
  pairsKept: number
  people: number
  peopleByThreshold: { threshold: number; people: number }[]
  reviewQueue: number
  seconds: number
}

/**
 * Below this many records the model is not trained (EM and random-pair u need numbers): the default model
 * is used, its prior λ rescaled to the number of records.
 */
export const MIN_TRAINING_RECORDS = 5000

export function smallDataModel(records: number, mode: LinkageMode): Model {
  const base = DEFAULT_MODEL
  const lambda = Math.min(0.2, (base.probabilityTwoRandomRecordsMatch * base.training.records) / Math.max(records, 2))
  return { ...base, mode, probabilityTwoRandomRecordsMatch: lambda }
}

export class LinkageError extends Error {
  readonly code: 'forbidden' | 'invalid' | 'no-run'
  constructor(code: LinkageError['code'], message: string) {
    super(message)
    this.name = 'LinkageError'
    this.code = code
  }
}

type Who = Actor | SystemActor
const isActor = (who: Who): who is Actor => 'roles' in who

/** A cluster id that stays the same while its smallest record key does. */
export function clusterIdFor(partnershipId: string, mode: LinkageMode, key: string): string {
  const h = createHash('sha256').update(`${partnershipId}\u0000${mode}\u0000${key}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const personKey = (id: string) => `p:${id}`
const episodeKey = (agencyId: string, ref: string) => `e:${agencyId}:${ref}`
const encodedKey = (agencyId: string, ref: string) => `x:${agencyId}:${ref}`
const modeOfKey = (key: string): LinkageMode => (key.startsWith('x:') ? 'encoded' : 'plaintext')
const ordered = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a])

function parseKey(key: string): { kind: 'person'; personId: string } | { kind: 'episode' | 'encoded'; agencyId: string; personRef: string } {
  if (key.startsWith('p:')) return { kind: 'person', personId: key.slice(2) }
  const rest = key.slice(2)
  const at = rest.indexOf(':')
  return { kind: key.startsWith('x:') ? 'encoded' : 'episode', agencyId: rest.slice(0, at), personRef: rest.slice(at + 1) }
}

async function chunked<T>(rows: readonly T[], size: number, fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size))
}

// ---------------------------------------------------------------------------------------------------
// Reading what to link (owner connection, filtered by partnership)

type Source = { key: string; source: string; agencyId: string | null; personId: string | null; personRef: string | null }

async function plaintextRecords(db: Kysely<DB>, partnershipId: string): Promise<{ records: PersonRecord[]; sources: Source[] }> {
  const people = await db
    .selectFrom('person')
    .where('partnership_id', '=', partnershipId)
    .select(['id', 'given_name', 'family_name', sql<string | null>`date_of_birth::text`.as('dob'), 'postcode', 'sex', 'date_of_birth_is_expected'])
    .execute()
  const encoded = await db.selectFrom('linkage_encoded_record').where('partnership_id', '=', partnershipId).select(['agency_id', 'person_ref']).execute()
  const encodedSet = new Set(encoded.map(e => `${e.agency_id}:${e.person_ref}`))
  const episodes = await sql<{ agency_id: string; code: string; person_ref: string; given_name: string | null; family_name: string | null; dob: string | null; postcode: string | null; sex: string | null }>`
    SELECT DISTINCT ON (e.agency_id, e.person_ref) e.agency_id, a.code, e.person_ref, e.given_name, e.family_name,
      e.date_of_birth::text AS dob, e.postcode, e.sex
    FROM service_episode e JOIN agency a ON a.partnership_id = e.partnership_id AND a.id = e.agency_id
    WHERE e.partnership_id = ${partnershipId}::uuid
    ORDER BY e.agency_id, e.person_ref, e.referral_date DESC, e.updated_at DESC`.execute(db)
  const records: PersonRecord[] = []
  const sources: Source[] = []
  for (const p of people) {
    const key = personKey(p.id)
    records.push({ key, source: 'app', givenName: p.given_name, familyName: p.family_name, dateOfBirth: p.date_of_birth_is_expected ? null : p.dob, postcode: p.postcode, sex: p.sex })
    sources.push({ key, source: 'app', agencyId: null, personId: p.id, personRef: null })
  }
  for (const e of episodes.rows) {
    if (encodedSet.has(`${e.agency_id}:${e.person_ref}`)) continue
    const key = episodeKey(e.agency_id, e.person_ref)
    records.push({ key, source: e.code, givenName: e.given_name, familyName: e.family_name, dateOfBirth: e.dob, postcode: e.postcode, sex: e.sex })
    sources.push({ key, source: e.code, agencyId: e.agency_id, personId: null, personRef: e.person_ref })
  }
  return sortTogether(records, sources)
}

async function encodedRecords(db: Kysely<DB>, partnershipId: string): Promise<{ records: EncodedRecord[]; sources: Source[] }> {
  const rows = await db
    .selectFrom('linkage_encoded_record as r')
    .innerJoin('agency as a', j => j.onRef('a.partnership_id', '=', 'r.partnership_id').onRef('a.id', '=', 'r.agency_id'))
    .where('r.partnership_id', '=', partnershipId)
    .select(['r.agency_id', 'r.person_ref', 'r.scheme', 'r.tokens', 'r.blocks', 'r.filters', 'r.clk', 'a.code'])
    .execute()
  const records: EncodedRecord[] = []
  const sources: Source[] = []
  for (const r of rows) {
    const key = encodedKey(r.agency_id, r.person_ref)
    records.push(fromColumns(key, r.code, { link_scheme: r.scheme, link_tokens: r.tokens, link_blocks: r.blocks, link_filters: r.filters, link_clk: r.clk ?? '' }))
    sources.push({ key, source: r.code, agencyId: r.agency_id, personId: null, personRef: r.person_ref })
  }
  return sortTogether(records, sources)
}

/** Records in key order, so a run is deterministic and cluster representatives stable. */
function sortTogether<R extends { key: string }>(records: R[], sources: Source[]): { records: R[]; sources: Source[] } {
  const order = records.map((_, i) => i).sort((x, y) => (records[x]!.key < records[y]!.key ? -1 : 1))
  return { records: order.map(i => records[i]!), sources: order.map(i => sources[i]!) }
}

/** Active decisions and intake links as record-key pairs. */
async function decisionPairs(db: Kysely<DB>, partnershipId: string, mode: LinkageMode) {
  const same: [string, string][] = []
  const different: [string, string][] = []
  const decisions = await db.selectFrom('linkage_decision').where('partnership_id', '=', partnershipId).where('status', '=', 'active')
    .select(['record_a', 'record_b', 'decision']).execute()
  for (const d of decisions) if (modeOfKey(d.record_a) === mode) (d.decision === 'same' ? same : different).push([d.record_a, d.record_b])
  if (mode === 'plaintext') {
    const links = await db.selectFrom('person_link').where('partnership_id', '=', partnershipId).select(['person_id', 'linked_person_id', 'status']).execute()
    for (const l of links) (l.status === 'active' ? same : different).push([personKey(l.person_id), personKey(l.linked_person_id)])
  }
  return { same, different }
}

function indexPairs(pairs: readonly (readonly [string, string])[], index: ReadonlyMap<string, number>): [number, number][] {
  const out: [number, number][] = []
  for (const [a, b] of pairs) {
    const i = index.get(a)
    const j = index.get(b)
    if (i !== undefined && j !== undefined && i !== j) out.push([i, j])
  }
  return out
}

async function readSettings(db: Kysely<DB> | Tx, partnershipId: string): Promise<LinkageSettings> {
  const row = await db.selectFrom('linkage_settings').where('partnership_id', '=', partnershipId).selectAll().executeTakeFirst()
  if (!row) return { ...DEFAULT_SETTINGS, countThresholds: [...DEFAULT_SETTINGS.countThresholds] }
  return {
    matchThreshold: Number(row.match_threshold),
    reviewThreshold: Number(row.review_threshold),
    conflictBelow: Number(row.conflict_below),
    countThresholds: row.count_thresholds.map(Number),
  }
}

// ---------------------------------------------------------------------------------------------------

export function createLinkageService(deps: { db: Kysely<DB>; clock?: Clock }) {
  const { db } = deps
  const clock = deps.clock ?? systemClock
  const profiles = createProfileCache(db)

  /**
   * IDVA and MARAC repeats are found over linked people: when the plaintext clusters change, the stored
   * repeat flags of the referrals concerned are brought up to date (and the change audited). A partnership
   * without a profile has no referrals to flag.
   */
  async function refreshRepeats(partnershipId: string, label: string): Promise<void> {
    const hasReferrals = await db.selectFrom('referral').where('partnership_id', '=', partnershipId).select('id').limit(1).executeTakeFirst()
    if (!hasReferrals) return
    await refreshRepeatFlags(db, partnershipId, await profiles.current(partnershipId), label)
  }

  /**
   * Re-clusters one mode from the stored pairs and active decisions (after a decision, or its withdrawal),
   * on the owner connection: the stored pairs are keys and scores only. Updates the clusters that changed.
   */
  async function recluster(partnershipId: string, mode: LinkageMode): Promise<{ people: number; changed: number }> {
    const settings = await readSettings(db, partnershipId)
    const records = await db.selectFrom('linkage_record').where('partnership_id', '=', partnershipId).where('mode', '=', mode)
      .select(['record_key', 'cluster_id']).orderBy('record_key').execute()
    if (records.length === 0) return { people: 0, changed: 0 }
    const index = new Map(records.map((r, i) => [r.record_key, i]))
    const pairs = await db.selectFrom('linkage_pair').where('partnership_id', '=', partnershipId).where('record_a', mode === 'encoded' ? 'like' : 'not like', 'x:%')
      .select(['record_a', 'record_b', 'weight']).execute()
    const kept = pairs.filter(p => index.has(p.record_a) && index.has(p.record_b))
    const scored = {
      a: Int32Array.from(kept.map(p => index.get(p.record_a)!)),
      b: Int32Array.from(kept.map(p => index.get(p.record_b)!)),
      weight: Float32Array.from(kept.map(p => p.weight)),
      count: kept.length,
    }
    const { same, different } = await decisionPairs(db, partnershipId, mode)
    const result = cluster(records.length, scored, {
      threshold: settings.matchThreshold,
      conflictBelow: settings.conflictBelow,
      mustLink: indexPairs(same, index),
      cannotLink: indexPairs(different, index),
    })
    const changes: { key: string; cluster: string }[] = []
    for (let i = 0; i < records.length; i++) {
      const clusterId = clusterIdFor(partnershipId, mode, records[result.clusterOf[i]!]!.record_key)
      if (clusterId !== records[i]!.cluster_id) changes.push({ key: records[i]!.record_key, cluster: clusterId })
    }
    await db.transaction().execute(async tx => {
      for (const c of changes) {
        await tx.updateTable('linkage_record').set({ cluster_id: c.cluster })
          .where('partnership_id', '=', partnershipId).where('record_key', '=', c.key).execute()
      }
    })
    if (mode === 'plaintext' && changes.length > 0) await refreshRepeats(partnershipId, 'linkage re-cluster')
    return { people: result.clusters, changed: changes.length }
  }

  return {
    /** Runs linkage over the partnership's records of one mode and stores runs, clusters and pairs (owner connection). */
    async run(system: SystemActor, options: { mode?: LinkageMode; onProgress?: (phase: LinkPhase | 'loading' | 'saving', done: number, total: number) => void } = {}): Promise<RunSummary> {
      const started = performance.now()
      const mode = options.mode ?? 'plaintext'
      const partnershipId = system.partnershipId
      const progress = options.onProgress ?? (() => undefined)
      const settings = await readSettings(db, partnershipId)
      const runId = randomUUID()
      let summary: RunSummary
      await db.insertInto('linkage_run').values({ partnership_id: partnershipId, id: runId, mode, status: 'running', run_by: system.label, started_at: clock() }).execute()
      try {
        progress('loading', 0, 1)
        const loaded = mode === 'plaintext' ? await plaintextRecords(db, partnershipId) : await encodedRecords(db, partnershipId)
        const prepared = mode === 'plaintext'
          ? preparePlain(loaded.records as PersonRecord[], { maxYear: clock().getUTCFullYear() })
          : prepareEncoded(loaded.records as EncodedRecord[])
        progress('loading', 1, 1)
        const index = new Map(loaded.sources.map((s, i) => [s.key, i]))
        const { same, different } = await decisionPairs(db, partnershipId, mode)
        const result = link(prepared, {
          ...(prepared.columns.n < MIN_TRAINING_RECORDS ? { model: smallDataModel(prepared.columns.n, mode) } : {}),
          threshold: settings.matchThreshold,
          keepAbove: settings.reviewThreshold,
          conflictBelow: settings.conflictBelow,
          countThresholds: settings.countThresholds,
          mustLink: indexPairs(same, index),
          cannotLink: indexPairs(different, index),
          onProgress: (phase, done, total) => progress(phase, done, total),
        })
        // pairs to store: the review band and above, and the conflicts that keep clusters apart
        const conflictWeight = weightOf(Math.max(settings.conflictBelow, 1e-9))
        const keepWeight = weightOf(settings.reviewThreshold)
        const inLinked = new Uint8Array(loaded.sources.length)
        for (let p = 0; p < result.pairs.count; p++) {
          inLinked[result.pairs.a[p]!] = 1
          inLinked[result.pairs.b[p]!] = 1
        }
        const levels = new Int8Array(COMPARISONS.length)
        const compare = comparator(result.columns, result.model.thresholds)
        const pairRows: { a: number; b: number; w: number }[] = []
        const c = result.candidates
        for (let p = 0; p < c.count; p++) {
          const w = c.weight[p]!
          const i = c.a[p]!
          const j = c.b[p]!
          if (w >= keepWeight || (settings.conflictBelow > 0 && w < conflictWeight && inLinked[i] && inLinked[j])) pairRows.push({ a: i, b: j, w })
        }
        progress('saving', 0, loaded.sources.length + pairRows.length)
        await db.transaction().execute(async tx => {
          await tx.deleteFrom('linkage_pair').where('partnership_id', '=', partnershipId).where('record_a', mode === 'encoded' ? 'like' : 'not like', 'x:%').execute()
          await tx.deleteFrom('linkage_record').where('partnership_id', '=', partnershipId).where('mode', '=', mode).execute()
          await chunked(loaded.sources.map((s, i) => ({ s, i })), 1000, chunk =>
            tx.insertInto('linkage_record').values(chunk.map(({ s, i }) => ({
              partnership_id: partnershipId, record_key: s.key, mode, source: s.source, agency_id: s.agencyId, person_id: s.personId, person_ref: s.personRef,
              cluster_id: clusterIdFor(partnershipId, mode, loaded.sources[result.clusterOf[i]!]!.key), run_id: runId,
            }))).execute())
          progress('saving', loaded.sources.length, loaded.sources.length + pairRows.length)
          await chunked(pairRows, 1000, chunk =>
            tx.insertInto('linkage_pair').values(chunk.map(({ a, b, w }) => {
              compare(a, b, levels)
              const [ka, kb] = ordered(loaded.sources[a]!.key, loaded.sources[b]!.key)
              const sa = ka === loaded.sources[a]!.key ? loaded.sources[a]! : loaded.sources[b]!
              const sb = ka === loaded.sources[a]!.key ? loaded.sources[b]! : loaded.sources[a]!
              return {
                partnership_id: partnershipId, record_a: ka, record_b: kb, run_id: runId, weight: w, probability: probabilityOf(w),
                levels: [...levels], agency_a: sa.agencyId, agency_b: sb.agencyId,
              }
            })).execute())
          await tx.updateTable('linkage_run').set({
            status: 'completed', finished_at: clock(), records: result.columns.n, candidate_pairs: result.candidatePairs, pairs_kept: result.pairs.count,
            people: result.people, people_by_threshold: JSON.stringify(result.peopleByThreshold), match_threshold: settings.matchThreshold,
            review_threshold: settings.reviewThreshold, blocking: JSON.stringify(result.blocking), model: JSON.stringify(result.model),
            timings: JSON.stringify(result.timings),
          }).where('partnership_id', '=', partnershipId).where('id', '=', runId).execute()
          await recordAudit(tx, system, {
            action: 'LINKAGE_RUN', subjectType: 'linkage-run', subjectId: runId, fields: ['person-cluster'],
            details: { mode, records: result.columns.n, people: result.people, peopleByThreshold: result.peopleByThreshold },
          })
        })
        let reviewQueue = 0
        const matchWeight = weightOf(settings.matchThreshold)
        for (let p = 0; p < result.pairs.count; p++) if (result.pairs.weight[p]! < matchWeight) reviewQueue++
        progress('saving', 1, 1)
        summary = {
          runId, mode, records: result.columns.n, candidatePairs: result.candidatePairs, pairsKept: result.pairs.count,
          people: result.people, peopleByThreshold: result.peopleByThreshold, reviewQueue, seconds: 0,
        }
      } catch (error) {
        await db.updateTable('linkage_run').set({ status: 'failed', finished_at: clock(), error: error instanceof Error ? error.message : String(error) })
          .where('partnership_id', '=', partnershipId).where('id', '=', runId).execute()
        throw error
      }
      // The run is complete; the referrals' stored repeat flags follow the new clusters.
      if (mode === 'plaintext') await refreshRepeats(partnershipId, system.label)
      return { ...summary, seconds: (performance.now() - started) / 1000 }
    },

    /** The partnership's own model (its latest completed plaintext run), or the default one. */
    async currentModel(tx: Kysely<DB> | Tx, partnershipId: string): Promise<Model> {
      const row = await tx.selectFrom('linkage_run').where('partnership_id', '=', partnershipId).where('mode', '=', 'plaintext').where('status', '=', 'completed')
        .select('model').orderBy('started_at', 'desc').limit(1).executeTakeFirst()
      return (row?.model as Model | null | undefined) ?? DEFAULT_MODEL
    },

    /**
     * Intake's possible-match with the partnership's model: candidates (found by the caller, e.g. by
     * matchCandidates) at or above `threshold` (default 0.3, a suggestion), best first, each saying whether it
     * reaches the partnership's match threshold (what linkage would join). Runs in the caller's transaction;
     * any member of the partnership may read the model and thresholds.
     */
    async possibleMatchesFor<T extends MatchPersonLike>(tx: Kysely<DB> | Tx, partnershipId: string, probe: MatchPersonLike, candidates: readonly T[], options: { threshold?: number; limit?: number } = {}) {
      const model = await this.currentModel(tx, partnershipId)
      const settings = await readSettings(tx, partnershipId)
      return possibleMatches(probe, candidates, { model, ...options }).map(m => ({ ...m, aboveMatchThreshold: m.probability >= settings.matchThreshold }))
    },

    clusterIdsForPeople,
    clusterIdsForAgencyPeople,
    recluster,
    refreshRepeats,

    async settings(who: Who): Promise<LinkageSettings> {
      if (isActor(who)) return withActor(db, who, tx => readSettings(tx, who.partnershipId))
      return readSettings(db, who.partnershipId)
    },

    async updateSettings(actor: Actor, input: LinkageSettings): Promise<LinkageSettings> {
      if (!can(actor.roles, 'partnership.configure')) throw new LinkageError('forbidden', 'Only whoever configures the partnership may change the linkage thresholds')
      const problems = settingsProblems(input)
      if (problems.length) throw new LinkageError('invalid', problems.join('; '))
      const before = await withActor(db, actor, async tx => {
        const old = await readSettings(tx, actor.partnershipId)
        await tx.insertInto('linkage_settings').values({
          partnership_id: actor.partnershipId, match_threshold: input.matchThreshold, review_threshold: input.reviewThreshold,
          conflict_below: input.conflictBelow, count_thresholds: input.countThresholds, updated_by: actor.userId, updated_at: clock(),
        }).onConflict(oc => oc.column('partnership_id').doUpdateSet({
          match_threshold: input.matchThreshold, review_threshold: input.reviewThreshold, conflict_below: input.conflictBelow,
          count_thresholds: input.countThresholds, updated_by: actor.userId, updated_at: clock(), version: sql`linkage_settings.version + 1`,
        })).execute()
        await recordAudit(tx, actor, {
          action: 'LINKAGE_SETTINGS_UPDATE', subjectType: 'linkage-settings', subjectId: actor.partnershipId,
          fields: ['matchThreshold', 'reviewThreshold', 'conflictBelow', 'countThresholds'], details: { before: old, after: input },
        })
        return old
      })
      if (before.matchThreshold !== input.matchThreshold || before.conflictBelow !== input.conflictBelow) {
        await recluster(actor.partnershipId, 'plaintext')
        await recluster(actor.partnershipId, 'encoded')
      }
      return input
    },

    /** The latest runs and the size of the review queue. Counts only. */
    async overview(actor: Actor) {
      return withActor(db, actor, async tx => {
        const settings = await readSettings(tx, actor.partnershipId)
        const runs = await tx.selectFrom('linkage_run').where('partnership_id', '=', actor.partnershipId).where('status', '=', 'completed')
          .select(['id', 'mode', 'started_at', 'finished_at', 'records', 'candidate_pairs', 'pairs_kept', 'people', 'people_by_threshold', 'run_by'])
          .orderBy('started_at', 'desc').limit(20).execute()
        const latest = (['plaintext', 'encoded'] as const).map(mode => runs.find(r => r.mode === mode)).filter(r => r !== undefined)
        const people = await tx.selectFrom('linkage_record').where('partnership_id', '=', actor.partnershipId)
          .select(['mode', sql<number>`count(DISTINCT cluster_id)::int`.as('people'), sql<number>`count(*)::int`.as('records')]).groupBy('mode').execute()
        const queue = can(actor.roles, 'linkage.review') ? await queueCount(tx, actor.partnershipId, settings) : 0
        return { settings, latest, people, queue }
      })
    },

    /** Pairs in the review band not yet decided, most likely first. Keys, scores and levels only. */
    async queue(actor: Actor, options: { offset?: number; limit?: number } = {}) {
      if (!can(actor.roles, 'linkage.review')) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const settings = await readSettings(tx, actor.partnershipId)
        const rows = await undecided(tx, actor.partnershipId, settings)
          .select(['p.record_a', 'p.record_b', 'p.probability', 'p.levels', 'p.agency_a', 'p.agency_b'])
          .orderBy('p.probability', 'desc').orderBy('p.record_a').orderBy('p.record_b')
          .offset(options.offset ?? 0).limit(options.limit ?? 25).execute()
        const total = await queueCount(tx, actor.partnershipId, settings)
        const agencies = await agencyNames(tx, actor.partnershipId)
        return {
          total,
          settings,
          pairs: rows.map(r => ({
            a: r.record_a, b: r.record_b, probability: r.probability,
            agreements: COMPARISONS.map((c, k) => ({ label: c.label, level: r.levels[k] ?? -1, levelLabel: (r.levels[k] ?? -1) < 0 ? 'not known' : c.levels[r.levels[k]!]! })),
            sourceA: describeSource(r.record_a, agencies), sourceB: describeSource(r.record_b, agencies),
          })),
        }
      })
    },

    /**
     * One pair side by side. Each record's values are read as the reviewer, so row-level security decides
     * which they may see; for a record they may not see, or an encoded one, only the agreement levels show.
     * The view is audited with the fields shown.
     */
    async reviewPair(actor: Actor, recordA: string, recordB: string) {
      if (!can(actor.roles, 'linkage.review')) throw new NotFoundError()
      const [a, b] = ordered(recordA, recordB)
      return withActor(db, actor, async tx => {
        const pair = await tx.selectFrom('linkage_pair').where('partnership_id', '=', actor.partnershipId).where('record_a', '=', a).where('record_b', '=', b)
          .selectAll().executeTakeFirst()
        if (!pair) throw new NotFoundError()
        const run = await tx.selectFrom('linkage_run').where('partnership_id', '=', actor.partnershipId).where('id', '=', pair.run_id).select('model').executeTakeFirst()
        const model = (run?.model as Model | null | undefined) ?? DEFAULT_MODEL
        const agencies = await agencyNames(tx, actor.partnershipId)
        const records = [await recordValues(tx, actor.partnershipId, a, agencies), await recordValues(tx, actor.partnershipId, b, agencies)]
        const fields = COMPARISONS.map((c, k) => {
          const level = pair.levels[k] ?? -1
          const params = model.comparisons[k]
          const weight = level >= 0 && params ? Math.log2(params.m[level]! / params.u[level]!) : 0
          return { comparison: c.name, label: c.label, level, levelLabel: level < 0 ? 'not known on one side' : c.levels[level]!, weight }
        })
        const decision = await tx.selectFrom('linkage_decision').where('partnership_id', '=', actor.partnershipId).where('record_a', '=', a).where('record_b', '=', b)
          .where('status', '=', 'active').select(['id', 'decision', 'reason', 'decided_at']).executeTakeFirst()
        const clusters = await tx.selectFrom('linkage_record').where('partnership_id', '=', actor.partnershipId).where('record_key', 'in', [a, b])
          .select(['record_key', 'cluster_id']).execute()
        const sameCluster = clusters.length === 2 && clusters[0]!.cluster_id === clusters[1]!.cluster_id
        const shown = records.flatMap(r => r.shownFields)
        await recordAudit(tx, actor, {
          action: 'LINKAGE_PAIR_VIEW', subjectType: 'linkage-pair', subjectId: `${a}|${b}`, fields: [...new Set(shown)],
          details: { personIds: records.map(r => r.personId).filter((id): id is string => id !== null), records: [a, b], purpose: 'linkage review' },
        })
        return { a, b, probability: pair.probability, weight: pair.weight, fields, records, decision: decision ?? null, sameCluster }
      })
    },

    /** Records a reviewer's decision (replacing an earlier one on the pair), audited, then re-clusters. */
    async decide(actor: Actor, recordA: string, recordB: string, decision: 'same' | 'different', reason: string | null) {
      if (!can(actor.roles, 'linkage.review')) throw new NotFoundError()
      const [a, b] = ordered(recordA, recordB)
      if (modeOfKey(a) !== modeOfKey(b)) throw new LinkageError('invalid', 'Records of encoded and plaintext data cannot be linked')
      const id = randomUUID()
      await withActor(db, actor, async tx => {
        const pair = await tx.selectFrom('linkage_pair').where('partnership_id', '=', actor.partnershipId).where('record_a', '=', a).where('record_b', '=', b)
          .select(['probability']).executeTakeFirst()
        if (!pair) throw new NotFoundError()
        const earlier = await tx.updateTable('linkage_decision').set({ status: 'withdrawn', withdrawn_by: actor.userId, withdrawn_at: clock(), withdraw_reason: 'replaced by a new decision' })
          .where('partnership_id', '=', actor.partnershipId).where('record_a', '=', a).where('record_b', '=', b).where('status', '=', 'active')
          .returning('id').execute()
        await tx.insertInto('linkage_decision').values({
          partnership_id: actor.partnershipId, id, record_a: a, record_b: b, decision, reason, probability: pair.probability, decided_by: actor.userId, decided_at: clock(),
        }).execute()
        await recordAudit(tx, actor, {
          action: 'LINKAGE_DECISION', subjectType: 'linkage-decision', subjectId: id, fields: ['person-cluster'], ...(reason ? { reason } : {}),
          details: { decision, records: [a, b], probability: pair.probability, replaces: earlier.map(e => e.id), personIds: [a, b].filter(k => k.startsWith('p:')).map(k => k.slice(2)) },
        })
      })
      await recluster(actor.partnershipId, modeOfKey(a))
      return { id }
    },

    /** Withdraws a decision (link, never merge: nothing is lost), audited, then re-clusters. */
    async withdraw(actor: Actor, decisionId: string, reason: string) {
      if (!can(actor.roles, 'linkage.review')) throw new NotFoundError()
      const mode = await withActor(db, actor, async tx => {
        const row = await tx.updateTable('linkage_decision').set({ status: 'withdrawn', withdrawn_by: actor.userId, withdrawn_at: clock(), withdraw_reason: reason })
          .where('partnership_id', '=', actor.partnershipId).where('id', '=', decisionId).where('status', '=', 'active')
          .returning(['record_a', 'record_b', 'decision']).executeTakeFirst()
        if (!row) throw new NotFoundError()
        await recordAudit(tx, actor, {
          action: 'LINKAGE_DECISION_WITHDRAW', subjectType: 'linkage-decision', subjectId: decisionId, fields: ['person-cluster'], reason,
          details: { withdrawn: row.decision, records: [row.record_a, row.record_b] },
        })
        return modeOfKey(row.record_a)
      })
      await recluster(actor.partnershipId, mode)
    },

    /** Active and withdrawn decisions, newest first. */
    async decisions(actor: Actor, options: { limit?: number } = {}) {
      if (!can(actor.roles, 'linkage.review')) throw new NotFoundError()
      return withActor(db, actor, async tx => {
        const agencies = await agencyNames(tx, actor.partnershipId)
        const rows = await tx.selectFrom('linkage_decision as d')
          .leftJoin('app_user as u', j => j.onRef('u.partnership_id', '=', 'd.partnership_id').onRef('u.id', '=', 'd.decided_by'))
          .where('d.partnership_id', '=', actor.partnershipId)
          .select(['d.id', 'd.record_a', 'd.record_b', 'd.decision', 'd.reason', 'd.status', 'd.decided_at', 'd.withdrawn_at', 'd.withdraw_reason', 'd.probability', 'u.display_name as decidedBy'])
          .orderBy('d.decided_at', 'desc').limit(options.limit ?? 50).execute()
        return rows.map(r => ({ ...r, sourceA: describeSource(r.record_a, agencies), sourceB: describeSource(r.record_b, agencies) }))
      })
    },
  }
}

export type LinkageService = ReturnType<typeof createLinkageService>

export function settingsProblems(s: LinkageSettings): string[] {
  const problems: string[] = []
  const inUnit = (v: number) => Number.isFinite(v) && v > 0 && v < 1
  if (!inUnit(s.matchThreshold)) problems.push('The match threshold must be between 0 and 1')
  if (!inUnit(s.reviewThreshold)) problems.push('The review threshold must be between 0 and 1')
  if (inUnit(s.matchThreshold) && inUnit(s.reviewThreshold) && s.reviewThreshold > s.matchThreshold) problems.push('The review threshold must not be above the match threshold')
  if (!(Number.isFinite(s.conflictBelow) && s.conflictBelow >= 0 && s.conflictBelow < s.reviewThreshold)) problems.push('The conflict threshold must be from 0 up to the review threshold')
  if (s.countThresholds.length === 0 || !s.countThresholds.every(inUnit)) problems.push('Give at least one count threshold, each between 0 and 1')
  return problems
}

function undecided(tx: Tx, partnershipId: string, settings: LinkageSettings) {
  return tx.selectFrom('linkage_pair as p')
    .where('p.partnership_id', '=', partnershipId)
    .where('p.probability', '>=', settings.reviewThreshold)
    .where('p.probability', '<', settings.matchThreshold)
    .where(eb => eb.not(eb.exists(eb.selectFrom('linkage_decision as d').select(sql`1`.as('one'))
      .whereRef('d.partnership_id', '=', 'p.partnership_id').whereRef('d.record_a', '=', 'p.record_a').whereRef('d.record_b', '=', 'p.record_b')
      .where('d.status', '=', 'active'))))
}

async function queueCount(tx: Tx, partnershipId: string, settings: LinkageSettings): Promise<number> {
  const row = await undecided(tx, partnershipId, settings).select(sql<number>`count(*)::int`.as('n')).executeTakeFirst()
  return Number(row?.n ?? 0)
}

async function agencyNames(tx: Tx, partnershipId: string): Promise<Map<string, string>> {
  const rows = await tx.selectFrom('agency').where('partnership_id', '=', partnershipId).select(['id', 'name']).execute()
  return new Map(rows.map(r => [r.id, r.name]))
}

/** Where a record comes from, in words, without personal data. */
export function describeSource(key: string, agencies: ReadonlyMap<string, string>): { agency: string; reference: string; encoded: boolean } {
  const k = parseKey(key)
  if (k.kind === 'person') return { agency: 'Hearth (referrals and cases)', reference: 'person record', encoded: false }
  return { agency: agencies.get(k.agencyId) ?? 'an agency', reference: k.personRef, encoded: k.kind === 'encoded' }
}

type RecordValues = {
  key: string
  source: { agency: string; reference: string; encoded: boolean }
  /** Field label → value, only for fields the reviewer may see; null when the record is not visible to them. */
  values: { label: string; value: string }[] | null
  note: string | null
  personId: string | null
  shownFields: string[]
}

/** A record's identifying values as the reviewer may see them (row-level security decides). */
async function recordValues(tx: Tx, partnershipId: string, key: string, agencies: ReadonlyMap<string, string>): Promise<RecordValues> {
  const k = parseKey(key)
  const source = describeSource(key, agencies)
  const show = (row: { given_name: string | null; family_name: string | null; dob: string | null; postcode: string | null; sex: string | null }) => {
    const values = [
      { label: 'Given name', value: row.given_name ?? '', field: 'givenName' },
      { label: 'Family name', value: row.family_name ?? '', field: 'familyName' },
      { label: 'Date of birth', value: row.dob ?? '', field: 'dateOfBirth' },
      { label: 'Postcode', value: row.postcode ?? '', field: 'postcode' },
      { label: 'Sex', value: row.sex ?? '', field: 'sex' },
    ]
    return { values: values.map(v => ({ label: v.label, value: v.value || 'not recorded' })), shownFields: values.filter(v => v.value).map(v => v.field) }
  }
  if (k.kind === 'encoded') {
    return { key, source, values: null, note: 'Encoded at the agency: Hearth holds no names or dates for this record, only how they compare.', personId: null, shownFields: [] }
  }
  if (k.kind === 'person') {
    const row = await tx.selectFrom('person').where('partnership_id', '=', partnershipId).where('id', '=', k.personId)
      .select(['given_name', 'family_name', sql<string | null>`date_of_birth::text`.as('dob'), 'postcode', 'sex']).executeTakeFirst()
    if (!row) return { key, source, values: null, note: 'You may not see this person’s record: only how the details compare is shown.', personId: null, shownFields: [] }
    return { key, source, ...show(row), note: null, personId: k.personId }
  }
  const row = await tx.selectFrom('service_episode').where('partnership_id', '=', partnershipId).where('agency_id', '=', k.agencyId).where('person_ref', '=', k.personRef)
    .select(['given_name', 'family_name', sql<string | null>`date_of_birth::text`.as('dob'), 'postcode', 'sex'])
    .orderBy('referral_date', 'desc').limit(1).executeTakeFirst()
  if (!row) return { key, source, values: null, note: 'You may not see this agency’s records: only how the details compare is shown.', personId: null, shownFields: [] }
  return { key, source, ...show(row), note: null, personId: null }
}

/**
 * Person-cluster ids for people in the app, from the latest plaintext run: what reports and repeat detection
 * use to count and match people rather than records. A person no run has seen is its own cluster.
 */
export async function clusterIdsForPeople(tx: Kysely<DB> | Tx, partnershipId: string, personIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (personIds.length === 0) return out
  for (let i = 0; i < personIds.length; i += 5000) {
    const chunk = personIds.slice(i, i + 5000)
    const rows = await tx.selectFrom('linkage_record').where('partnership_id', '=', partnershipId).where('person_id', 'in', chunk)
      .select(['person_id', 'cluster_id']).execute()
    for (const r of rows) if (r.person_id) out.set(r.person_id, r.cluster_id)
  }
  for (const id of personIds) if (!out.has(id)) out.set(id, clusterIdFor(partnershipId, 'plaintext', personKey(id)))
  return out
}

/** Person-cluster ids for agencies' people (agency id + person_ref), plaintext or encoded, keyed "agencyId:personRef". */
export async function clusterIdsForAgencyPeople(tx: Kysely<DB> | Tx, partnershipId: string, people: readonly { agencyId: string; personRef: string }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (people.length === 0) return out
  const keys = people.flatMap(p => [episodeKey(p.agencyId, p.personRef), encodedKey(p.agencyId, p.personRef)])
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await tx.selectFrom('linkage_record').where('partnership_id', '=', partnershipId).where('record_key', 'in', keys.slice(i, i + 5000))
      .select(['agency_id', 'person_ref', 'cluster_id']).execute()
    for (const r of rows) if (r.agency_id && r.person_ref) out.set(`${r.agency_id}:${r.person_ref}`, r.cluster_id)
  }
  for (const p of people) {
    const k = `${p.agencyId}:${p.personRef}`
    if (!out.has(k)) out.set(k, clusterIdFor(partnershipId, 'plaintext', episodeKey(p.agencyId, p.personRef)))
  }
  return out
}
