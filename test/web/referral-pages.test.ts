import { describe, expect, it } from 'vitest'
import { dashQuestionCodes } from '../../src/domains/risk/dash.ts'
import { engineUnderTest } from '../support/database.ts'
import { client } from '../support/web.ts'
import { password, journeyApp } from './referral-setup.ts'

/** The DASH page's fields with the first `yes` questions answered yes. */
const dashForm = (yes: number, date: [string, string, string]) => ({
  'assessedOn-day': date[0], 'assessedOn-month': date[1], 'assessedOn-year': date[2],
  ...Object.fromEntries(dashQuestionCodes.map((code, i) => [`answer-${code}`, i < yes ? 'yes' : 'no'])),
  judgement: 'no',
})

describe(`the referral question pages on ${engineUnderTest}`, () => {
  const env = journeyApp('2026-11-22T09:00:00Z')


  it('takes a police referral through every page to check your answers, and submits it once', async () => {
    const c = client(env.app)
    await c.signIn(env.setup.users.police.email, password)
    const list = await c.get('/referrals')
    expect(list.statusCode).toBe(200)
    const start = await c.post('/referrals/new', {})
    expect(start.statusCode).toBe(303)
    const base = start.headers.location!.replace(/\/victim$/, '')
    expect(base).toMatch(/^\/referrals\/drafts\/[0-9a-f-]{36}$/)

    let page = await c.get(`${base}/victim`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('About the victim')
    const missing = await c.post(`${base}/victim`, { givenName: '', familyName: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('href="#givenName">Enter their first name')
    page = await c.post(`${base}/victim`, {
      givenName: 'Joanna', familyName: 'Synthetic', 'dateOfBirth-day': '17', 'dateOfBirth-month': '5', 'dateOfBirth-year': '1990',
      sex: 'female', genderIdentity: 'woman', postcode: 'cb1 2ab', districtCode: 'cambridge',
    })
    expect(page.headers.location).toBe(`${base}/about-victim`)
    await c.get(`${base}/about-victim`)
    page = await c.post(`${base}/about-victim`, { ethnicity: 'white-british', nationality: 'GB', mainLanguage: 'en', disability: 'none', additionalNeeds: 'no' })
    expect(page.headers.location).toBe(`${base}/perpetrators`)
    await c.get(`${base}/perpetrators`)
    page = await c.post(`${base}/perpetrators`, { action: 'add', givenName: 'Mark', familyName: 'Synthetic', relationship: 'former-intimate-partner', sex: 'male' })
    expect(page.headers.location).toBe(`${base}/perpetrators`)
    page = await c.get(`${base}/perpetrators`)
    expect(page.body).toContain('Mark Synthetic, Former intimate partner')
    page = await c.post(`${base}/perpetrators`, { action: 'continue' })
    expect(page.headers.location).toBe(`${base}/children`)
    await c.get(`${base}/children`)
    const badChild = await c.post(`${base}/children`, { action: 'add', born: 'yes', 'childDate-day': '31', 'childDate-month': '2', 'childDate-year': '2019' })
    expect(badChild.statusCode).toBe(400)
    expect(badChild.body).toContain('Date of birth must be a real date')
    page = await c.post(`${base}/children`, { action: 'continue', childGivenName: 'Amy', born: 'yes', 'childDate-day': '4', 'childDate-month': '3', 'childDate-year': '2019', childSex: 'female', livesInHousehold: 'yes' })
    expect(page.headers.location).toBe(`${base}/household`)
    await c.get(`${base}/household`)
    page = await c.post(`${base}/household`, { householdType: 'single-with-children', livesWithPerpetrator: 'no' })
    expect(page.headers.location).toBe(`${base}/details`)
    await c.get(`${base}/details`)
    const noBasis = await c.post(`${base}/details`, { 'referralDate-day': '22', 'referralDate-month': '11', 'referralDate-year': '2026', referralSource: 'police', stalking: 'no', consent: 'not-given', lawfulBasis: 'consent' })
    expect(noBasis.statusCode).toBe(400)
    expect(noBasis.body).toContain('consent cannot be the lawful basis')
    page = await c.post(`${base}/details`, { 'referralDate-day': '22', 'referralDate-month': '11', 'referralDate-year': '2026', referralSource: 'police', stalking: 'no', consent: 'given', lawfulBasis: 'consent' })
    expect(page.headers.location).toBe(`${base}/safe-contact`)
    await c.get(`${base}/safe-contact`)
    page = await c.post(`${base}/safe-contact`, { held: 'yes', safeNumber: '07700 900123', safeTimes: 'Weekdays 10 to 12', rules: ['noVoicemail', 'neverWriteHome'] })
    expect(page.headers.location).toBe(`${base}/risk`)
    page = await c.get(`${base}/risk`)
    expect(page.body).toContain('15. Have they ever tried to strangle')
    const partial = await c.post(`${base}/risk`, { ...dashForm(18, ['22', '11', '2026']), [`answer-${dashQuestionCodes[23]}`]: '' })
    expect(partial.statusCode).toBe(400)
    expect(partial.body).toContain('Answer question 24')
    page = await c.post(`${base}/risk`, dashForm(18, ['22', '11', '2026']))
    expect(page.headers.location).toBe(`${base}/check`)

    const check = await c.get(`${base}/check`)
    expect(check.statusCode).toBe(200)
    expect(check.body).toContain('18 of 24')
    expect(check.body).toContain('Joanna Synthetic')
    const key = /name="submissionKey" value="([^"]+)"/.exec(check.body)![1]!

    const [first, second] = [await c.post(`${base}/submit`, { submissionKey: key }), await c.post(`${base}/submit`, { submissionKey: key })]
    expect(first.statusCode).toBe(303)
    expect(second.headers.location).toBe(first.headers.location)
    const done = await c.get(first.headers.location!)
    expect(done.statusCode).toBe(200)
    expect(done.body).toContain('Referral sent')
    expect(done.body).toContain('High risk')
    expect(done.body).toContain('Eligible for MARAC')
    expect(done.body).toContain('DASH score 18 meets the MARAC threshold of 17 in force on 2026-11-22')
    expect(done.body).toContain('Listed for the MARAC meeting on 23 November 2026')
    // Every page's answers reached the referral, including the equality information and the safe contact.
    expect(done.body).toContain('White: English, Welsh, Scottish, Northern Irish or British')
    expect(done.body).toContain('Mark Synthetic, Former intimate partner')
    expect(done.body).toContain('Amy, born 4 March 2019, lives in the household')
    // The safe contact is sealed: written, but not shown to a referrer, whose role the profile does not name.
    expect(done.body).not.toContain('07700 900123')
    const sealed = await env.database.db.selectFrom('sealed_detail').where('kind', '=', 'safe-contact').select('value').execute()
    expect(sealed.map(s => (s.value as { safeNumber: string }).safeNumber)).toEqual(['07700 900123'])
    const count = await env.database.db.selectFrom('referral').where('partnership_id', '=', env.setup.partnershipId).select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
  })

  it('deletes a user’s drafts left untouched for 14 days when they start another', async () => {
    const c = client(env.app)
    await c.signIn(env.setup.users.health.email, password)
    const old = (await c.post('/referrals/new', {})).headers.location!.split('/')[3]!
    env.clock.advanceMinutes(15 * 24 * 60)
    await c.signIn(env.setup.users.health.email, password)
    const fresh = (await c.post('/referrals/new', {})).headers.location!.split('/')[3]!
    const left = await env.database.db.selectFrom('referral_draft').where('user_id', '=', env.setup.users.health.userId).select('id').execute()
    expect(left.map(d => d.id)).toEqual([fresh])
    expect(old).not.toBe(fresh)
    env.clock.advanceMinutes(-15 * 24 * 60)
  })

  it('offers the people already known as possible matches, and links the ones chosen', async () => {
    const c = client(env.app)
    await c.signIn(env.setup.users.police.email, password)
    const base = (await c.post('/referrals/new', {})).headers.location!.replace(/\/victim$/, '')
    await c.get(`${base}/victim`)
    const victim = await c.post(`${base}/victim`, { givenName: 'Joana', familyName: 'Synthetic', 'dateOfBirth-day': '17', 'dateOfBirth-month': '5', 'dateOfBirth-year': '1990', postcode: 'CB1 2AB' })
    expect(victim.headers.location).toBe(`${base}/match/victim`)
    const match = await c.get(`${base}/match/victim`)
    expect(match.body).toContain('Yes, Joanna Synthetic, born 17 May 1990, CB1 2AB')
    expect(match.body).toContain('same date of birth, same postcode')
    const none = await c.post(`${base}/match/victim`, {})
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('Select the person this is, or that it is someone new')
    const known = /name="match" type="radio" value="([0-9a-f-]{36})"/.exec(match.body)![1]!
    expect((await c.post(`${base}/match/victim`, { match: known })).headers.location).toBe(`${base}/about-victim`)
    await c.get(`${base}/perpetrators`)
    expect((await c.post(`${base}/perpetrators`, { action: 'add', givenName: 'Mark', familyName: 'Synthetic', relationship: 'former-intimate-partner' })).headers.location).toBe(`${base}/match/perpetrator/0`)
    const perpMatch = await c.get(`${base}/match/perpetrator/0`)
    const knownPerp = /name="match" type="radio" value="([0-9a-f-]{36})"/.exec(perpMatch.body)![1]!
    expect((await c.post(`${base}/match/perpetrator/0`, { match: knownPerp })).headers.location).toBe(`${base}/perpetrators`)
    expect((await c.post(`${base}/perpetrators`, { action: 'continue' })).headers.location).toBe(`${base}/children`)
    const check = await c.get(`${base}/check`)
    expect(check.body).toContain('Linked to Joanna Synthetic')
    expect(check.body).toContain('(linked to Mark Synthetic)')
    const answers = await env.database.db.selectFrom('referral_draft').where('id', '=', base.split('/').pop()!).select('answers').executeTakeFirstOrThrow()
    const draft = answers.answers as { victimMatch: { linkToPersonId: string } }
    expect(draft.victimMatch.linkToPersonId).toBe(known)
  })
})
