import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/access/actor.ts'
import { withActor, withPartnership } from '../../src/db/scope.ts'
import * as repo from '../../src/domains/feedback/repository.ts'
import { createFeedbackService, feedbackResults, offerExitQuestionnaire } from '../../src/domains/feedback/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'
import { testClock } from '../support/web.ts'

/**
 * Survivor feedback in the database: no linkage to people or cases anywhere in the schema, what each
 * role can see (row-level security, not routes), and suppression enforced by the database.
 */
describe(`survivor feedback in the database on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let f: ReturnType<typeof factories>
  const clock = testClock(new Date('2026-11-22T09:00:00Z'))
  let service: ReturnType<typeof createFeedbackService>
  let partnershipId: string
  let idvaAgency: string
  let refugeAgency: string
  let otherPartnership: string
  let idva: Actor
  let idvaManager: Actor
  let refugeWorker: Actor
  let evaluator: Actor
  let commissioner: Actor
  let administrator: Actor
  let outsider: Actor

  /** Opens a link, answers every page the way `answers` says (by page number), and sends. */
  async function respond(path: string, answers: Record<number, Record<string, string | string[]>> = {}, lang = 'en') {
    const opened = await service.openLink(path.replace('/s/', ''), lang)
    if (opened.kind !== 'visit') throw new Error(`link not working: ${opened.kind}`)
    const cookie = opened.cookie
    for (let p = 0; p < 20; p++) {
      const shown = await service.page(cookie, p)
      if (shown.kind !== 'page') throw new Error(`no page: ${shown.kind}`)
      if (shown.page.spec.kind === 'check') {
        const sent = await service.answer(cookie, { p: String(shown.page.index), action: 'send' })
        return { sent, cookie }
      }
      const keep = shown.page.spec.kind === 'services' ? { groups: shown.page.draft.groups } : {}
      const outcome = await service.answer(cookie, { p: String(shown.page.index), action: 'next', ...keep, ...(answers[shown.page.index] ?? {}) })
      if (outcome.kind !== 'next') throw new Error(`unexpected ${outcome.kind}`)
      p = outcome.index - 1
    }
    throw new Error('never reached the check page')
  }

  beforeAll(async () => {
    database = await openTestDatabase()
    f = factories(database.db)
    service = createFeedbackService({ db: database.db, clock })
    const p = await f.newPartnership()
    partnershipId = p.partnershipId
    idvaAgency = await f.newAgency(partnershipId, 'idva-service')
    refugeAgency = await f.newAgency(partnershipId, 'refuge-provider')
    const evaluatorAgency = await f.newAgency(partnershipId, 'other')
    const council = await f.newAgency(partnershipId, 'local-authority')
    idva = await f.newUser(partnershipId, { agencyId: idvaAgency, roles: ['idva'] })
    idvaManager = await f.newUser(partnershipId, { agencyId: idvaAgency, roles: ['idva-manager'] })
    refugeWorker = await f.newUser(partnershipId, { agencyId: refugeAgency, roles: ['safe-accommodation-worker'] })
    evaluator = await f.newUser(partnershipId, { agencyId: evaluatorAgency, roles: ['independent-evaluator'] })
    commissioner = await f.newUser(partnershipId, { agencyId: council, roles: ['commissioner'] })
    administrator = await f.newUser(partnershipId, { agencyId: council, roles: ['administrator'] })
    const other = await f.newPartnership()
    otherPartnership = other.partnershipId
    outsider = await f.newUser(otherPartnership, { agencyId: await f.newAgency(otherPartnership, 'other'), roles: ['independent-evaluator'] })
  })
  afterAll(() => database.drop())

  it('has no column or foreign key that could link feedback to a person, referral, case or user', async () => {
    const columns = await sql<{ table: string; column: string }>`
      SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name LIKE 'feedback%'`.execute(database.db)
    expect(new Set(columns.rows.map(c => c.table))).toEqual(
      new Set(['feedback_link', 'feedback_visit', 'feedback_response', 'feedback_answer', 'feedback_theme', 'feedback_answer_theme']))
    const suspicious = columns.rows.filter(c =>
      /person|case|referral|victim|user|created|issued|submitted|(^|_)ip($|_)|email|name|phone|contact|address|birth/i.test(c.column))
    expect(suspicious).toEqual([])
    const references = await sql<{ table: string; references: string }>`
      SELECT c.relname AS table, r.relname AS references FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
      WHERE k.contype = 'f' AND c.relname LIKE 'feedback%'`.execute(database.db)
    const targets = new Set(references.rows.map(r => r.references))
    for (const t of targets) expect(['partnership', 'agency', 'feedback_link', 'feedback_response', 'feedback_answer', 'feedback_theme']).toContain(t)
    // The response does not even name the link it came through.
    expect(columns.rows.filter(c => c.table === 'feedback_response').map(c => c.column)).not.toContain('link_id')
  })

  it('issues an exit questionnaire link that records no case, no issuer and no time of issue', async () => {
    const issued = await withActor(database.db, idva, tx => offerExitQuestionnaire(tx, idva, { purpose: 'case-closure', on: '2026-11-22' }))
    expect(issued.path).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/)
    expect(issued.period).toEqual({ start: '2026-10-01', end: '2026-12-31' })
    const row = await database.db.selectFrom('feedback_link').selectAll().select(sql<string>`expires_on::text`.as('expires')).execute()
    const stored = row.find(r => r.agency_id === idvaAgency)!
    expect(stored).toMatchObject({ kind: 'single-use', purpose: 'case-closure', agency_id: idvaAgency, expires: '2027-01-21', label: null })
    expect(JSON.stringify(row)).not.toContain(issued.token)
  })

  it('refuses a link for another agency unless the issuer has partnership scope', async () => {
    await expect(withActor(database.db, idva, tx =>
      repo.insertLink(tx, {
        partnership_id: partnershipId, token_hash: 'x'.repeat(64), kind: 'single-use', purpose: 'other', survey_code: 'adult-2026.1',
        agency_id: refugeAgency, period_start: '2026-10-01', period_end: '2026-12-31', expires_on: '2027-01-01', label: null,
      }))).rejects.toThrow(/row-level security/)
    await expect(service.issueLink(administrator, { kind: 'single-use', purpose: 'other', audience: 'adult' })).rejects.toThrow()
    const open = await service.issueLink(evaluator, {
      kind: 'open', purpose: 'other', audience: 'adult', agencyId: refugeAgency, label: 'Poster in the refuge lounge',
      period: { start: '2026-10-01', end: '2026-12-31' }, expiresOn: '2026-12-31',
    })
    expect(open.kind).toBe('open')
    await expect(service.issueLink(idvaManager, { kind: 'open', purpose: 'other', audience: 'adult' })).rejects.toThrow()
  })

  it('lets an anonymous visitor find a link only by its token, and see only their own visit', async () => {
    const issued = await service.issueLink(idva, { kind: 'single-use', purpose: 'case-closure', audience: 'adult' })
    const opened = await service.openLink(issued.token, 'en')
    expect(opened.kind).toBe('visit')
    // Without the token or cookie, the anonymous role sees no links, visits or responses at all.
    const seen = await withPartnership(database.db, partnershipId, async tx => ({
      links: await tx.selectFrom('feedback_link').select('id').execute(),
      visits: await tx.selectFrom('feedback_visit').select('id').execute(),
      responses: await tx.selectFrom('feedback_response').select('id').execute(),
    }))
    expect(seen).toEqual({ links: [], visits: [], responses: [] })
    // Nor can it add a response without a live visit.
    await expect(withPartnership(database.db, partnershipId, tx =>
      repo.insertResponse(tx, partnershipId, {
        surveyCode: 'adult-2026.1', language: 'en', purpose: 'other', issuerGroup: null, issuerAgencyId: null,
        periodStart: '2026-10-01', periodEnd: '2026-12-31',
      }, []))).rejects.toThrow(/row-level security/)
  })

  it('sends a response once: the single-use link is then gone, with any other window of it', async () => {
    const issued = await service.issueLink(idva, { kind: 'single-use', purpose: 'case-closure', audience: 'adult' })
    const first = await service.openLink(issued.token, 'pl')
    const second = await service.openLink(issued.token, 'en')
    if (first.kind !== 'visit' || second.kind !== 'visit') throw new Error('links should open')
    const { sent } = await respond(issued.path, { 2: { listened: 'yes', helpful: 'Pomogła mi znaleźć bezpieczne miejsce' } }, 'pl')
    expect(sent).toEqual({ kind: 'sent', lang: 'pl' })
    expect(await service.openLink(issued.token, 'en')).toEqual({ kind: 'not-working' })
    expect(await service.page(first.cookie, undefined)).toEqual({ kind: 'expired' })
    expect(await service.page(second.cookie, undefined)).toEqual({ kind: 'expired' })
  })

  it('takes a young person through the plainer survey, about the services they choose', async () => {
    const issued = await service.issueLink(idva, { kind: 'single-use', purpose: 'case-closure', audience: 'young-person' })
    const opened = await service.openLink(issued.token, 'en')
    if (opened.kind !== 'visit') throw new Error('should open')
    const start = await service.page(opened.cookie, undefined)
    if (start.kind !== 'page') throw new Error('should show')
    expect(start.page.ctx.survey.code).toBe('young-person-2026.1')
    expect(start.page.pages).toEqual(['start', 'services', 'service.idva', 'general.future', 'check'])
    await service.answer(opened.cookie, { p: '0', action: 'next' })
    await service.answer(opened.cookie, { p: '1', action: 'next', groups: ['idva', 'school'] })
    const school = await service.page(opened.cookie, 3)
    if (school.kind !== 'page') throw new Error('should show')
    expect(school.page.pages[3]).toBe('service.school')
    // A page not reached yet cannot be skipped to: the furthest page reached is shown instead.
    expect(school.page.spec).toMatchObject({ kind: 'service', group: 'idva' })
    // A 5-point answer is not on the young people's 4-point scale.
    const wrong = await service.answer(opened.cookie, { p: '2', action: 'next', 'satisfaction-young': 'neither' })
    expect(wrong.kind).toBe('invalid')
    expect((await service.answer(opened.cookie, { p: '2', action: 'next', 'satisfaction-young': 'fairly-satisfied', 'felt-safer': 'yes' })).kind).toBe('next')
  })

  it('ends a visit after 30 idle minutes, deleting the answers not sent', async () => {
    const issued = await service.issueLink(idva, { kind: 'single-use', purpose: 'case-closure', audience: 'adult' })
    const opened = await service.openLink(issued.token, 'en')
    if (opened.kind !== 'visit') throw new Error('should open')
    await service.answer(opened.cookie, { p: '0', action: 'next' })
    clock.advanceMinutes(31)
    expect(await service.page(opened.cookie, undefined)).toEqual({ kind: 'expired' })
    // The link itself still works: the person can start again.
    expect((await service.openLink(issued.token, 'en')).kind).toBe('visit')
  })

  describe('what each role sees', () => {
    const period = { from: '2027-04-01', to: '2027-06-30' }

    beforeAll(async () => {
      // Six responses about the IDVA service in 2027-28 Q1 (threshold 5), two about the refuge.
      clock.advanceMinutes(60 * 24 * 140) // into April 2027
      const answers = ['yes', 'yes', 'yes', 'yes', 'yes', 'no']
      for (const listened of answers) {
        const issued = await service.issueLink(idva, { kind: 'single-use', purpose: 'case-closure', audience: 'adult' })
        await respond(issued.path, { 2: { listened, safety: 'mostly', improve: 'Keep me updated about my case' } })
      }
      for (let i = 0; i < 2; i++) {
        const issued = await service.issueLink(refugeWorker, { kind: 'single-use', purpose: 'refuge-move-out', audience: 'adult' })
        await respond(issued.path, { 2: { listened: 'yes' }, 3: { 'refuge-safer': 'yes' } })
      }
    })

    it('the evaluator reads every response, without identities; nobody else reads any', async () => {
      const evaluatorView = await service.responses(evaluator, { ...period, page: 1, pageSize: 50 })
      expect(evaluatorView.total).toBe(8)
      expect(evaluatorView.rows[0]).not.toHaveProperty('person_id')
      for (const actor of [idva, idvaManager, refugeWorker, commissioner, administrator]) {
        const direct = await withActor(database.db, actor, async tx => ({
          responses: await tx.selectFrom('feedback_response').select('id').execute(),
          answers: await tx.selectFrom('feedback_answer').select('id').execute(),
        }))
        expect(direct, actor.roles.join()).toEqual({ responses: [], answers: [] })
      }
      const outsiderView = await service.responses(outsider, { ...period, page: 1 })
      expect(outsiderView.total).toBe(0)
    })

    it('a provider gets only its own service, suppressed in the database below the threshold', async () => {
      const own = await withActor(database.db, idvaManager, tx => feedbackResults(tx, { ...period }))
      expect(own.threshold).toBe(5)
      expect(own.services.map(s => s.agencyId)).toEqual([idvaAgency])
      const idvaResult = own.services[0]!
      expect(idvaResult.responses).toEqual({ n: 6, suppressed: false })
      const listened = idvaResult.questions.find(q => q.code === 'listened')!
      // "No" was 1 (primary suppression); "Yes" is then hidden too (secondary), "Sometimes" is a true 0.
      expect(listened.options.map(o => [o.code, o.n, o.suppressed])).toEqual([['yes', null, true], ['sometimes', 0, false], ['no', null, true]])
      const safety = idvaResult.questions.find(q => q.code === 'safety')!
      expect(safety.options.find(o => o.code === 'mostly')).toMatchObject({ n: 6, percent: 100 })
      // Asking for another service, even by id, gives nothing.
      const refuge = await withActor(database.db, idvaManager, tx => feedbackResults(tx, { ...period, service: refugeAgency }))
      expect(refuge.services).toEqual([])
      // Calling the database function directly gives the same suppressed counts: never a raw row.
      const raw = await withActor(database.db, refugeWorker, tx => repo.counts(tx, period.from, period.to, null))
      expect(raw.every(r => r.service_agency_id === refugeAgency)).toBe(true)
      expect(raw.filter(r => r.n !== null)).toEqual([])
    })

    it('the commissioner sees every service, with the small one suppressed', async () => {
      const all = await service.results(commissioner, period)
      const refuge = all.services.find(s => s.agencyId === refugeAgency)!
      expect(refuge.responses).toEqual({ n: null, suppressed: true })
      expect(refuge.questions.every(q => q.base.suppressed && q.options.every(o => o.n === null))).toBe(true)
    })

    it('uses the threshold of the profile in force', async () => {
      await database.db.insertInto('partnership_profile').values({
        partnership_id: partnershipId, version: 2, profile_version: 'test-2', checksum: 'test-2', loaded_by: 'test',
        profile: JSON.stringify({ sealedFields: { readableBy: [] }, suppression: { threshold: 2 } }),
      }).execute()
      const all = await withActor(database.db, commissioner, tx => feedbackResults(tx, period))
      expect(all.threshold).toBe(2)
      expect(all.services.find(s => s.agencyId === refugeAgency)!.responses).toEqual({ n: 2, suppressed: false })
      await database.db.deleteFrom('partnership_profile').where('partnership_id', '=', partnershipId).where('version', '=', 2).execute()
    })

    it('themes are tagged by the evaluator only, and counted in results', async () => {
      const themeId = await service.addTheme(evaluator, 'Keep survivors updated')
      await expect(service.addTheme(idvaManager, 'Anything')).rejects.toThrow(/row-level security/)
      const view = await service.responses(evaluator, { ...period, page: 1, pageSize: 50 })
      const improvements = view.rows.flatMap(r => r.answers).filter(a => a.question_code === 'improve')
      expect(improvements).toHaveLength(6)
      for (const a of improvements) await service.tagAnswer(evaluator, a.id, [themeId])
      await expect(withActor(database.db, idvaManager, tx => repo.setAnswerThemes(tx, partnershipId, improvements[0]!.id, [])))
        .resolves.toBeUndefined() // deleting nothing it can see is allowed, and changes nothing:
      const results = await withActor(database.db, idvaManager, tx => feedbackResults(tx, period))
      expect(results.services[0]!.themes).toEqual([{ id: themeId, label: 'Keep survivors updated', n: 6, suppressed: false }])
    })
  })
})
