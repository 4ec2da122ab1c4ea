import { describe, expect, it } from 'vitest'
import { checkFundingDecision, checkFundingRequest, checkReciprocal, checkReciprocalUpdate, reciprocalSummary, spendAgainstBudget } from './whaRules.ts'

const today = '2026-11-22'

describe('flexible funding', () => {
  const request = { fundCode: 'flex', category: 'furniture-white-goods', whatFor: 'A fridge and two beds for the new flat', amount: '£385.50', requestedOn: today }

  it('asks only what, how much and from which fund: no evidence, no means test', () => {
    expect(checkFundingRequest(request, ['flex'], today)).toEqual({
      ok: true, value: { fundCode: 'flex', category: 'furniture-white-goods', whatFor: 'A fridge and two beds for the new flat', amountPence: 38550, requestedOn: today },
    })
    const r = checkFundingRequest({ fundCode: 'x', category: 'x', whatFor: ' ', amount: '0', requestedOn: '2026-11-23' }, ['flex'], today)
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['fundCode', 'category', 'whatFor', 'amount', 'requestedOn'])
    expect(checkFundingRequest({ ...request, amount: '0.01' }, ['flex'], today).ok).toBe(true)
  })

  it('moves through approved to paid, with a date paid; never backwards', () => {
    expect(checkFundingDecision('requested', 'approved', '', '2026-11-01', today)).toEqual([])
    expect(checkFundingDecision('requested', 'paid', '2026-11-02', '2026-11-01', today)).toMatchObject([{ field: 'status' }])
    expect(checkFundingDecision('approved', 'paid', '', '2026-11-01', today)).toMatchObject([{ field: 'paidOn' }])
    expect(checkFundingDecision('approved', 'paid', '2026-10-31', '2026-11-01', today)).toMatchObject([{ field: 'paidOn' }])
    expect(checkFundingDecision('approved', 'paid', '2026-11-01', '2026-11-01', today)).toEqual([])
    expect(checkFundingDecision('paid', 'approved', '', '2026-11-01', today)).toMatchObject([{ field: 'status' }])
  })

  it('spend against budget: paid by date paid, committed by date requested, both ends of the period inclusive', () => {
    const budgets = [{ fundCode: 'flex', fundName: 'Flexible fund', periodStart: '2026-04-01', periodEnd: '2027-03-31', budgetPence: 100_000 }]
    const rows = spendAgainstBudget(budgets, [
      { fundCode: 'flex', status: 'paid', amountPence: 20_000, requestedOn: '2026-03-30', paidOn: '2026-04-01' },
      { fundCode: 'flex', status: 'paid', amountPence: 5_000, requestedOn: '2026-03-01', paidOn: '2026-03-31' },
      { fundCode: 'flex', status: 'approved', amountPence: 10_000, requestedOn: '2027-03-31', paidOn: null },
      { fundCode: 'flex', status: 'declined', amountPence: 99_000, requestedOn: '2026-05-01', paidOn: null },
      { fundCode: 'other', status: 'paid', amountPence: 7_000, requestedOn: '2026-05-01', paidOn: '2026-05-02' },
    ])
    expect(rows[0]).toMatchObject({ paidPence: 20_000, committedPence: 10_000, remainingPence: 70_000, percentSpent: 30, requests: 2 })
  })
})

describe('managed reciprocals', () => {
  it('checks a request and its progress', () => {
    expect(checkReciprocal({ landlordFrom: 'Cross Keys Homes', areas: 'Fenland, Huntingdonshire', bedroomsNeeded: '2', requestedOn: today }, today))
      .toEqual({ ok: true, value: { landlordFrom: 'Cross Keys Homes', areas: ['Fenland', 'Huntingdonshire'], bedroomsNeeded: 2, requestedOn: today } })
    const r = checkReciprocal({ landlordFrom: '', areas: ' , ', bedroomsNeeded: '7', requestedOn: '2026-11-23' }, today)
    expect(r.ok ? [] : r.problems.map(p => p.field)).toEqual(['landlordFrom', 'areas', 'bedroomsNeeded', 'requestedOn'])
    const moved = checkReciprocalUpdate({ status: 'moved', landlordTo: '', offers: '1', movedOn: '2026-01-01' }, '2026-02-01', today)
    expect(moved.ok ? [] : moved.problems.map(p => p.field)).toEqual(['movedOn', 'landlordTo'])
    expect(checkReciprocalUpdate({ status: 'moved', landlordTo: 'CHS Group', offers: '1', movedOn: '2026-02-01' }, '2026-02-01', today).ok).toBe(true)
  })

  it('counts requests, moves and waiting times (the sources: 14 requests, 2 moves)', () => {
    const rows = [
      { status: 'moved' as const, requestedOn: '2026-01-01', movedOn: '2026-03-02', offers: 1 },
      { status: 'moved' as const, requestedOn: '2026-02-01', movedOn: '2026-06-01', offers: 2 },
      ...Array.from({ length: 6 }, () => ({ status: 'rehoused-other-means' as const, requestedOn: '2026-01-01', movedOn: null, offers: 0 })),
      ...Array.from({ length: 6 }, (_, i) => ({ status: 'circulated' as const, requestedOn: `2026-0${i + 1}-01`, movedOn: null, offers: 0 })),
    ]
    const s = reciprocalSummary(rows, '2026-11-22')
    expect(s).toMatchObject({ requests: 14, moved: 2, rehousedOtherMeans: 6, stillWaiting: 6, medianDaysToMove: 90, offers: 3 })
    expect(s.medianDaysWaitingSoFar).toBe(authorMedian())
    function authorMedian() {
      const d = [1, 2, 3, 4, 5, 6].map(m => (Date.parse('2026-11-22') - Date.parse(`2026-0${m}-01`)) / 86_400_000).sort((a, b) => a - b)
      return Math.round((d[2]! + d[3]!) / 2)
    }
  })
})
