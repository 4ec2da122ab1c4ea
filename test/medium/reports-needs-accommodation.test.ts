import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedAccommodationDemo } from '../../src/domains/accommodation/demo.ts'
import { loadPartnershipProfile } from '../../src/domains/partnership/service.ts'
import { withActor } from '../../src/db/scope.ts'
import { type Breakdown, type NeedsAssessment, needsBody } from '../../src/domains/reports/needs.ts'
import { safeAccommodationFigures, safeAccommodationRateBasis } from '../../src/domains/reports/safeAccommodation.ts'
import { needsCsv } from '../../src/domains/reports/needsPublication.ts'
import { createReportService } from '../../src/domains/reports/service.ts'
import { engineUnderTest, openTestDatabase, type TestDatabase } from '../support/database.ts'
import { factories } from '../support/factories.ts'

const profile = JSON.parse(readFileSync(new URL('../../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))
const period = { from: '2023-04-01', to: '2024-03-31' }

describe(`the needs assessment's safe accommodation section on ${engineUnderTest}`, () => {
  let database: TestDatabase
  let partnershipId: string
  let report: NeedsAssessment
  let published: NeedsAssessment
  let agencyReader: NeedsAssessment
  let managerView: NeedsAssessment
  let commissionerView: NeedsAssessment
  let agency: string

  beforeAll(async () => {
    database = await openTestDatabase()
    const db = database.db
    partnershipId = (await loadPartnershipProfile(db, profile, { loadedBy: 'test' })).partnershipId
    const seeded = await seedAccommodationDemo(db, partnershipId, { today: '2024-03-31' })
    expect(seeded.placements).toBeGreaterThan(0)
    agency = (await db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'cp-idva-service').select('id').executeTakeFirstOrThrow()).id
    const user = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['idva'] })
    const unitOf = async (type: string) => db.selectFrom('accommodation_unit').where('partnership_id', '=', partnershipId).where('accommodation_type', '=', type).where('is_active', '=', true)
      .select(['id', 'provider_agency_id']).orderBy('name').executeTakeFirstOrThrow()
    const refuge = await unitOf('refuge')
    const dispersed = await unitOf('dispersed')
    // Referrals to providers: 6 to a refuge and 1 to a dispersed unit in the year, 1 declined the year before.
    const referrals: [typeof refuge, string, string, string | null, string | null][] = [
      [refuge, '2023-05-02', 'declined', 'no-vacancy', '2023-05-03T10:00:00Z'],
      [refuge, '2023-06-10', 'declined', 'no-vacancy', '2023-06-10T15:00:00Z'],
      [refuge, '2023-09-01', 'declined', 'no-vacancy', '2023-09-02T09:00:00Z'],
      [refuge, '2023-10-11', 'declined', 'nrpf', '2023-10-12T09:00:00Z'],
      [refuge, '2024-01-05', 'pending', null, null],
      [refuge, '2024-02-05', 'withdrawn', null, '2024-02-06T09:00:00Z'],
      [dispersed, '2023-11-20', 'declined', 'male-child-age', '2023-11-21T09:00:00Z'],
      [refuge, '2023-03-01', 'declined', 'no-vacancy', '2023-03-02T09:00:00Z'],
    ]
    for (const [unit, on, status, reason, decided] of referrals) {
      await db.insertInto('accommodation_referral').values({
        partnership_id: partnershipId, id: randomUUID(), unit_id: unit.id, provider_agency_id: unit.provider_agency_id, referring_agency_id: agency,
        created_by: user.userId, referred_on: on, household: JSON.stringify({}), household_summary: 'Synthetic household', status: status as 'declined',
        decline_reason: reason, decided_at: decided, is_synthetic: true,
      }).execute()
    }
    // Vacancy searches: three found nothing (unmet need), two found rooms.
    const base = { adultGender: 'woman', children: [], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [] }
    const searches: [string, number, string[], object][] = [
      ['2023-07-01', 0, ['male-child-age', 'no-vacancy'], { ...base, children: [{ age: 15, sex: 'male' }] }],
      ['2023-08-01', 0, ['pets', 'no-vacancy'], { ...base, pets: ['dog'] }],
      ['2023-12-01', 0, ['nrpf'], { ...base, nrpf: true }],
      ['2023-12-02', 2, [], base],
      ['2024-03-30', 1, ['no-vacancy'], base],
    ]
    for (const [on, suitable, codes, household] of searches) {
      await db.insertInto('accommodation_search').values({
        partnership_id: partnershipId, id: randomUUID(), searched_on: on, searched_at: new Date(`${on}T10:00:00Z`), created_by: user.userId, agency_id: agency,
        household: JSON.stringify(household), household_summary: 'Synthetic household', units_considered: 10, suitable_count: suitable, reason_codes: codes,
        results: JSON.stringify({ suitable: [], texts: [], codes: [], unsuitable: [] }), is_synthetic: true,
      }).execute()
    }
    const reports = createReportService({ db, now: () => new Date('2024-04-02T09:00:00Z') })
    const system = { label: 'cli:test', partnershipId }
    report = await reports.needsAssessment(system, period)
    published = await reports.needsAssessment(system, { ...period, publication: true })
    const manager = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['idva-manager'] })
    agencyReader = await reports.needsAssessment(manager, period)
    const accommodationManager = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['safe-accommodation-manager'] })
    managerView = await reports.needsAssessment(accommodationManager, period)
    const commissioner = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['commissioner'] })
    commissionerView = await reports.needsAssessment(commissioner, period)
  }, 180_000)
  afterAll(() => database?.drop())

  const counts = (rows: Breakdown) => Object.fromEntries(rows.filter(r => r.count !== 0).map(r => [r.code, r.count]))
  const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows

  it('counts referrals to providers by outcome and by accommodation type, and declines by the coded reason', () => {
    const sa = report.safeAccommodation
    expect(counts(sa.referralOutcomes)).toEqual({ declined: 5, pending: 1, withdrawn: 1 })
    expect(counts(sa.declinedByReason)).toEqual({ 'no-vacancy': 3, nrpf: 1, 'male-child-age': 1 })
    const byType = Object.fromEntries(sa.demandAndSupply.map(r => [r.type, r]))
    expect(byType.refuge).toMatchObject({ referrals: 6, declined: 4 })
    expect(byType.dispersed).toMatchObject({ referrals: 1, declined: 1 })
    expect(byType.all).toMatchObject({ referrals: 7, declined: 5 })
  })

  it('counts unmet-need searches from the searches that found nothing, with their reasons', async () => {
    const [row] = await one(sql<{ unmet: number; all: number }>`SELECT count(*) FILTER (WHERE suitable_count = 0)::int AS unmet, count(*)::int AS all FROM accommodation_search
      WHERE partnership_id = ${partnershipId}::uuid AND searched_on BETWEEN ${period.from}::date AND ${period.to}::date`)
    expect(row!.unmet).toBeGreaterThanOrEqual(3)
    expect(report.safeAccommodation.unmetNeed).toMatchObject({ searches: row!.unmet, allSearches: row!.all })
    const reasons = await one(sql<{ code: string; n: number }>`SELECT c AS code, count(DISTINCT s.id)::int AS n FROM accommodation_search s, unnest(s.reason_codes) c
      WHERE s.partnership_id = ${partnershipId}::uuid AND s.suitable_count = 0 AND s.searched_on BETWEEN ${period.from}::date AND ${period.to}::date GROUP BY 1`)
    expect(counts(report.safeAccommodation.unmetNeed.reasons)).toEqual(Object.fromEntries(reasons.map(r => [r.code, r.n])))
    expect(report.safeAccommodation.unmetNeed.reasons.find(r => r.code === 'nrpf')!.count).toBeGreaterThanOrEqual(1)
    const characteristics = Object.fromEntries(report.safeAccommodation.unmetNeed.characteristics.map(c => [c.code, c.count]))
    expect(characteristics.pets).toBeGreaterThanOrEqual(1)
    expect(characteristics['boy-13-plus']).toBeGreaterThanOrEqual(1)
  })

  it('gives occupancy (room-nights), length of stay and move-on destinations that agree with the placements', async () => {
    const sa = report.safeAccommodation
    const [nights] = await one(sql<{ occupied: number; rooms: number }>`
      SELECT (SELECT coalesce(sum(least(coalesce(p.moved_out_on, date '2024-04-01'), date '2024-04-01') - greatest(p.moved_in_on, date '2023-04-01')), 0)::int
                FROM accommodation_placement p WHERE p.partnership_id = ${partnershipId}::uuid AND p.moved_in_on <= '2024-03-31' AND (p.moved_out_on IS NULL OR p.moved_out_on >= '2023-04-01')) AS occupied,
             (SELECT count(*)::int FROM accommodation_space s JOIN accommodation_unit u ON u.partnership_id = s.partnership_id AND u.id = s.unit_id
               WHERE s.partnership_id = ${partnershipId}::uuid AND u.is_active) AS rooms`)
    expect(sa.occupancy.occupiedNights).toBe(nights!.occupied)
    expect(sa.occupancy.bedspaces).toBe(nights!.rooms)
    expect(sa.occupancy.roomNights).toBe(nights!.rooms * 366)
    expect(sa.occupancy.occupancyPercent).toBe(Math.round((nights!.occupied / (nights!.rooms * 366)) * 100))
    const ended = await one(sql<{ d: string; n: number; median: number }>`SELECT move_on_destination AS d, count(*)::int AS n FROM accommodation_placement
      WHERE partnership_id = ${partnershipId}::uuid AND moved_out_on BETWEEN ${period.from}::date AND ${period.to}::date GROUP BY 1`)
    const total = ended.reduce((a, r) => a + r.n, 0)
    expect(total).toBeGreaterThan(0)
    expect(sa.lengthOfStay.endedStays).toBe(total)
    expect(counts(sa.moveOn)).toEqual(Object.fromEntries(ended.map(r => [r.d, r.n])))
    expect(sa.lengthOfStay.bands.reduce((a, b) => a + (b.count ?? 0), 0)).toBe(total)
    const [median] = await one(sql<{ m: number }>`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY moved_out_on - moved_in_on)::float AS m FROM accommodation_placement
      WHERE partnership_id = ${partnershipId}::uuid AND moved_out_on BETWEEN ${period.from}::date AND ${period.to}::date`)
    expect(sa.lengthOfStay.medianDays).toBe(median!.m)
    const households = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_placement WHERE partnership_id = ${partnershipId}::uuid
      AND moved_in_on <= '2024-03-31' AND (moved_out_on IS NULL OR moved_out_on >= '2023-04-01')`)
    expect(sa.demandAndSupply.find(r => r.type === 'all')!.householdsSupported).toBe(households[0]!.n)
  })

  it('withholds small numbers in the publication version so that none can be worked out from its total', () => {
    const sa = published.safeAccommodation
    expect(published.publication).toBe(true)
    // Declines: 3 + 1 + 1 = 5. All three are under 5, the total of 5 is published; three withheld cells cannot be told apart.
    expect(counts(sa.declinedByReason)).toEqual({ 'no-vacancy': null, nrpf: null, 'male-child-age': null })
    expect(published.suppressed).toEqual(expect.arrayContaining(['safeAccommodation.declinedByReason.no-vacancy', 'safeAccommodation.declinedByReason.nrpf']))
    // Outcomes: declined 5 is shown, pending 1 and withdrawn 1 are withheld (two cells: neither can be derived).
    expect(counts(sa.referralOutcomes)).toEqual({ declined: 5, pending: null, withdrawn: null })
    // Every published count is 0 or at least the threshold; no line with a published total has exactly one withheld cell.
    const lines: [Breakdown, number | null][] = [[sa.declinedByReason, sa.demandAndSupply.at(-1)!.declined], [sa.referralOutcomes, sa.demandAndSupply.at(-1)!.referrals], [sa.moveOn, sa.lengthOfStay.endedStays], [sa.lengthOfStay.bands, sa.lengthOfStay.endedStays]]
    for (const [rows, total] of lines) {
      for (const r of rows) expect(r.count === null || r.count === 0 || r.count >= 5).toBe(true)
      if (total !== null) expect(rows.filter(r => r.count === null).length).not.toBe(1)
    }
    for (const col of ['referrals', 'declined', 'householdsSupported'] as const) {
      const cells = sa.demandAndSupply.slice(0, -1).map(r => r[col])
      if (sa.demandAndSupply.at(-1)![col] !== null) expect(cells.filter(c => c === null).length).not.toBe(1)
      for (const c of cells) expect(c === null || c === 0 || c >= 5).toBe(true)
    }
    expect(sa.lengthOfStay.longestDays).toBeNull()
    expect(published.dataQuality).toBeNull()
    // Made from the same result: the CSV prints withheld counts as empty cells marked "suppressed".
    expect(needsCsv(published)).toContain('"safeAccommodation.declinedByReason","all","nrpf","No recourse to public funds","","","","suppressed"')
  })

  it('shows an agency-scoped reader the referrals their agency made, its searches, and no other provider\'s units', async () => {
    const sa = agencyReader.safeAccommodation
    expect(sa.demandAndSupply.at(-1)).toMatchObject({ referrals: 7, declined: 5, bedspaces: 0, householdsSupported: 0 })
    const [row] = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM accommodation_search s JOIN agency a ON a.partnership_id = s.partnership_id AND a.id = s.agency_id
      WHERE s.partnership_id = ${partnershipId}::uuid AND a.code = 'cp-idva-service' AND s.searched_on BETWEEN ${period.from}::date AND ${period.to}::date`)
    expect(sa.unmetNeed.allSearches).toBe(row!.n)
  })

  it('withholds small numbers from readers as the safe accommodation pages do, and from nobody who manages places', () => {
    expect(agencyReader.safeAccommodation.withheld).toEqual(['stays'])
    expect(managerView.safeAccommodation.withheld).toEqual([])
    expect(managerView.safeAccommodation).toEqual(report.safeAccommodation)
    expect(commissionerView.safeAccommodation.withheld).toEqual(['demand', 'stays', 'unmet'])
    // The same suppression as the publication version's safe accommodation section.
    expect(commissionerView.safeAccommodation).toEqual({ ...published.safeAccommodation })
    expect(commissionerView.publication).toBe(false)
    expect(commissionerView.all).toEqual(report.all)
  })
  it('drills from every safe accommodation count to exactly its records, and from each rate or average to the records it is computed over', async () => {
    const db = database.db
    const analyst = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['analyst'] })
    const reports = createReportService({ db, now: () => new Date('2024-04-02T09:00:00Z') })
    const view = await reports.needsAssessment(analyst, period)
    // An analyst may list the records (ADR 0007), so sees the referrals and stays exactly; unmet need was exact already.
    expect(view.safeAccommodation.withheld).toEqual([])
    expect(view.safeAccommodation).toEqual(report.safeAccommodation)
    const sa = view.safeAccommodation
    const figures = safeAccommodationFigures(sa)
    // Every safe accommodation link on the page is a figure checked here, and every non-zero count has one.
    const html = needsBody(view, { drillHref: f => `/drill?figure=${encodeURIComponent(f)}` })
    const linked = [...html.matchAll(/href="\/drill\?figure=(sa%3A[^"]+)"/g)].map(m => decodeURIComponent(m[1]!))
    for (const f of linked) expect(figures.has(f) || safeAccommodationRateBasis(f) !== null, `linked figure ${f}`).toBe(true)
    for (const [f, n] of figures) if (n > 0) expect(linked, `figure ${f} (${n}) has a link`).toContain(f)
    const drills = []
    for (const [figure, n] of figures) {
      const drill = await reports.needsDrill(analyst, { ...period, figure })
      expect(drill.kind, figure).toBe('accommodation')
      expect(drill.count, figure).toBe(n)
      expect(drill.accommodation, figure).toHaveLength(n)
      expect(new Set(drill.accommodation!.map(r => `${r.kind}/${r.id}`)).size, figure).toBe(n)
      drills.push(drill)
    }
    expect(drills.length).toBeGreaterThan(25)
    expect(drills.find(d => d.figure === 'sa:declined:no-vacancy')!.accommodation!.map(r => r.reason)).toEqual(['no-vacancy', 'no-vacancy', 'no-vacancy'])
    expect(drills.find(d => d.figure === 'sa:demand:refuge:referrals')!.count).toBe(6)
    // Rates and averages: the records they are computed over, and their value over them.
    const rates: [string, number | null, number | null][] = [['sa:occupancy:percent', sa.occupancy.occupancyPercent, sa.occupancy.bedspaces + sa.demandAndSupply.at(-1)!.householdsSupported!],
      ...sa.demandAndSupply.filter(r => r.occupancyPercent !== null).map(r => [`sa:demand:${r.type}:occupancy`, r.occupancyPercent, r.bedspaces + r.householdsSupported!] as [string, number | null, number]),
      ['sa:stay:median', sa.lengthOfStay.medianDays, sa.lengthOfStay.endedStays], ['sa:stay:mean', sa.lengthOfStay.meanDays, sa.lengthOfStay.endedStays],
      ['sa:stay:longest', sa.lengthOfStay.longestDays, sa.lengthOfStay.endedStays]]
    for (const [figure, value, over] of rates) {
      const drill = await reports.needsDrill(analyst, { ...period, figure })
      expect(drill, figure).toMatchObject({ unit: 'computed-over', count: over, rate: { value } })
      expect(drill.accommodation, figure).toHaveLength(over!)
      drills.push(drill)
    }
    const mean = await reports.needsDrill(analyst, { ...period, figure: 'sa:stay:mean' })
    const nights = mean.accommodation!.map(r => r.nights!)
    expect(mean.accommodation!.every(r => r.kind === 'stay' && r.nights !== null)).toBe(true)
    expect(Math.round(nights.reduce((a, b) => a + b, 0) / nights.length)).toBe(sa.lengthOfStay.meanDays)
    expect(Math.max(...nights)).toBe(sa.lengthOfStay.longestDays)
    await expect(reports.needsDrill(analyst, { ...period, figure: 'sa:demand:castle:referrals' })).rejects.toThrow(/no figure/)
    await expect(reports.needsDrill(analyst, { ...period, figure: 'sa:outcome' })).rejects.toThrow(/no figure/)
    expect(JSON.stringify(drills)).not.toMatch(/Synthetic household|household_summary|given_name/)
    const audit = await db.selectFrom('audit_event').where('action', '=', 'REPORT_DRILL').select('details').execute()
    expect(audit.some(a => (a.details as { report?: string; figure?: string }).report === 'needs-assessment' && (a.details as { figure?: string }).figure === 'sa:stay:mean')).toBe(true)
  }, 120_000)

  it('drills from the unmet-need searches, each reason, each characteristic of the households and all searches to exactly the searches they count', async () => {
    const db = database.db
    const analyst = await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['analyst'] })
    const reports = createReportService({ db, now: () => new Date('2024-04-02T09:00:00Z') })
    const sa = report.safeAccommodation
    const figures: [string, number | null][] = [['unmet:all', sa.unmetNeed.searches], ['searches:all', sa.unmetNeed.allSearches],
      ...sa.unmetNeed.reasons.map(r => [`unmet:${r.code}`, r.count] as [string, number | null]), ...sa.unmetNeed.characteristics.map(c => [`unmet-characteristic:${c.code}`, c.count] as [string, number | null])]
    expect(figures.filter(([f]) => f.startsWith('unmet-characteristic:')).length).toBeGreaterThan(1)
    // Every search link on the page is one of them.
    const html = needsBody(report, { drillHref: f => `/drill?figure=${encodeURIComponent(f)}` })
    const linked = [...html.matchAll(/href="\/drill\?figure=((?:unmet|unmet-characteristic|searches)%3A[^"]+)"/g)].map(m => decodeURIComponent(m[1]!))
    expect(linked.sort()).toEqual(figures.filter(([, n]) => n !== null && n > 0).map(([f]) => f).sort())
    for (const [figure, n] of figures) {
      const drill = await reports.needsDrill(analyst, { ...period, figure })
      expect(drill.count, figure).toBe(n)
      expect(drill.searches, figure).toHaveLength(n!)
    }
    const pets = await reports.needsDrill(analyst, { ...period, figure: 'unmet-characteristic:pets' })
    expect(pets.searches.map(s => s.searchedOn)).toContain('2023-08-01')
    await expect(reports.needsDrill(analyst, { ...period, figure: 'unmet-characteristic:castle' })).rejects.toThrow(/no figure/)
  })

  it('enforces the safe accommodation drill in the database: only report.drill reads the de-identified records', async () => {
    const db = database.db
    const f = factories(db)
    const analyst = await f.newUser(partnershipId, { agencyId: agency, roles: ['analyst'] })
    const commissioner = await f.newUser(partnershipId, { agencyId: agency, roles: ['commissioner'] })
    const manager = await f.newUser(partnershipId, { agencyId: agency, roles: ['safe-accommodation-manager'] })
    const drill = (actor: typeof analyst) => withActor(db, actor, tx => sql<Record<string, unknown>>`SELECT * FROM hearth_report_drill_needs_accommodation(${period.from}::date, ${period.to}::date)`.execute(tx)).then(r => r.rows)
    const decided = ['kind', 'id', 'provider_agency_id', 'referring_agency_id', 'accommodation_type', 'status', 'reason', 'started_on', 'ended_on']
    const rows = await drill(analyst)
    expect(rows.length).toBeGreaterThan(0)
    expect(Object.keys(rows[0]!)).toEqual(decided)
    expect(await drill(commissioner)).toEqual([])
    expect(await drill(manager)).toEqual([])
    await expect(withActor(db, analyst, tx => sql`SELECT * FROM hearth_needs_accommodation_records(${partnershipId}::uuid, ${period.from}::date, ${period.to}::date)`.execute(tx))).rejects.toThrow(/permission denied/)
    const declared = await sql<{ args: string }>`SELECT pg_get_function_result(p.oid) AS args FROM pg_proc p WHERE p.proname = 'hearth_report_drill_needs_accommodation'`.execute(db)
    expect(declared.rows[0]!.args.replace(/^TABLE\(|\)$/g, '').split(',').map(c => c.trim().split(' ')[0])).toEqual(decided)
  })
})
