import { describe, expect, it } from 'vitest'
import { isActionOverdue, isoWeekday, nextMeetingDate, upcomingMeetingDates } from './rules.ts'

// Cambridgeshire & Peterborough: three meetings a week, Monday, Wednesday and Friday (profile marac.meetingWeekdays).
const mwf = [1, 3, 5]

describe('MARAC meeting cadence', () => {
  it('knows the weekday of a date', () => {
    expect(isoWeekday('2026-11-23')).toBe(1)
    expect(isoWeekday('2026-11-22')).toBe(7)
  })

  it('lists the case at the next meeting strictly after the day it is listed', () => {
    expect(nextMeetingDate('2026-11-22', mwf)).toBe('2026-11-23') // Sunday -> Monday
    expect(nextMeetingDate('2026-11-23', mwf)).toBe('2026-11-25') // Monday -> Wednesday, not the same day
    expect(nextMeetingDate('2026-11-27', mwf)).toBe('2026-11-30') // Friday -> Monday
  })

  it('gives upcoming meeting dates across weeks and month ends', () => {
    expect(upcomingMeetingDates('2026-11-26', mwf, 4)).toEqual(['2026-11-27', '2026-11-30', '2026-12-02', '2026-12-04'])
    expect(upcomingMeetingDates('2026-11-26', [4], 2)).toEqual(['2026-12-03', '2026-12-10'])
    expect(upcomingMeetingDates('2026-11-26', mwf, 0)).toEqual([])
  })

  it('refuses a cadence with no meeting days', () => {
    expect(() => nextMeetingDate('2026-11-26', [])).toThrow(RangeError)
    expect(() => nextMeetingDate('2026-11-26', [8])).toThrow(RangeError)
  })
})

describe('isActionOverdue', () => {
  it('is overdue the day after it was due, not on the day', () => {
    expect(isActionOverdue({ status: 'open', dueOn: '2026-11-22' }, '2026-11-22')).toBe(false)
    expect(isActionOverdue({ status: 'open', dueOn: '2026-11-22' }, '2026-11-23')).toBe(true)
  })
  it('is never overdue once done or cancelled', () => {
    expect(isActionOverdue({ status: 'done', dueOn: '2020-01-01' }, '2026-11-23')).toBe(false)
    expect(isActionOverdue({ status: 'cancelled', dueOn: '2020-01-01' }, '2026-11-23')).toBe(false)
  })
})
