import { describe, expect, it } from 'vitest'
import { checkJobUpdate, checkReferral, formatPounds, parsePounds, sanctuarySummary } from './sanctuaryRules.ts'

const today = '2026-11-22'
const known = { districts: ['north'], providers: ['p1'] }
const referral = { referredOn: '2026-11-01', tenure: 'social-rented', districtCode: 'north', childrenInHousehold: '2', providerAgencyId: 'p1' }
const update = { status: 'fitted', surveyedOn: '2026-11-05', fittedOn: '2026-11-10', devices: ['door-locks'], cost: '245.50', childrenProtected: '2', closureReason: '' }

describe('sanctuary referrals', () => {
  it('accepts a complete referral; today is allowed, tomorrow is not', () => {
    expect(checkReferral(referral, known, today)).toEqual({ ok: true, value: { referredOn: '2026-11-01', tenure: 'social-rented', districtCode: 'north', childrenProtected: 2, providerAgencyId: 'p1' } })
    expect(checkReferral({ ...referral, referredOn: today }, known, today).ok).toBe(true)
    expect(checkReferral({ ...referral, referredOn: '2026-11-23' }, known, today)).toMatchObject({ ok: false, problems: [{ field: 'referredOn' }] })
  })

  it('names every problem', () => {
    const r = checkReferral({ referredOn: '2026-02-30', tenure: 'castle', districtCode: 'south', childrenInHousehold: '21', providerAgencyId: 'x' }, known, today)
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['referredOn', 'tenure', 'districtCode', 'childrenInHousehold', 'providerAgencyId'])
    expect(checkReferral({ ...referral, childrenInHousehold: '20' }, known, today).ok).toBe(true)
  })
})

describe('sanctuary job updates', () => {
  it('a fitted job needs its dates and devices', () => {
    expect(checkJobUpdate(update, '2026-11-01', today)).toMatchObject({ ok: true, value: { status: 'fitted', costPence: 24550, devices: ['door-locks'] } })
    const r = checkJobUpdate({ ...update, fittedOn: '', devices: [] }, '2026-11-01', today)
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['fittedOn', 'devices'])
  })

  it('dates: not before the referral, fitting not before the survey, not in the future', () => {
    const fields = (u: Partial<typeof update>) => { const r = checkJobUpdate({ ...update, ...u }, '2026-11-01', today); return r.ok ? [] : r.problems.map(p => p.field) }
    expect(fields({ surveyedOn: '2026-10-31' })).toEqual(['surveyedOn'])
    expect(fields({ surveyedOn: '2026-11-01' })).toEqual([])
    expect(fields({ fittedOn: '2026-11-04' })).toEqual(['fittedOn'])
    expect(fields({ fittedOn: '2026-11-23' })).toEqual(['fittedOn'])
  })

  it('a job not completed says why', () => {
    const r = checkJobUpdate({ ...update, status: 'not-completed', fittedOn: '', devices: [] }, '2026-11-01', today)
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['closureReason'])
    expect(checkJobUpdate({ ...update, status: 'cancelled', fittedOn: '', devices: [], closureReason: 'No access' }, '2026-11-01', today).ok).toBe(true)
  })

  it('reads and writes pounds', () => {
    expect(parsePounds('£1,234.5')).toBe(123450)
    expect(parsePounds('')).toBeNull()
    expect(parsePounds('12.345')).toBe('invalid')
    expect(formatPounds(123450)).toBe('£1,234.50')
  })
})

describe('sanctuary summary', () => {
  it('counts homes secured, children protected, spend and the four outcomes', () => {
    const followUp = { safety: 'improved', empowerment: 'improved', healthWellbeing: 'no-change', recoverCope: 'worse' } as const
    const s = sanctuarySummary([
      { status: 'fitted', fittedOn: '2026-11-10', costPence: 20000, childrenProtected: 2, followUp },
      { status: 'fitted', fittedOn: '2026-11-11', costPence: null, childrenProtected: 1, followUp: null },
      { status: 'cancelled', fittedOn: null, costPence: null, childrenProtected: 3, followUp: null },
    ])
    expect(s).toMatchObject({ referred: 3, homesSecured: 2, childrenProtected: 3, spendPence: 20000, averageCostPence: 20000, followUps: 1 })
    expect(s.byStatus).toMatchObject({ fitted: 2, cancelled: 1, referred: 0 })
    expect(s.outcomes.map(o => [o.code, o.counts])).toEqual([
      ['safety', { improved: 1, 'no-change': 0, worse: 0 }],
      ['empowerment', { improved: 1, 'no-change': 0, worse: 0 }],
      ['healthWellbeing', { improved: 0, 'no-change': 1, worse: 0 }],
      ['recoverCope', { improved: 0, 'no-change': 0, worse: 1 }],
    ])
  })
})
