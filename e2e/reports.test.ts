import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { DB } from '../src/db/schema.ts'
import { seedAccommodationDemo } from '../src/domains/accommodation/demo.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'
import { createImportService } from '../src/domains/imports/service.ts'
import { loadPartnershipProfile } from '../src/domains/partnership/service.ts'
import { buildQ1Fixture, toCsv } from '../test/fixtures/reports/q1.ts'
import { browserSession, checkAccessibility, describeInBrowser } from '../test/support/browser.ts'
import { engineUnderTest, isRequired } from '../test/support/database.ts'
import { factories } from '../test/support/factories.ts'

/**
 * Issue 6 in Chromium: an analyst opens the quarterly report, downloads the PDF (read back with pdftotext
 * when poppler-utils is installed) and drills from a team's figure to its referrals, from the needs assessment's
 * characteristic, people, rates and safe accommodation tables, and from the Part 4 and Marac returns; a commissioner sees the figures
 * but cannot drill. axe-core runs on each page.
 */
const password = 'correct horse battery staple'
const profile = JSON.parse(readFileSync(new URL('../profiles/cambridgeshire-peterborough.json', import.meta.url), 'utf8'))

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function seed(db: Kysely<DB>) {
  const { partnershipId } = await loadPartnershipProfile(db, profile, { loadedBy: 'test' })
  const fixture = buildQ1Fixture()
  const imports = createImportService({ db, engine: engineUnderTest, today: () => '2026-11-29' })
  const system = { label: 'cli:test', partnershipId }
  await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.idva)), fileName: 'idva.csv', agencyCode: 'cp-idva-service', synthetic: true })
  await imports.importFile(system, { source: new TextEncoder().encode(toCsv(fixture.marac)), fileName: 'marac.csv', agencyCode: 'cambridgeshire-county-council', synthetic: true })
  const council = (await db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'cambridgeshire-county-council').select('id').executeTakeFirstOrThrow()).id
  const f = factories(db)
  const passwordHash = await hashPassword(password)
  // Safe accommodation for the needs assessment: the demo inventory with a year of placements, and one unmet-need search.
  await seedAccommodationDemo(db, partnershipId, { today: '2023-03-31' })
  const searcher = await f.newUser(partnershipId, { agencyId: council, roles: ['idva'] })
  await db.insertInto('accommodation_search').values({
    partnership_id: partnershipId, id: randomUUID(), searched_on: '2022-07-01', searched_at: new Date('2022-07-01T10:00:00Z'), created_by: searcher.userId, agency_id: council,
    household: JSON.stringify({ adultGender: 'woman', children: [{ age: 15, sex: 'male' }], pets: [], nrpf: false, wheelchairUser: false, needsGroundFloor: false, districtFledFrom: null, safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [] }),
    household_summary: 'Woman with a son of 15', units_considered: 12, suitable_count: 0, reason_codes: ['male-child-age'], results: JSON.stringify({ suitable: [], texts: [], codes: [], unsuitable: [] }), is_synthetic: true,
  }).execute()
  return {
    analyst: (await f.newUser(partnershipId, { agencyId: council, roles: ['analyst'], passwordHash })).email,
    commissioner: (await f.newUser(partnershipId, { agencyId: council, roles: ['commissioner'], passwordHash })).email,
  }
}

describeInBrowser(`the quarterly report in Chromium on ${engineUnderTest}`, () => {
  const session = browserSession({ seed, password, contextOptions: { acceptDownloads: true } })
  const { signedIn } = session

  it('an analyst opens the report, downloads the PDF and drills from a team to its referrals', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await page.getByRole('link', { name: 'Reports' }).first().click()
    await page.fill('#quarter', '2022-Q1')
    await Promise.all([page.waitForURL(/quarter=2022-Q1/), page.getByRole('button', { name: 'Show report' }).click()])
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Domestic abuse quarterly performance report')
    expect(await page.getByRole('img', { name: /Referrals by specialist team/ }).isVisible()).toBe(true)
    await checkAccessibility(page, { label: 'quarterly report' })

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'PDF' }).click()])
    const dir = mkdtempSync(join(tmpdir(), 'hearth-pdf-'))
    const pdf = join(dir, 'report.pdf')
    await download.saveAs(pdf)
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-')
    if (hasPdftotext()) {
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      expect(text).toContain('Domestic abuse quarterly performance report')
      expect(text).toMatch(/IDVA referrals \(all\)\s+696\s+76%\s+21%\s+645/)
      expect(text).toMatch(/A8 IDVA \(Cambridgeshire\)\s+47\s+66%\s+13%\s+46/)
    } else {
      if (isRequired('pdftotext')) throw new Error(`pdftotext not found (apt-get install -y poppler-utils), and HEARTH_CI_REQUIRE=${process.env.HEARTH_CI_REQUIRE} requires it`)
      console.warn('pdftotext not found (apt-get install -y poppler-utils): the PDF text was not checked')
      writeFileSync(join(dir, 'skipped'), '')
    }

    const teams = page.locator('#teams')
    await Promise.all([page.waitForURL(/\/drill\?/), teams.getByRole('row', { name: /A8 IDVA \(Cambridgeshire\)/ }).getByRole('link', { name: '47' }).click()])
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Referrals: A8 IDVA (Cambridgeshire)')
    expect(await page.locator('#drill-count').textContent()).toContain('47 records')
    expect(await page.locator('#records tbody tr').count()).toBe(47)
    await checkAccessibility(page, { label: 'drill-down' })
  }, 180_000)

  it('a commissioner sees the figures but cannot drill', async () => {
    const page = await signedIn(session.server.seeded.commissioner)
    await page.goto('/reports/quarterly?quarter=2022-Q1')
    expect(await page.locator('#teams').textContent()).toContain('47')
    expect(await page.locator('#teams a').count()).toBe(0)
    expect(await page.locator('#no-drill').isVisible()).toBe(true)
    await checkAccessibility(page, { label: 'commissioner report' })
    const response = await page.goto('/reports/quarterly/2022-Q1/drill?row=team%3Aa8-idva-cambridgeshire&measure=referrals&which=current')
    expect(response?.status()).toBe(404)
  }, 120_000)

  it('an analyst opens the needs assessment, downloads its PDF, drills to the unmet-need searches and opens the publication version', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await page.goto('/reports/needs-assessment')
    await checkAccessibility(page, { label: 'needs assessment form' })
    await page.fill('#from', '2022-04-01')
    await page.fill('#to', '2023-03-31')
    await Promise.all([page.waitForURL(/from=2022-04-01/), page.getByRole('button', { name: 'Show needs assessment' }).click()])
    expect(await page.locator('#safe-accommodation').textContent()).toContain('Safe accommodation: demand against supply')
    expect(await page.locator('#unit').textContent()).toContain('Counting unit: episodes.')
    await checkAccessibility(page, { label: 'needs assessment' })

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#downloads').getByRole('link', { name: 'PDF' }).click()])
    const dir = mkdtempSync(join(tmpdir(), 'hearth-needs-pdf-'))
    const pdf = join(dir, 'needs.pdf')
    await download.saveAs(pdf)
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-')
    if (hasPdftotext()) expect(execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })).toContain('Safe accommodation: demand against supply')

    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), page.locator('#sa-unmet a[href*="figure=unmet%3Aall"]').click()])
    expect(await page.locator('#drill-count').textContent()).toContain('1 search')
    expect(await page.locator('#records').textContent()).toContain('Woman with a son of 15')
    await checkAccessibility(page, { label: 'needs assessment drill-down' })

    // From a characteristic figure (male episodes) to the episodes it counts.
    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const male = page.locator('main a[href*="figure=episodes%3Asex%3Amale"]')
    const count = (await male.textContent())!.trim()
    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), male.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${count} episode`)
    await checkAccessibility(page, { label: 'needs assessment drill-down to episodes' })

    // From the people table (people within each agency, all services) and the rates table (a district's episodes).
    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const people = page.locator('#people a[href*="figure=people%3Aall%3Awithin-agencies"]')
    const peopleCount = (await people.textContent())!.trim()
    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), people.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${peopleCount} people`)
    expect(await page.locator('#records').textContent()).toContain('Person 1')
    await checkAccessibility(page, { label: 'needs assessment drill-down to people' })
    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const district = page.locator('#rates a[href*="figure=district%3A"]').first()
    const districtCount = (await district.textContent())!.trim()
    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), district.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${districtCount} episode`)
    await checkAccessibility(page, { label: 'needs assessment drill-down from a rate' })

    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31&publication=1')
    expect(await page.locator('#publication-note').isVisible()).toBe(true)
    expect(await page.locator('main a[href*="/drill?"]').count()).toBe(0)
    await checkAccessibility(page, { label: 'needs assessment publication version' })
  }, 180_000)

  it('an analyst drills from the Part 4 return and the SafeLives Marac return to the records behind a count', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await page.goto('/reports/part4?year=2022-23')
    const individuals = page.locator('#section-C a[href*="figure=P4-C1"]')
    const count = (await individuals.textContent())!.trim()
    await Promise.all([page.waitForURL(/part4\/drill\?/), individuals.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${count} record`)
    expect(await page.locator('#records tbody tr').count()).toBe(Number(count.replace(/,/g, '')))
    await checkAccessibility(page, { label: 'Part 4 drill-down' })
    await page.goto('/reports/part4?year=2022-23')
    expect(await page.locator('#section-G a').count()).toBe(0)

    await page.goto('/reports/marac-return?quarter=2022-Q1')
    const cases = page.locator('#meetings a[href*="meeting=total&measure=cases"]')
    const total = (await cases.textContent())!.trim()
    await Promise.all([page.waitForURL(/marac-return\/drill\?/), cases.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${total} MARAC case`)
    await checkAccessibility(page, { label: 'Marac return drill-down' })
  }, 120_000)

  it('an analyst drills from the needs assessment\'s safe accommodation section: the stays ended, and the mean length of stay over them', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const ended = page.locator('#sa-stay a[href*="figure=sa%3Astay%3Aended"]')
    const count = (await ended.textContent())!.trim()
    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), ended.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`${count} record`)
    expect(await page.locator('#records tbody tr').count()).toBe(Number(count))
    await checkAccessibility(page, { label: 'needs assessment drill-down to the stays ended' })
    await page.goto('/reports/needs-assessment?from=2022-04-01&to=2023-03-31')
    const mean = page.locator('#sa-stay a[href*="figure=sa%3Astay%3Amean"]')
    const days = (await mean.textContent())!.trim()
    await Promise.all([page.waitForURL(/needs-assessment\/drill\?/), mean.click()])
    expect(await page.locator('#drill-count').textContent()).toContain(`The mean length of stay (days) is ${days}, computed over these ${count} record`)
    expect(await page.locator('#records tbody tr').count()).toBe(Number(count))
    await checkAccessibility(page, { label: 'needs assessment drill-down from an average' })
  }, 120_000)

  it('a commissioner opens the Part 4 return and the SafeLives Marac return', async () => {
    const page = await signedIn(session.server.seeded.commissioner)
    await page.goto('/reports/part4')
    await page.fill('#year', '2022-23')
    await Promise.all([page.waitForURL(/year=2022-23/), page.getByRole('button', { name: 'Show return' }).click()])
    expect(await page.locator('#section-G').textContent()).toContain('Not computed')
    expect(await page.locator('main a[href*="/drill?"]').count()).toBe(0)
    await checkAccessibility(page, { label: 'Part 4 return' })
    await page.goto('/reports/marac-return?quarter=2022-Q1')
    expect(await page.locator('#meetings tbody tr').count()).toBeGreaterThan(1)
    await checkAccessibility(page, { label: 'Marac return' })
    await page.goto('/reports/part4?year=2022')
    expect(await page.locator('#year-error').isVisible()).toBe(true)
    await checkAccessibility(page, { label: 'Part 4 return, wrong year' })
  }, 120_000)
})
