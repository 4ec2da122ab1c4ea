/**
 * Queries of survivor feedback. Every function takes the transaction it runs in: withActor() for staff,
 * withVisitor() (below) for the anonymous visitor. Row-level security decides what each can see.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.ts'
import type { Tx } from '../../db/scope.ts'
import type { AnswerRow, CountRow, Draft } from './rules.ts'
import type { FeedbackLinkTable } from './tables.ts'

type Db = Kysely<DB> | Tx

/**
 * Runs fn as the anonymous visitor of one partnership: no user, so only the link whose token hash or the
 * visit whose cookie hash is given here can be seen (see the migration's policies).
 */
export async function withVisitor<T>(
  db: Kysely<DB>,
  partnershipId: string,
  keys: { tokenHash?: string; visitId?: string },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async tx => {
    await sql`SET LOCAL ROLE hearth_app`.execute(tx)
    await sql`SELECT set_config('hearth.partnership_id', ${partnershipId}, true),
                     set_config('hearth.feedback_token', ${keys.tokenHash ?? ''}, true),
                     set_config('hearth.feedback_visit', ${keys.visitId ?? ''}, true)`.execute(tx)
    return fn(tx)
  })
}

export type LinkRow = Pick<
  FeedbackLinkTable,
  'id' | 'kind' | 'purpose' | 'survey_code' | 'agency_id' | 'period_start' | 'period_end' | 'expires_on' | 'label'
> & { revoked: boolean }

/**
 * Dates as ISO text. (PGlite returns a date column as a JavaScript Date whatever parser it is given, so
 * dates are cast in SQL to be the same on both engines.)
 */
const isoDate = <A extends string>(column: string, alias: A) => sql<string>`${sql.ref(column)}::text`.as(alias)

const linkColumns = ['id', 'kind', 'purpose', 'survey_code', 'agency_id', 'label', 'revoked'] as const

export async function linkByTokenHash(tx: Tx, tokenHash: string): Promise<LinkRow | undefined> {
  return tx
    .selectFrom('feedback_link')
    .where('token_hash', '=', tokenHash)
    .select([...linkColumns, isoDate('period_start', 'period_start'), isoDate('period_end', 'period_end'), isoDate('expires_on', 'expires_on')])
    .executeTakeFirst()
}

export async function insertLink(
  tx: Tx,
  link: Omit<FeedbackLinkTable, 'revoked' | 'id'> & { id?: string },
): Promise<string> {
  const id = link.id ?? randomUUID()
  await tx.insertInto('feedback_link').values({ ...link, id }).execute()
  return id
}

export async function openLinks(tx: Tx) {
  return tx
    .selectFrom('feedback_link')
    .leftJoin('agency', join => join.onRef('agency.partnership_id', '=', 'feedback_link.partnership_id').onRef('agency.id', '=', 'feedback_link.agency_id'))
    .where('feedback_link.kind', '=', 'open')
    .select([...linkColumns.map(c => `feedback_link.${c}` as const), isoDate('feedback_link.period_start', 'period_start'), isoDate('feedback_link.period_end', 'period_end'),
      isoDate('feedback_link.expires_on', 'expires_on'), 'agency.name as agency_name'])
    .orderBy('feedback_link.expires_on', 'desc')
    .execute()
}

export async function revokeLink(tx: Tx, id: string): Promise<number> {
  const result = await tx.updateTable('feedback_link').set({ revoked: true }).where('id', '=', id).where('kind', '=', 'open').executeTakeFirst()
  return Number(result.numUpdatedRows)
}

// ----- visits -----

export async function insertVisit(tx: Tx, partnershipId: string, visit: { id: string; linkId: string; draft: Draft; now: Date; expiresAt: Date }) {
  await tx
    .insertInto('feedback_visit')
    .values({
      partnership_id: partnershipId,
      id: visit.id,
      link_id: visit.linkId,
      draft: JSON.stringify(visit.draft),
      last_seen_at: visit.now,
      expires_at: visit.expiresAt,
    })
    .execute()
}

/** The visitor's visit with its link (both visible only to the holder of the visit cookie). */
export async function visitWithLink(tx: Tx, visitId: string) {
  return tx
    .selectFrom('feedback_visit as v')
    .innerJoin('feedback_link as l', join => join.onRef('l.partnership_id', '=', 'v.partnership_id').onRef('l.id', '=', 'v.link_id'))
    .where('v.id', '=', visitId)
    .select([
      'v.draft', 'v.last_seen_at', 'v.expires_at', 'v.link_id',
      'l.kind', 'l.purpose', 'l.survey_code', 'l.agency_id', 'l.revoked',
      isoDate('l.period_start', 'period_start'), isoDate('l.period_end', 'period_end'), isoDate('l.expires_on', 'expires_on'),
    ])
    .executeTakeFirst()
}

export async function updateVisit(tx: Tx, visitId: string, values: { draft?: Draft; now: Date }) {
  await tx
    .updateTable('feedback_visit')
    .set({ last_seen_at: values.now, ...(values.draft ? { draft: JSON.stringify(values.draft) } : {}) })
    .where('id', '=', visitId)
    .execute()
}

export async function deleteVisit(tx: Tx, visitId: string) {
  await tx.deleteFrom('feedback_visit').where('id', '=', visitId).execute()
}

/** Deletes visits idle since before the cutoff: unsent answers do not outlive their visit. */
export async function sweepVisits(tx: Tx, idleBefore: Date, now: Date) {
  await tx.deleteFrom('feedback_visit').where(eb => eb.or([eb('last_seen_at', '<', idleBefore), eb('expires_at', '<', now)])).execute()
}

/** Spends a single-use link: deletes it (and, by cascade, every visit of it). 0 when already spent. */
export async function spendLink(tx: Tx, linkId: string): Promise<number> {
  const result = await tx.deleteFrom('feedback_link').where('id', '=', linkId).where('kind', '=', 'single-use').executeTakeFirst()
  return Number(result.numDeletedRows)
}

// ----- responses -----

export async function insertResponse(
  tx: Tx,
  partnershipId: string,
  response: {
    surveyCode: string
    language: string
    purpose: FeedbackLinkTable['purpose']
    issuerGroup: string | null
    issuerAgencyId: string | null
    periodStart: string
    periodEnd: string
  },
  answers: AnswerRow[],
): Promise<void> {
  const id = randomUUID()
  await tx
    .insertInto('feedback_response')
    .values({
      partnership_id: partnershipId,
      id,
      survey_code: response.surveyCode,
      language: response.language,
      purpose: response.purpose,
      issuer_group: response.issuerGroup,
      issuer_agency_id: response.issuerAgencyId,
      period_start: response.periodStart,
      period_end: response.periodEnd,
    })
    .execute()
  if (answers.length === 0) return
  await tx
    .insertInto('feedback_answer')
    .values(answers.map(a => ({
      partnership_id: partnershipId,
      id: randomUUID(),
      response_id: id,
      service_group: a.serviceGroup,
      service_agency_id: a.serviceAgencyId,
      question_code: a.questionCode,
      option_code: a.optionCode,
      text_value: a.textValue,
    })))
    .execute()
}

export type ResponseFilter = { from: string; to: string; agencyId?: string | undefined; untagged?: boolean; offset: number; limit: number }

/** Responses in a period (optionally about one agency), for the evaluator. RLS hides them from anyone else. */
export async function responsePage(tx: Tx, filter: ResponseFilter) {
  let query = tx
    .selectFrom('feedback_response as r')
    .where('r.period_start', '>=', filter.from)
    .where('r.period_end', '<=', filter.to)
  if (filter.agencyId) {
    const agencyId = filter.agencyId
    query = query.where(eb =>
      eb.or([
        eb('r.issuer_agency_id', '=', agencyId),
        eb.exists(eb.selectFrom('feedback_answer as a').whereRef('a.partnership_id', '=', 'r.partnership_id')
          .whereRef('a.response_id', '=', 'r.id').where('a.service_agency_id', '=', agencyId).select(sql`1`.as('one'))),
      ]))
  }
  if (filter.untagged) {
    query = query.where(eb =>
      eb.exists(eb.selectFrom('feedback_answer as a').whereRef('a.partnership_id', '=', 'r.partnership_id')
        .whereRef('a.response_id', '=', 'r.id').where('a.text_value', 'is not', null)
        .where(inner => inner.not(inner.exists(inner.selectFrom('feedback_answer_theme as t').whereRef('t.partnership_id', '=', 'a.partnership_id')
          .whereRef('t.answer_id', '=', 'a.id').select(sql`1`.as('one')))))
        .select(sql`1`.as('one'))))
  }
  const [rows, total] = await Promise.all([
    query
      .select(['r.id', 'r.survey_code', 'r.language', 'r.purpose', 'r.issuer_group', 'r.issuer_agency_id', isoDate('r.period_start', 'period_start'), isoDate('r.period_end', 'period_end')])
      .orderBy('r.period_start', 'desc')
      .orderBy('r.id')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
    query.select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

export async function answersOf(tx: Tx, responseIds: string[]) {
  if (responseIds.length === 0) return []
  return tx
    .selectFrom('feedback_answer')
    .where('response_id', 'in', responseIds)
    .select(['id', 'response_id', 'service_group', 'service_agency_id', 'question_code', 'option_code', 'text_value'])
    .execute()
}

export async function themesOfAnswers(tx: Tx, answerIds: string[]) {
  if (answerIds.length === 0) return []
  return tx.selectFrom('feedback_answer_theme').where('answer_id', 'in', answerIds).select(['answer_id', 'theme_id']).execute()
}

export async function themes(tx: Db) {
  return tx.selectFrom('feedback_theme').select(['id', 'label']).orderBy('label').execute()
}

export async function insertTheme(tx: Tx, partnershipId: string, label: string): Promise<string> {
  const id = randomUUID()
  await tx.insertInto('feedback_theme').values({ partnership_id: partnershipId, id, label }).execute()
  return id
}

export async function themeByLabel(tx: Tx, label: string) {
  return tx.selectFrom('feedback_theme').where(sql<string>`lower(label)`, '=', label.toLowerCase()).select(['id', 'label']).executeTakeFirst()
}

export async function answerExists(tx: Tx, answerId: string): Promise<boolean> {
  return Boolean(await tx.selectFrom('feedback_answer').where('id', '=', answerId).where('text_value', 'is not', null).select('id').executeTakeFirst())
}

export async function setAnswerThemes(tx: Tx, partnershipId: string, answerId: string, themeIds: string[]) {
  await tx.deleteFrom('feedback_answer_theme').where('answer_id', '=', answerId).execute()
  if (themeIds.length === 0) return
  await tx
    .insertInto('feedback_answer_theme')
    .values(themeIds.map(themeId => ({ partnership_id: partnershipId, answer_id: answerId, theme_id: themeId })))
    .execute()
}

// ----- results -----

export async function counts(tx: Tx, from: string, to: string, agencyId: string | null): Promise<CountRow[]> {
  const result = await sql<CountRow>`SELECT * FROM hearth_feedback_counts(${from}::date, ${to}::date, ${agencyId}::uuid)`.execute(tx)
  return result.rows.map(r => ({ ...r, n: r.n === null ? null : Number(r.n) }))
}

export async function agencies(tx: Db) {
  return tx.selectFrom('agency').select(['id', 'code', 'name', 'kind']).orderBy('name').execute()
}

/** The suppression threshold of the partnership's profile in force (5 when the profile sets none). */
export async function suppressionThreshold(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom('partnership_profile')
    .select(sql<string | null>`profile -> 'suppression' ->> 'threshold'`.as('threshold'))
    .orderBy('version', 'desc')
    .executeTakeFirst()
  const value = Number(row?.threshold)
  return Number.isInteger(value) && value > 0 ? value : 5
}
