import { describe, expect, it } from 'vitest'
import { compileDateFormat, dateFormatProblem, expandTwoDigitYear, parseDate, parseMonth, todayInLondon } from './dates.ts'

const today = '2026-11-22'

describe('parseDate', () => {
  it('always accepts ISO dates, with or without a midnight time', () => {
    expect(parseDate('2021-04-03')).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate(' 2021-04-03 00:00:00 ')).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('2021-04-03T00:00:00', { format: 'DD/MM/YYYY' })).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('2021-04-03 09:30').ok).toBe(false)
  })

  it('says 03/04/2021 is ambiguous when no format is declared, spelling out both readings', () => {
    const r = parseDate('03/04/2021')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe('ambiguous-date')
    expect(r.message).toContain('ambiguous')
    expect(r.message).toContain('3 April 2021')
    expect(r.message).toContain('4 March 2021')
    expect(r.message).toContain('Declare')
  })

  it('does not guess an unambiguous day/month date without a declared format', () => {
    const r = parseDate('25/12/2021')
    expect(r).toMatchObject({ ok: false, code: 'invalid-date' })
    if (!r.ok) expect(r.message).toMatch(/declares no date format/)
  })

  it('reads the declared format', () => {
    expect(parseDate('03/04/2021', { format: 'DD/MM/YYYY' })).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('03/04/2021', { format: 'MM/DD/YYYY' })).toEqual({ ok: true, iso: '2021-03-04' })
    expect(parseDate('3/4/21', { format: 'D/M/YY', today })).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('14/2/85', { format: 'D/M/YY', today })).toEqual({ ok: true, iso: '1985-02-14' })
    expect(parseDate('03-Apr-2021', { format: 'DD-MMM-YYYY' })).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('3 September 2021', { format: 'D MMM YYYY' })).toEqual({ ok: true, iso: '2021-09-03' })
    expect(parseDate('03.04.2021', { format: 'DD.MM.YYYY' })).toEqual({ ok: true, iso: '2021-04-03' })
    expect(parseDate('03/04/2021 00:00', { format: 'DD/MM/YYYY' })).toEqual({ ok: true, iso: '2021-04-03' })
  })

  it('rejects impossible dates and values that do not fit the format', () => {
    expect(parseDate('30/02/2021', { format: 'DD/MM/YYYY' })).toMatchObject({ ok: false, code: 'invalid-date' })
    expect(parseDate('29/02/2024', { format: 'DD/MM/YYYY' })).toEqual({ ok: true, iso: '2024-02-29' })
    const us = parseDate('04/13/2021', { format: 'DD/MM/YYYY' })
    expect(us.ok).toBe(false)
    if (!us.ok) expect(us.message).toContain('no month 13')
    expect(parseDate('2021/04/03', { format: 'DD/MM/YYYY' })).toMatchObject({ ok: false, code: 'invalid-date' })
    expect(parseDate('yesterday')).toMatchObject({ ok: false, code: 'invalid-date' })
    expect(parseDate('1899-12-31')).toMatchObject({ ok: false })
  })

  it('checks declared formats', () => {
    expect(dateFormatProblem('DD/MM/YYYY')).toBeUndefined()
    expect(dateFormatProblem('DD/MM')).toMatch(/exactly one year/)
    expect(dateFormatProblem('DD|MM|YYYY')).toMatch(/may only use/)
    expect(() => compileDateFormat('YYYY')).toThrow()
  })

  it('expands two-digit years against today', () => {
    expect(expandTwoDigitYear(26, today)).toBe(2026)
    expect(expandTwoDigitYear(27, today)).toBe(1927)
    expect(expandTwoDigitYear(0, today)).toBe(2000)
    expect(todayInLondon(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01') // BST
  })
})

describe('parseMonth', () => {
  it('reads months in common layouts', () => {
    expect(parseMonth('2022-04')).toEqual({ ok: true, month: '2022-04' })
    expect(parseMonth('04/2022')).toEqual({ ok: true, month: '2022-04' })
    expect(parseMonth('April 2022')).toEqual({ ok: true, month: '2022-04' })
    expect(parseMonth('Apr-2022')).toEqual({ ok: true, month: '2022-04' })
    expect(parseMonth('2022-04-01')).toEqual({ ok: true, month: '2022-04' })
    expect(parseMonth('01/04/2022', { format: 'DD/MM/YYYY' })).toEqual({ ok: true, month: '2022-04' })
  })
  it('refuses a mid-month date and an ambiguous one', () => {
    expect(parseMonth('2022-04-15')).toMatchObject({ ok: false, code: 'invalid-month' })
    expect(parseMonth('01/04/2022')).toMatchObject({ ok: false, code: 'ambiguous-date' })
    expect(parseMonth('13/2022')).toMatchObject({ ok: false, code: 'invalid-month' })
  })
})
