import { describe, expect, it } from 'vitest'
import { addDays, addMonths, completedYears, effectivePeriodsProblems, inForce, isInForce, isIsoDate } from './effectiveDated.ts'

describe('isIsoDate', () => {
  it('accepts real dates written YYYY-MM-DD', () => {
    expect(isIsoDate('2020-01-01')).toBe(true)
    expect(isIsoDate('2020-02-29')).toBe(true)
  })

  it('rejects impossible dates and other formats', () => {
    expect(isIsoDate('2021-02-29')).toBe(false)
    expect(isIsoDate('2021-13-01')).toBe(false)
    expect(isIsoDate('2021-04-31')).toBe(false)
    expect(isIsoDate('1/3/2021')).toBe(false)
    expect(isIsoDate('2021-3-1')).toBe(false)
    expect(isIsoDate(20210301)).toBe(false)
  })
})

describe('addDays and addMonths', () => {
  it('adds days across month and year ends', () => {
    expect(addDays('2019-12-31', 1)).toBe('2020-01-01')
    expect(addDays('2020-03-01', -1)).toBe('2020-02-29')
  })

  it('adds calendar months, clamping to the end of shorter months', () => {
    expect(addMonths('2021-03-01', 12)).toBe('2022-03-01')
    expect(addMonths('2021-01-31', 1)).toBe('2021-02-28')
    expect(addMonths('2020-02-29', 12)).toBe('2021-02-28')
    expect(addMonths('2021-11-15', 3)).toBe('2022-02-15')
    expect(addMonths('2022-03-01', -12)).toBe('2021-03-01')
  })
})

describe('completedYears', () => {
  it('counts a birthday on the day itself', () => {
    expect(completedYears('2003-06-15', '2022-06-14')).toBe(18)
    expect(completedYears('2003-06-15', '2022-06-15')).toBe(19)
  })

  it('treats a 29 February birthday as 1 March in other years', () => {
    expect(completedYears('2004-02-29', '2022-02-28')).toBe(17)
    expect(completedYears('2004-02-29', '2022-03-01')).toBe(18)
  })

  it('refuses a date before the birth', () => {
    expect(() => completedYears('2004-02-29', '2003-01-01')).toThrow(/before the date of birth/)
  })
})

const thresholds = [
  { effectiveFrom: '2009-01-01', effectiveTo: '2019-12-31', score: 14 },
  { effectiveFrom: '2020-01-01', score: 17 },
]

describe('inForce', () => {
  it('treats both ends of a period as in force', () => {
    expect(inForce(thresholds, '2019-12-31').score).toBe(14)
    expect(inForce(thresholds, '2020-01-01').score).toBe(17)
    expect(inForce(thresholds, '2009-01-01').score).toBe(14)
    expect(isInForce(thresholds[0]!, '2020-01-01')).toBe(false)
  })

  it('throws an error naming the date when nothing is in force', () => {
    expect(() => inForce(thresholds, '2008-12-31', 'MARAC threshold')).toThrow(
      'No MARAC threshold is in force on 2008-12-31; periods are 2009-01-01 to 2019-12-31, from 2020-01-01',
    )
    expect(() => inForce([], '2020-01-01')).toThrow(/none are defined/)
  })

  it('throws when more than one item is in force', () => {
    expect(() => inForce([{ effectiveFrom: '2020-01-01' }, { effectiveFrom: '2021-01-01' }], '2021-06-01')).toThrow(
      /More than one setting is in force on 2021-06-01/,
    )
  })

  it('rejects a date that is not a real date', () => {
    expect(() => inForce(thresholds, '2021-02-30')).toThrow(/real date/)
  })
})

describe('effectivePeriodsProblems', () => {
  it('finds nothing wrong with contiguous periods ending open', () => {
    expect(effectivePeriodsProblems(thresholds, 'risk.maracThreshold')).toEqual([])
  })

  it('reports a gap with its first and last days', () => {
    const problems = effectivePeriodsProblems(
      [
        { effectiveFrom: '2009-01-01', effectiveTo: '2019-12-31' },
        { effectiveFrom: '2020-02-01' },
      ],
      'risk.maracThreshold',
    )
    expect(problems).toEqual([
      'risk.maracThreshold: nothing is in force from 2020-01-01 to 2020-01-31, between risk.maracThreshold[0] (2009-01-01 to 2019-12-31) and risk.maracThreshold[1] (from 2020-02-01)',
    ])
  })

  it('reports an overlap, one day is enough', () => {
    const problems = effectivePeriodsProblems(
      [
        { effectiveFrom: '2020-01-01' },
        { effectiveFrom: '2009-01-01', effectiveTo: '2020-01-01' },
      ],
      'repeatWindows',
    )
    expect(problems).toEqual([
      'repeatWindows[0] (from 2020-01-01) overlaps repeatWindows[1] (2009-01-01 to 2020-01-01): both are in force from 2020-01-01 to 2020-01-01',
    ])
  })

  it('reports an open-ended period that is not the latest', () => {
    const problems = effectivePeriodsProblems([{ effectiveFrom: '2009-01-01' }, { effectiveFrom: '2020-01-01' }], 'risk.bands')
    expect(problems).toEqual([
      'risk.bands[0] (from 2009-01-01) has no effectiveTo, so it overlaps risk.bands[1] (from 2020-01-01); end it on 2019-12-31',
    ])
  })

  it('reports effectiveTo before effectiveFrom', () => {
    expect(effectivePeriodsProblems([{ effectiveFrom: '2020-01-01', effectiveTo: '2019-01-01' }], 'x')).toEqual([
      'x[0]: effectiveTo 2019-01-01 is before effectiveFrom 2020-01-01',
    ])
  })

  it('reports a latest period that ends', () => {
    expect(effectivePeriodsProblems([{ effectiveFrom: '2020-01-01', effectiveTo: '2020-12-31' }], 'x')).toEqual([
      'x[0] (2020-01-01 to 2020-12-31) is the latest period but ends on 2020-12-31, so nothing is in force after it; leave effectiveTo off the latest period',
    ])
  })

  it('reports an empty list and bad dates', () => {
    expect(effectivePeriodsProblems([], 'x')).toEqual(['x: at least one period is needed; the list is empty'])
    expect(effectivePeriodsProblems([{ effectiveFrom: '2020-02-30' }], 'x')).toEqual([
      'x[0].effectiveFrom: "2020-02-30" is not a real date written YYYY-MM-DD',
    ])
  })
})
