import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { DB } from '../src/db/schema.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'
import { createImportService } from '../src/domains/imports/service.ts'
import { extraFixtureAgencies, fictionalProfile, fixture, readJsonFixture } from '../src/domains/imports/testSupport.ts'
import { loadPartnershipProfile } from '../src/domains/partnership/service.ts'
import { browserSession, checkAccessibility, describeInBrowser } from '../test/support/browser.ts'
import { engineUnderTest } from '../test/support/database.ts'
import { factories } from '../test/support/factories.ts'

/**
 * Issue 3 in Chromium: an analyst uploads the IDVA service's XLSX written by LibreOffice
 * (test/fixtures/imports/idva-libreoffice.xlsx). The saved mapping (idva-mapping.json, version 1) leaves out
 * "White Eastern European" on purpose, so the preview reports it; the analyst maps it to "Other White" in the
 * browser (saved as mapping version 2, the file read again), imports, and sees the counts. Then the CSV
 * LibreOffice saved in Windows-1252 (idva-libreoffice-1252.csv) goes through with the fixed mapping, and the
 * data quality page shows the agency. axe-core runs on every page, with JavaScript on as a browser has it.
 */
const password = 'correct horse battery staple'

async function seed(db: Kysely<DB>) {
  const { partnershipId } = await loadPartnershipProfile(db, fictionalProfile(extraFixtureAgencies), { loadedBy: 'test' })
  const system = { label: 'cli:test', partnershipId }
  await createImportService({ db, engine: engineUnderTest }).saveMapping(system, { agencyCode: 'cambs-idva', mapping: readJsonFixture('idva-mapping.json') })
  const agency = (await db.selectFrom('agency').where('partnership_id', '=', partnershipId).where('code', '=', 'moorshire-childrens-services').select('id').executeTakeFirstOrThrow()).id
  const passwordHash = await hashPassword(password)
  return { analyst: (await factories(db).newUser(partnershipId, { agencyId: agency, roles: ['analyst'], passwordHash })).email }
}

describeInBrowser(`imports and data quality in Chromium on ${engineUnderTest}`, () => {
  // Uploads are read in full before the preview: allow for a loaded machine.
  const session = browserSession({ seed, password, contextOptions: { acceptDownloads: true }, timeoutMs: 90_000 })
  const { signedIn } = session

  const summaryValue = async (page: Page, key: string) =>
    (await page.locator('[data-testid="batch-summary"] .govuk-summary-list__row', { hasText: key }).locator('.govuk-summary-list__value').textContent())?.trim()

  async function uploadFile(page: Page, file: string) {
    await page.goto('/imports/new')
    await checkAccessibility(page, { label: 'upload form' })
    await page.selectOption('#agency', 'cambs-idva')
    await page.getByLabel(/Service episodes/).check()
    await page.selectOption('#mapping', 'latest')
    await page.setInputFiles('#file', fixture(file))
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Upload and preview' }).click()])
  }

  it('uploads the LibreOffice XLSX, fixes the mapping error the preview reports, imports it and sees the counts', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await page.getByRole('link', { name: 'Imports' }).first().click()
    await page.waitForURL(/\/imports$/)
    await checkAccessibility(page, { label: 'imports list (empty)' })

    await uploadFile(page, 'idva-libreoffice.xlsx')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Check the import of idva-libreoffice.xlsx')
    expect(await summaryValue(page, 'Rows with errors')).toBe('1')
    const unmapped = page.locator('[data-testid="unmapped-values"]')
    expect(await unmapped.getByRole('row', { name: /White Eastern European/ }).textContent()).toContain('Ethnicity')
    expect(await page.locator('[data-testid="row-errors"]').textContent()).toContain('White Eastern European')
    await checkAccessibility(page, { label: 'preview with a mapping error' })

    // the error report downloads as CSV
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the error report (CSV)' }).click()])
    const saved = join(mkdtempSync(join(tmpdir(), 'hearth-errors-')), 'errors.csv')
    await download.saveAs(saved)
    expect(readFileSync(saved, 'utf8')).toContain('"Ethnicity","White Eastern European"')

    // fix it in the browser
    await page.getByLabel(/White Eastern European/).selectOption('white-other')
    await Promise.all([page.waitForURL(/mapping-saved=2/), page.getByRole('button', { name: 'Save the mapping and preview again' }).click()])
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Mapping version 2 saved')
    expect(await summaryValue(page, 'Rows with errors')).toBe('0')
    expect(await summaryValue(page, 'Rows ready to import')).toBe('5')
    expect(await page.locator('[data-testid="unmapped-values"]').count()).toBe(0)
    await checkAccessibility(page, { label: 'preview after the fix' })

    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Import 5 records' }).click()])
    expect(await page.locator('.govuk-panel').textContent()).toContain('Import complete')
    expect(await page.getByTestId('committed').textContent()).toBe('5')
    expect(await page.getByTestId('quarantined').textContent()).toBe('0')
    await checkAccessibility(page, { label: 'import result' })

    await page.getByRole('link', { name: 'Back to imports' }).click()
    await page.waitForURL(/\/imports$/)
    expect(await page.locator('[data-testid="imports"]').textContent()).toContain('Imported')
    await checkAccessibility(page, { label: 'imports list' })
  }, 180_000)

  it('uploads the Windows-1252 CSV LibreOffice saved, and opens the data quality page', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await uploadFile(page, 'idva-libreoffice-1252.csv')
    expect(await summaryValue(page, 'File')).toContain('windows-1252')
    expect(await summaryValue(page, 'Rows with errors')).toBe('0')
    expect(await page.locator('[data-testid="sample-rows"]').textContent()).toContain('Renée')
    await checkAccessibility(page, { label: 'Windows-1252 preview' })
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.getByRole('button', { name: /^Import \d+ records?$/ }).click()])
    expect(await page.getByTestId('quarantined').textContent()).toBe('0')

    // a renamed column ("Notes" became "Case notes") is never dropped unnoticed: the analyst says what it holds
    const renamed = readFileSync(fixture('idva-libreoffice-source.csv'), 'utf8').replace(',Notes\r\n', ',Case notes\r\n')
    await page.goto('/imports/new')
    await page.selectOption('#agency', 'cambs-idva')
    await page.setInputFiles('#file', { name: 'idva-renamed.csv', mimeType: 'text/csv', buffer: Buffer.from(renamed, 'utf8') })
    await Promise.all([page.waitForURL(/\/imports\/columns\//), page.getByRole('button', { name: 'Upload and preview' }).click()])
    await checkAccessibility(page, { label: 'columns the mapping does not cover' })
    await page.getByLabel('The column “Case notes”').selectOption('__ignore')
    await Promise.all([page.waitForURL(/mapping-saved=3/), page.getByRole('button', { name: 'Save the mapping and preview' }).click()])
    expect(await summaryValue(page, 'Rows with errors')).toBe('0')
    await Promise.all([page.waitForURL(/\/imports$/), page.getByRole('button', { name: 'Discard this import' }).click()])

    await page.getByRole('link', { name: 'Data quality' }).first().click()
    await page.waitForURL(/data-quality/)
    await checkAccessibility(page, { label: 'data quality (no period)' })
    await page.fill('#from', '2021-04-01')
    await page.fill('#to', '2022-03-31')
    await Promise.all([page.waitForURL(/from=2021-04-01/), page.getByRole('button', { name: 'Show data quality' }).click()])
    const table = page.locator('[data-testid="quality-table"]')
    expect(await table.locator('thead').textContent()).toContain('IDVA service (LibreOffice fixtures)')
    expect(await table.getByRole('row', { name: /% unknown/ }).first().isVisible()).toBe(true)
    await checkAccessibility(page, { label: 'data quality' })
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()])
    expect(csv.suggestedFilename()).toBe('data-quality-2021-04-01-2022-03-31.csv')
  }, 180_000)
})
