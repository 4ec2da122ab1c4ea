import { describe, expect, it } from 'vitest'
import { addDays, addMonths } from '../../domains/partnership/effectiveDated.ts'
import { generateDashAnswers } from './dash.ts'
import { addMonthsToDay, dayFromIso, isChristmasOrNewYearHoliday, isoFromDay, isoWeekday } from './dates.ts'
import { lithuanianForms, parseWeighted } from './names.ts'
import { randomPostcode } from './postcodes.ts'
import { Rng, Weighted } from './prng.ts'
import { recordIdentity, stripDiacritics, typo } from './variation.ts'

describe('Rng', () => {
  it('repeats its sequence for the same key and differs for another key', () => {
    const a = new Rng('k1')
    const b = new Rng('k1')
    const c = new Rng('k2')
    const seqA = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA)
  })

  it('draws floats in [0, 1), whole numbers in range, and v4-shaped UUIDs', () => {
    const rng = new Rng('draws')
    for (let i = 0; i < 10_000; i++) {
      const f = rng.float()
      expect(f >= 0 && f < 1).toBe(true)
      const n = rng.int(3, 7)
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true)
    }
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('samples weighted choices in proportion, and Poisson counts with the right mean', () => {
    const rng = new Rng('weights')
    const table = new Weighted([
      ['a', 3],
      ['b', 1],
      ['never', 0],
    ] as const)
    let a = 0
    for (let i = 0; i < 20_000; i++) {
      const item = table.sample(rng)
      expect(item).not.toBe('never')
      if (item === 'a') a++
    }
    expect(a / 20_000).toBeGreaterThan(0.73)
    expect(a / 20_000).toBeLessThan(0.77)
    let sum = 0
    for (let i = 0; i < 20_000; i++) sum += rng.poisson(6.8)
    expect(sum / 20_000).toBeGreaterThan(6.7)
    expect(sum / 20_000).toBeLessThan(6.9)
  })
})

describe('dates', () => {
  it('round-trips day numbers and matches the partnership date helpers', () => {
    for (const iso of ['1900-01-01', '1970-01-01', '2000-02-29', '2022-06-01', '2026-10-31', '2099-12-31']) {
      expect(isoFromDay(dayFromIso(iso))).toBe(iso)
      expect(isoFromDay(dayFromIso(iso) + 1)).toBe(addDays(iso, 1))
      for (const months of [-12, -1, 1, 12, 25]) {
        expect(isoFromDay(addMonthsToDay(dayFromIso(iso), months))).toBe(addMonths(iso, months))
      }
    }
    expect(isoWeekday(dayFromIso('2026-10-31'))).toBe(6) // a Saturday
  })

  it('knows the Christmas and New Year bank holidays, with substitute days', () => {
    expect(isChristmasOrNewYearHoliday(dayFromIso('2025-12-25'))).toBe(true)
    expect(isChristmasOrNewYearHoliday(dayFromIso('2025-12-26'))).toBe(true)
    expect(isChristmasOrNewYearHoliday(dayFromIso('2021-12-28'))).toBe(true) // Christmas on a Saturday
    expect(isChristmasOrNewYearHoliday(dayFromIso('2022-01-03'))).toBe(true) // New Year on a Saturday
    expect(isChristmasOrNewYearHoliday(dayFromIso('2025-12-24'))).toBe(false)
  })
})

describe('names and postcodes', () => {
  it('parses weighted name lists', () => {
    expect(parseWeighted('Sarah 10, Mary Joy 2, Ann')).toEqual([
      ['Sarah', 10],
      ['Mary Joy', 2],
      ['Ann', 1],
    ])
  })

  it('forms Lithuanian feminine surnames', () => {
    expect(lithuanianForms('Kazlauskas')).toEqual({ m: 'Kazlauskas', f: 'Kazlauskienė', fUnmarried: 'Kazlauskaitė' })
    expect(lithuanianForms('Stankevičius')).toEqual({ m: 'Stankevičius', f: 'Stankevičienė', fUnmarried: 'Stankevičiūtė' })
    expect(lithuanianForms('Butkus')).toEqual({ m: 'Butkus', f: 'Butkienė', fUnmarried: 'Butkutė' })
    expect(lithuanianForms('Adomaitis')).toEqual({ m: 'Adomaitis', f: 'Adomaitienė', fUnmarried: 'Adomaitytė' })
  })

  it('makes postcodes with a real outward code for the district', () => {
    const rng = new Rng('postcodes')
    for (let i = 0; i < 200; i++) {
      expect(randomPostcode(rng, 'peterborough')).toMatch(/^PE[1-7] \d[A-Z]{2}$/)
      expect(randomPostcode(rng, 'fenland')).toMatch(/^PE(13|14|15|16|7) \d[A-Z]{2}$/)
    }
  })
})

describe('variation', () => {
  it('drops diacritics, including the Polish ł', () => {
    expect(stripDiacritics('Małgorzata Wiśniewska')).toBe('Malgorzata Wisniewska')
    expect(stripDiacritics('Jūratė Kazlauskienė')).toBe('Jurate Kazlauskiene')
    expect(stripDiacritics('Smith')).toBe('Smith')
  })

  it('makes keying slips that keep the first letter', () => {
    const rng = new Rng('typos')
    for (let i = 0; i < 500; i++) {
      const slipped = typo(rng, 'Katherine')
      expect(slipped[0]).toBe('K')
      expect(Math.abs(slipped.length - 'Katherine'.length)).toBeLessThanOrEqual(1)
    }
  })

  it('usually records the identity exactly', () => {
    const rng = new Rng('record')
    let exact = 0
    for (let i = 0; i < 2000; i++) {
      const recorded = recordIdentity(rng, {
        givenName: 'Katherine',
        familyNameAtTime: 'Smith',
        currentFamilyName: 'Smith',
        dateOfBirth: '1990-03-07',
        postcodeAtTime: 'PE1 2AB',
        currentPostcode: 'PE1 2AB',
        police: false,
        addressOftenWithheld: false,
      })
      if (recorded.variations.length === 0) {
        exact++
        expect(recorded).toEqual({ givenName: 'Katherine', familyName: 'Smith', dateOfBirth: '1990-03-07', postcode: 'PE1 2AB', variations: [] })
      }
      if (recorded.variations.includes('dob-day-month-swapped')) expect(recorded.dateOfBirth).toBe('1990-07-03')
    }
    expect(exact / 2000).toBeGreaterThan(0.6)
    expect(exact / 2000).toBeLessThan(0.9)
  })
})

describe('generateDashAnswers', () => {
  it('gives exactly the target score and honours the facts', () => {
    const rng = new Rng('dash')
    for (let target = 0; target <= 22; target++) {
      const answers = generateDashAnswers(rng, target, { pregnantOrNewBaby: false, hasChildren: false, stalking: false, separated: true })
      expect(answers).toHaveLength(24)
      expect(answers.filter(a => a === 'yes')).toHaveLength(target)
      expect(answers[8]).not.toBe('yes')
      expect(answers[6]).not.toBe('yes')
    }
    const forced = generateDashAnswers(rng, 0, { pregnantOrNewBaby: true, hasChildren: true, stalking: true, separated: false })
    expect(forced[7]).toBe('yes')
    expect(forced[8]).toBe('yes')
    expect(forced.filter(a => a === 'yes')).toHaveLength(2)
  })
})
