import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { DB } from '../src/db/schema.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'
import { createLinkageService } from '../src/domains/linkage/service.ts'
import { createProfileCache } from '../src/domains/partnership/service.ts'
import { createReferralService } from '../src/domains/referrals/service.ts'
import { browserSession, checkAccessibility, describeInBrowser } from '../test/support/browser.ts'
import { engineUnderTest } from '../test/support/database.ts'
import { factories } from '../test/support/factories.ts'
import { testClock } from '../test/support/web.ts'
import { cambridgeshire, password, referralBody } from '../test/web/referral-setup.ts'

/**
 * Issue 7 in Chromium: an analyst reads the linkage run's summary, opens the review queue, compares a pair
 * side by side and decides they are different people; a police referrer starting a referral is offered the
 * person already known, scored by the same linkage model (a nickname and no Polish letters). axe-core runs
 * on every page.
 */
const clock = testClock(new Date('2026-11-24T10:00:00Z'))

async function seed(db: Kysely<DB>) {
  const setup = await cambridgeshire({ db })
  const pid = setup.partnershipId
  // A referral the police made earlier: Małgorzata Wiśniewska, known to them.
  const referrals = createReferralService({ db, clock, profiles: createProfileCache(db) })
  await referrals.submit(setup.users.police, referrals.parse(referralBody({
    yes: 6, referralDate: '2026-10-05',
    victim: { givenName: 'Małgorzata', familyName: 'Wiśniewska', dateOfBirth: '1982-03-09', postcode: 'PE1 5DD' },
  })), 'e2e-linkage-1')
  // Agencies' imported records: two that may or may not be one man, and someone else.
  const batch = randomUUID()
  const agencies = [setup.agencies.get('cambridgeshire-constabulary')!, setup.agencies.get('cambridge-womens-aid')!]
  const rows = [
    { agency_id: agencies[0]!, record_id: 'CC-1', person_ref: 'CC-P-2', given_name: 'John', family_name: 'Ashworth', date_of_birth: '1970-03-03', postcode: 'CB2 2BB' },
    { agency_id: agencies[1]!, record_id: 'CWA-8', person_ref: 'CWA-P-8', given_name: 'Jon', family_name: 'Ashwurth', date_of_birth: null, postcode: 'CB2 9XX' },
    { agency_id: agencies[1]!, record_id: 'CWA-9', person_ref: 'CWA-P-9', given_name: 'Imran', family_name: 'Khan', date_of_birth: '1979-11-02', postcode: 'PE3 3CC' },
  ]
  await db.insertInto('service_episode').values(rows.map(r => ({
    ...r, partnership_id: pid, sex: 'male', service: 'outreach', referral_date: '2026-03-01', batch_id: batch, is_synthetic: true,
  })) as never).execute()
  // Thresholds wide enough that the uncertain pairs land in the review queue.
  await db.insertInto('linkage_settings').values({ partnership_id: pid, match_threshold: 0.999999, review_threshold: 0.001, conflict_below: 0 }).execute()
  await createLinkageService({ db, clock }).run({ label: 'cli:test', partnershipId: pid })
  const analyst = await factories(db).newUser(pid, { agencyId: setup.agencies.get('cp-idva-service')!, roles: ['analyst'], passwordHash: await hashPassword(password) })
  return { police: setup.users.police.email, analyst: analyst.email }
}

describeInBrowser(`record linkage pages and intake's possible match in Chromium on ${engineUnderTest}`, () => {
  const session = browserSession({ clock, seed, password })
  const { signedIn } = session
  const click = async (page: Page, action: () => Promise<unknown>) => {
    await Promise.all([page.waitForEvent('load'), action()])
  }
  const button = (page: Page, name: string) => click(page, () => page.getByRole('button', { name, exact: true }).click())

  it('an analyst reads the run summary, reviews a pair side by side and records that they are different people', async () => {
    const page = await signedIn(session.server.seeded.analyst)
    await checkAccessibility(page, { label: 'home' })
    await click(page, () => page.goto('/linkage'))
    expect(await page.locator('h1').innerText()).toBeTruthy()
    const summary = await page.locator('main').innerText()
    expect(summary).toMatch(/People, across thresholds/)
    expect(summary).toMatch(/between \d+ and \d+/)
    await checkAccessibility(page, { label: 'linkage summary' })

    await click(page, () => page.goto('/linkage/review'))
    expect(await page.locator('h1').innerText()).toBe('Pairs to review')
    const queue = await page.getByTestId('queue').innerText()
    expect(queue).toContain('Cambridgeshire Constabulary')
    expect(queue).toMatch(/\d+(\.\d)?%/)
    await checkAccessibility(page, { label: 'review queue' })

    // The Ashworth pair: find its row by opening pairs until the comparison shows both spellings.
    const links = await page.locator('[data-testid="queue"] a').evaluateAll(as => as.map(a => (a as HTMLAnchorElement).getAttribute('href')!))
    expect(links.length).toBeGreaterThan(0)
    let found = false
    for (const href of links) {
      await click(page, () => page.goto(href))
      const text = await page.getByTestId('comparison').innerText()
      if (text.includes('Ashworth') && text.includes('Ashwurth')) {
        found = true
        break
      }
    }
    expect(found, 'the Ashworth / Ashwurth pair is in the queue').toBe(true)
    expect(await page.locator('h1').innerText()).toBe('Is this the same person?')
    const comparison = await page.getByTestId('comparison').innerText()
    expect(comparison).toContain('John')
    expect(comparison).toContain('Jon')
    expect(comparison).toContain("Cambridge Women's Aid")
    await checkAccessibility(page, { label: 'pair side by side' })

    // No decision chosen: the error summary, next to the field.
    await button(page, 'Record the decision')
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Select whether these are the same person or different people')
    await checkAccessibility(page, { label: 'pair with an error' })

    await page.getByLabel('Different people: keep these records apart').check()
    await page.fill('#reason', 'Different middle names on the police record')
    await button(page, 'Record the decision')
    expect(new URL(page.url()).pathname).toBe('/linkage/review')
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Decision recorded: different people')
    await checkAccessibility(page, { label: 'queue after a decision' })

    await click(page, () => page.goto('/linkage/decisions'))
    expect(await page.locator('main').innerText()).toContain('Different middle names on the police record')
    await checkAccessibility(page, { label: 'decisions' })
  })

  it('a police referrer is offered the person already known, scored by linkage, with what agrees and what differs', async () => {
    const page = await signedIn(session.server.seeded.police)
    await click(page, () => page.getByRole('link', { name: 'Referrals' }).first().click())
    await checkAccessibility(page, { label: 'referrals' })
    await button(page, 'Make a referral')
    await checkAccessibility(page, { label: 'victim' })
    await page.fill('#givenName', 'Gosia')
    await page.fill('#familyName', 'Wisniewska')
    await page.fill('#dateOfBirth-day', '9')
    await page.fill('#dateOfBirth-month', '3')
    await page.fill('#dateOfBirth-year', '1982')
    await page.getByLabel('Female', { exact: true }).check()
    await page.selectOption('#genderIdentity', 'woman')
    await page.fill('#postcode', 'PE1 5DD')
    await page.selectOption('#districtCode', 'peterborough')
    await button(page, 'Continue')

    expect(await page.locator('h1').innerText()).toBe('Is this someone already known to the partnership?')
    const offered = await page.locator('form[novalidate]').innerText()
    expect(offered).toContain('Yes, Małgorzata Wiśniewska, born 9 March 1982')
    expect(offered).toMatch(/\d+% likely to be the same person/)
    expect(offered).toMatch(/Agrees: .*same date of birth/)
    expect(offered).toMatch(/given name: nickname/)
    await checkAccessibility(page, { label: 'possible match' })

    await page.locator('input[name="match"]').first().check()
    await button(page, 'Continue')
    expect(await page.locator('h1').innerText()).toBe('Equality and diversity information')
    await checkAccessibility(page, { label: 'after linking' })
  })
})
