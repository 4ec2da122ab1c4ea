import type { Kysely } from 'kysely'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DB } from '../src/db/schema.ts'
import { createUnit } from '../src/domains/accommodation/inventory.ts'
import { hashPassword } from '../src/domains/auth/passwords.ts'
import { axeContextOptions, checkAccessibility, describeInBrowser, launchBrowser, startTestServer, type TestServer } from '../test/support/browser.ts'
import { engineUnderTest } from '../test/support/database.ts'
import { factories } from '../test/support/factories.ts'

/**
 * The safe accommodation journey of issue 5 in Chromium, with axe-core on every page visited:
 * a search that finds nothing (kept as unmet need), the refuges excluded each with its reason and a
 * dispersed unit offered, a referral accepted and a placement recorded (the board changes at once), and
 * a referrer who never sees an address and is refused, with an audit entry, when asking for one. Then the
 * Whole Housing Approach pages: therapeutic support (with JavaScript off for the provider) and housing approaches.
 */
const password = 'correct horse battery staple'
const journey = { timeout: 180_000 }
const REFUGE_ADDRESS = '14 Kingfisher Lane (synthetic)'

async function seed(db: Kysely<DB>) {
  const f = factories(db)
  const { partnershipId } = await f.newPartnership()
  await db.insertInto('district').values(['east', 'west'].map(code => ({
    partnership_id: partnershipId, code, name: code === 'east' ? 'East' : 'West',
    population_all: 50_000, population_16plus: 40_000, population_females_16plus: 20_000, population_source: 'synthetic',
  }))).execute()
  const passwordHash = await hashPassword(password)
  const agencies = {
    housing: await f.newAgency(partnershipId, 'housing'),
    police: await f.newAgency(partnershipId, 'police'),
    refugeA: await f.newAgency(partnershipId, 'refuge-provider'),
    refugeB: await f.newAgency(partnershipId, 'refuge-provider'),
    dispersed: await f.newAgency(partnershipId, 'specialist-da-service'),
  }
  const users = {
    housing: (await f.newUser(partnershipId, { agencyId: agencies.housing, roles: ['housing-officer'], passwordHash })).email,
    referrer: (await f.newUser(partnershipId, { agencyId: agencies.police, roles: ['referrer'], passwordHash })).email,
    provider: (await f.newUser(partnershipId, { agencyId: agencies.dispersed, roles: ['safe-accommodation-worker'], passwordHash })).email,
    refugeStaff: (await f.newUser(partnershipId, { agencyId: agencies.refugeA, roles: ['safe-accommodation-worker'], passwordHash })).email,
    idva: (await f.newUser(partnershipId, { agencyId: agencies.housing, roles: ['idva'], passwordHash })).email,
    therapist: (await f.newUser(partnershipId, { agencyId: agencies.dispersed, roles: ['therapy-provider'], passwordHash })).email,
    commissioner: (await f.newUser(partnershipId, { agencyId: agencies.housing, roles: ['commissioner'], passwordHash })).email,
  }
  const refuge12 = await createUnit(db, partnershipId, {
    providerAgencyId: agencies.refugeA, name: 'Kingfisher refuge', type: 'refuge', districtCode: 'east', areaLabel: 'Eastwick',
    maxMaleChildAge: 12, rooms: [{ childBeds: 3 }, { childBeds: 2, wheelchairAccessible: true }],
    address: { lines: [REFUGE_ADDRESS, 'Eastwick'], postcode: 'ZZ1 1AA' },
  })
  const refuge13 = await createUnit(db, partnershipId, {
    providerAgencyId: agencies.refugeB, name: 'Heron refuge', type: 'refuge', districtCode: 'west', areaLabel: 'Westford',
    maxMaleChildAge: 13, petsAccepted: ['small-caged'], rooms: [{ childBeds: 3 }],
  })
  const dispersed = await createUnit(db, partnershipId, {
    providerAgencyId: agencies.dispersed, name: 'Otter Close house', type: 'dispersed', districtCode: 'west', areaLabel: 'Westford',
    gendersAccepted: ['woman', 'man', 'non-binary'], petsAccepted: ['dog', 'cat'],
    rooms: [{ label: 'Whole house', childBeds: 4, status: 'out-of-use', statusReason: 'Being redecorated' }],
    address: { lines: ['3 Otter Close (synthetic)', 'Westford'], postcode: 'ZZ3 3CC' },
  })
  return { partnershipId, users, refuge12: refuge12.unitId, refuge13: refuge13.unitId, dispersed: dispersed.unitId, therapyProvider: agencies.dispersed }
}

describeInBrowser(`safe accommodation in Chromium on ${engineUnderTest}`, () => {
  let server: TestServer<Awaited<ReturnType<typeof seed>>>
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    server = await startTestServer({ seed })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await server?.close()
  })

  async function signedIn(email: string): Promise<Page> {
    const context = await browser.newContext({ ...axeContextOptions, baseURL: server.url })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto('/sign-in')
    await page.fill('#email', email)
    await page.fill('#password', password)
    await Promise.all([page.waitForURL(u => u.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()])
    return page
  }

  /** Runs an action that loads a new page, and waits for that page (styles included) to load. */
  const click = async (page: Page, action: () => Promise<void>) => {
    await Promise.all([page.waitForEvent('load'), action()])
  }

  async function describeHousehold(page: Page) {
    await page.getByLabel('Woman', { exact: true }).check()
    await page.fill('#child-1-age', '14')
    await page.selectOption('#child-1-sex', 'male')
    await page.fill('#child-2-age', '6')
    await page.selectOption('#child-2-sex', 'female')
    await page.getByLabel('Dog', { exact: true }).check()
    await page.selectOption('#districtFledFrom', 'north')
  }

  it('a housing officer finds a place, a provider accepts and places, the board changes, and addresses stay sealed', journey, async () => {
    const { users, refuge12, refuge13, dispersed } = server.seeded
    const housing = await signedIn(users.housing)

    // 1. The board, then a search that finds nothing: kept as unmet need.
    await click(housing, () => housing.getByRole('link', { name: 'Safe accommodation' }).first().click())
    expect(new URL(housing.url()).pathname).toBe('/accommodation')
    await checkAccessibility(housing, { soft: true, label: 'vacancy board' })
    await click(housing, () => housing.getByRole('button', { name: 'Find a place for a household' }).click())
    await checkAccessibility(housing, { soft: true, label: 'search form' })
    await click(housing, () => housing.getByRole('button', { name: 'Search' }).click())
    await expect.poll(() => housing.locator('.govuk-error-summary').isVisible()).toBe(true)
    await checkAccessibility(housing, { soft: true, label: 'search form with errors' })
    await describeHousehold(housing)
    await click(housing, () => housing.getByRole('button', { name: 'Search' }).click())
    await expect.poll(() => housing.locator('h1').innerText()).toBe('Nothing suitable is free now')
    const unmetUrl = new URL(housing.url()).pathname
    await checkAccessibility(housing, { soft: true, label: 'results with nothing suitable' })

    // The provider brings the dispersed house back into use.
    const provider = await signedIn(users.provider)
    await provider.goto(`/accommodation/units/${dispersed}`)
    await checkAccessibility(provider, { soft: true, label: 'unit page (provider)' })
    await provider.getByText('Change Whole house').click()
    await provider.locator('select[id^="status-"]').first().selectOption('available')
    await provider.locator('input[id^="reason-"]').first().fill('')
    await click(provider, () => provider.getByRole('button', { name: 'Save Whole house' }).click())
    await expect.poll(() => provider.locator('[data-testid="rooms"]').innerText()).toContain('Free')

    // 2. The same household again: the refuges excluded with their reasons, the dispersed unit offered.
    await click(housing, () => housing.getByRole('link', { name: 'Search again with changes' }).click())
    expect(await housing.inputValue('#child-1-age')).toBe('14')
    await click(housing, () => housing.getByRole('button', { name: 'Search' }).click())
    await expect.poll(() => housing.locator('h1').innerText()).toBe('1 suitable unit with a room free')
    expect(await housing.locator(`[data-testid="unsuitable-${refuge12}"]`).innerText()).toContain('son aged 14: this refuge accepts boys up to 12')
    expect(await housing.locator(`[data-testid="unsuitable-${refuge12}"]`).innerText()).toContain('a dog: this refuge does not accept pets')
    expect(await housing.locator(`[data-testid="unsuitable-${refuge13}"]`).innerText()).toContain('son aged 14: this refuge accepts boys up to 13')
    expect(await housing.locator(`[data-testid="suitable-${dispersed}"]`).isVisible()).toBe(true)
    await checkAccessibility(housing, { soft: true, label: 'results with a suitable unit' })
    await click(housing, () => housing.locator(`[data-testid="refer-${dispersed}"]`).click())
    await expect.poll(() => housing.locator('[data-testid="referral-status"]').innerText()).toBe('Pending')
    const referralPath = new URL(housing.url()).pathname
    await checkAccessibility(housing, { soft: true, label: 'referral sent' })

    // The provider accepts, holding the house, and records the move-in.
    await provider.goto('/accommodation/referrals')
    await checkAccessibility(provider, { soft: true, label: 'referrals (provider)' })
    await provider.goto(referralPath)
    await provider.getByLabel(/Whole house/).check()
    await checkAccessibility(provider, { soft: true, label: 'referral decision' })
    await click(provider, () => provider.getByRole('button', { name: 'Accept and hold the room' }).click())
    await expect.poll(() => provider.locator('[data-testid="referral-status"]').innerText()).toBe('Accepted')
    await click(provider, () => provider.getByRole('button', { name: 'Record move-in' }).click())
    await expect.poll(() => provider.locator('h1').innerText()).toContain('Placement at Otter Close house')
    await checkAccessibility(provider, { soft: true, label: 'placement' })

    // The board and occupancy change at once.
    await housing.goto('/accommodation')
    expect(await housing.locator(`[data-testid="free-${dispersed}"]`).innerText()).toContain('1 occupied')
    await provider.goto('/accommodation/occupancy?period=30-days')
    expect(await provider.locator(`[data-testid="occupancy-${dispersed}"]`).innerText()).toContain('1 of 30 room-nights')
    await checkAccessibility(provider, { soft: true, label: 'occupancy' })

    // 3. The earlier search that found nothing is listed as unmet need.
    await click(housing, () => housing.getByRole('link', { name: 'Unmet need' }).click())
    const unmetId = unmetUrl.split('/').pop()!
    expect(await housing.locator(`[data-testid="unmet-${unmetId}"]`).innerText()).toContain('A woman with a son aged 14, a daughter aged 6 and a dog')
    await checkAccessibility(housing, { soft: true, label: 'unmet need' })

    // 4. A referrer never sees a refuge address; asking for it directly is refused and recorded.
    const referrer = await signedIn(users.referrer)
    await referrer.goto('/accommodation')
    expect(await referrer.content()).not.toContain(REFUGE_ADDRESS)
    await referrer.goto(`/accommodation/units/${refuge12}`)
    expect(await referrer.content()).not.toContain(REFUGE_ADDRESS)
    expect(await referrer.locator('main').innerText()).toContain('Sealed: only the provider’s staff and the safe accommodation manager can see it')
    await checkAccessibility(referrer, { soft: true, label: 'unit page (referrer)' })
    const refused = await referrer.goto(`/accommodation/units/${refuge12}/address`)
    expect(refused?.status()).toBe(404)
    expect(await referrer.content()).not.toContain(REFUGE_ADDRESS)
    const audit = await server.db.db.selectFrom('audit_event').where('action', '=', 'SEALED_READ_REFUSED').where('subject_id', '=', refuge12)
      .select('actor_user_id').execute()
    expect(audit).toHaveLength(1)
  })

  it('the inventory and additional security pages work in the browser with no axe violations', journey, async () => {
    const { users, refuge12 } = server.seeded
    const staff = await signedIn(users.refugeStaff)
    await staff.goto('/accommodation/units/new')
    await checkAccessibility(staff, { soft: true, label: 'add a unit' })
    await click(staff, () => staff.getByRole('button', { name: 'Save the unit' }).click())
    await expect.poll(() => staff.locator('.govuk-error-summary').isVisible()).toBe(true)
    await checkAccessibility(staff, { soft: true, label: 'add a unit with errors' })
    await staff.goto(`/accommodation/units/${refuge12}/edit`)
    await checkAccessibility(staff, { soft: true, label: 'change a unit' })
    await staff.goto(`/accommodation/units/${refuge12}/address`)
    expect(await staff.locator('[data-testid="unit-address"]').innerText()).toContain(REFUGE_ADDRESS)
    await checkAccessibility(staff, { soft: true, label: 'sealed address (provider)' })
    await staff.goto(`/accommodation/units/${refuge12}`)
    await staff.getByText('Add a room').click()
    await staff.fill('#room-label', 'Room 3')
    await staff.fill('#room-childBeds', '2')
    await click(staff, () => staff.getByRole('button', { name: 'Add the room' }).click())
    expect(await staff.locator('[data-testid="rooms"]').innerText()).toContain('Room 3')
    await checkAccessibility(staff, { soft: true, label: 'unit with a new room' })

    const idva = await signedIn(users.idva)
    await idva.goto('/services/sanctuary/new')
    await checkAccessibility(idva, { soft: true, label: 'refer for additional security' })
    await idva.getByLabel('Social rented').check()
    await idva.locator('#providerAgencyId').selectOption({ index: 1 })
    await idva.fill('#childrenInHousehold', '2')
    await click(idva, () => idva.getByRole('button', { name: 'Send referral' }).click())
    await expect.poll(() => idva.locator('h1').innerText()).toMatch(/^SJ-/)
    await checkAccessibility(idva, { soft: true, label: 'sanctuary job (referrer)' })
    await idva.goto('/services/sanctuary')
    await checkAccessibility(idva, { soft: true, label: 'additional security list' })
  })

  it('therapeutic support, housing approaches and the suppressed figures work in the browser, JavaScript or not, with no axe violations', journey, async () => {
    const { users } = server.seeded
    // An IDVA refers a child for therapy (the form opens from its summary); a mistake is named and linked.
    const idva = await signedIn(users.idva)
    await idva.goto('/services/therapy')
    await checkAccessibility(idva, { soft: true, label: 'therapeutic support list' })
    await idva.getByText('Refer for therapeutic support').click()
    await idva.getByLabel('A child or young person').check()
    await idva.fill('#ageAtReferral', '18')
    await click(idva, () => idva.getByRole('button', { name: 'Make the referral' }).click())
    await expect.poll(() => idva.locator('.govuk-error-summary').innerText()).toContain('A child is 17 or younger: 18 is an adult')
    await checkAccessibility(idva, { soft: true, label: 'therapy referral with errors' })
    await idva.fill('#ageAtReferral', '9')
    await idva.selectOption('#supportKind', 'play-therapy')
    await idva.selectOption('#providerAgencyId', server.seeded.therapyProvider)
    await click(idva, () => idva.getByRole('button', { name: 'Make the referral' }).click())
    await expect.poll(() => idva.locator('h1').innerText()).toContain('Play therapy for a child, 9')
    await checkAccessibility(idva, { soft: true, label: 'therapy referral (referrer)' })
    const referralUrl = idva.url()

    // The providing service records a session with JavaScript off: plain forms.
    const context = await browser.newContext({ ...axeContextOptions, baseURL: server.url, javaScriptEnabled: false })
    contexts.push(context)
    const provider = await context.newPage()
    await provider.goto('/sign-in')
    await provider.fill('#email', users.therapist)
    await provider.fill('#password', password)
    await Promise.all([provider.waitForURL(u => u.pathname === '/'), provider.getByRole('button', { name: 'Sign in' }).click()])
    await provider.goto(referralUrl)
    await provider.getByLabel('Attended', { exact: true }).check()
    await click(provider, () => provider.getByRole('button', { name: 'Record the session' }).click())
    expect(await provider.locator('[data-testid="therapy-sessions"]').innerText()).toContain('Attended')
    expect(await provider.locator('.govuk-summary-list').innerText()).toContain('In support')

    // A housing officer records an approach and a temporary accommodation episode.
    const housing = await signedIn(users.housing)
    await housing.goto('/services/housing-approaches')
    await checkAccessibility(housing, { soft: true, label: 'housing approaches' })
    await housing.getByText('Record a housing approach').click()
    await housing.getByLabel('Yes', { exact: true }).check()
    await housing.selectOption('#accommodationAtApproach', 'living-with-family')
    await housing.fill('#preventionStartedOn-day', '1')
    await housing.fill('#preventionStartedOn-month', '1')
    await housing.fill('#preventionStartedOn-year', '2020')
    await click(housing, () => housing.getByRole('button', { name: 'Record the approach' }).click())
    await expect.poll(() => housing.locator('.govuk-error-summary').innerText()).toContain('The prevention duty cannot start before the approach')
    await checkAccessibility(housing, { soft: true, label: 'housing approach with errors' })
    await housing.fill('#preventionStartedOn-day', '')
    await housing.fill('#preventionStartedOn-month', '')
    await housing.fill('#preventionStartedOn-year', '')
    await click(housing, () => housing.getByRole('button', { name: 'Record the approach' }).click())
    await expect.poll(() => housing.locator('h1').innerText()).toMatch(/^Approach of /)
    await housing.getByText('Add a temporary accommodation episode').click()
    await housing.selectOption('#kind', 'hostel')
    // Placed on the day of the approach (the date the update form below holds).
    for (const part of ['day', 'month', 'year']) await housing.fill(`#placedOn-${part}`, await housing.inputValue(`#approachedOn-${part}`))
    await click(housing, () => housing.getByRole('button', { name: 'Add the episode' }).click())
    expect(await housing.locator('[data-testid="episodes"]').innerText()).toContain('Still there')
    await checkAccessibility(housing, { soft: true, label: 'housing approach with an episode' })

    // A commissioner sees the figures with small numbers withheld, explained on the page.
    const commissioner = await signedIn(users.commissioner)
    for (const [url, label] of [['/accommodation', 'vacancy board (suppressed)'], ['/accommodation/occupancy', 'occupancy (suppressed)'], ['/accommodation/unmet-need', 'unmet need (suppressed)']] as const) {
      await commissioner.goto(url)
      expect(await commissioner.locator('[data-testid="suppression-note"]').innerText()).toContain('withheld')
      await checkAccessibility(commissioner, { soft: true, label })
    }
  })
})
