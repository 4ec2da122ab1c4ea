import { describe, expect, it } from 'vitest'
import { engagementDefinitionInForce, isMaracRepeat } from './rules.ts'

describe('isMaracRepeat', () => {
  it('is a repeat on the same day 12 months after the last MARAC, and not the day after', () => {
    expect(isMaracRepeat('2022-03-01', ['2021-03-01'], 12)).toBe(true)
    expect(isMaracRepeat('2022-03-02', ['2021-03-01'], 12)).toBe(false)
  })

  it("measures from the victim's LAST earlier MARAC, whatever order the dates come in", () => {
    expect(isMaracRepeat('2022-06-01', ['2021-07-01', '2019-01-01', '2020-05-05'], 12)).toBe(true)
    expect(isMaracRepeat('2022-07-02', ['2021-07-01', '2019-01-01', '2020-05-05'], 12)).toBe(false)
  })

  it('is not a repeat with no earlier MARAC, or only same-day and later ones', () => {
    expect(isMaracRepeat('2022-03-01', [], 12)).toBe(false)
    expect(isMaracRepeat('2022-03-01', ['2022-03-01', '2022-05-01'], 12)).toBe(false)
  })

  it('uses the window it is given (3 months, as the 2021-22 annual report described)', () => {
    expect(isMaracRepeat('2021-11-30', ['2021-08-31'], 3)).toBe(true)
    expect(isMaracRepeat('2021-12-01', ['2021-08-31'], 3)).toBe(false)
    expect(isMaracRepeat('2021-11-30', ['2020-12-01'], 12)).toBe(true)
  })

  it('clamps to the end of shorter months', () => {
    expect(isMaracRepeat('2021-02-28', ['2020-02-29'], 12)).toBe(true)
    expect(isMaracRepeat('2021-03-01', ['2020-02-29'], 12)).toBe(false)
  })

  it('refuses bad dates and windows', () => {
    expect(() => isMaracRepeat('2022-02-30', [], 12)).toThrow(/real date/)
    expect(() => isMaracRepeat('2022-02-01', ['yesterday'], 12)).toThrow(/real date/)
    expect(() => isMaracRepeat('2022-02-01', [], 1.5)).toThrow(RangeError)
  })

  it('re-exports engagementDefinitionInForce', () => {
    expect(typeof engagementDefinitionInForce).toBe('function')
  })
})
