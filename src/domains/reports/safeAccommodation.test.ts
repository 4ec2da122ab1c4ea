import { describe, expect, it } from 'vitest'
import { type SafeAccommodationGroups, safeAccommodationSection } from './safeAccommodation.ts'

const period = { from: '2023-04-01', to: '2023-04-10' } // 10 nights
const unit = (id: string, type: string, spaces: number) => ({ id, name: id, providerId: 'p', providerName: 'Provider', type, spaces })

describe('the safe accommodation section', () => {
  const groups: SafeAccommodationGroups = {
    referrals: [{ type: 'refuge', status: 'declined', n: 3 }, { type: 'refuge', status: 'placed', n: 1 }, { type: 'dispersed', status: 'pending', n: 2 }],
    declined: [{ type: 'refuge', reason: 'no-vacancy', n: 2 }, { type: 'refuge', reason: 'nrpf', n: 1 }],
    searches: 5,
    unmetSearches: [
      { household: { adultGender: 'man', children: [{ age: 14, sex: 'male' }] } as never, reasonCodes: ['gender', 'no-vacancy'] },
      { household: {} as never, reasonCodes: ['no-vacancy'] },
    ],
    units: [unit('r1', 'refuge', 2), unit('d1', 'dispersed', 1)],
    stays: [
      { unitId: 'r1', movedInOn: '2023-03-01', movedOutOn: '2023-04-04', moveOnDestination: 'social-housing' }, // 3 nights in the period, ended: 34 days
      { unitId: 'r1', movedInOn: '2023-04-05', movedOutOn: null, moveOnDestination: null }, // 6 nights
      { unitId: 'd1', movedInOn: '2023-04-01', movedOutOn: '2023-04-06', moveOnDestination: 'returned-to-abuser' }, // 5 nights, 5 days
    ],
  }
  const s = safeAccommodationSection(groups, period)
  const counts = (rows: { code: string; count: number | null }[]) => Object.fromEntries(rows.filter(r => r.count).map(r => [r.code, r.count]))

  it('puts demand beside supply by accommodation type, with a total', () => {
    expect(s.demandAndSupply).toEqual([
      { type: 'refuge', label: 'Refuge', bedspaces: 2, referrals: 4, declined: 3, householdsSupported: 2, occupancyPercent: 45 }, // 9 of 20 room-nights
      { type: 'dispersed', label: 'Dispersed accommodation', bedspaces: 1, referrals: 2, declined: 0, householdsSupported: 1, occupancyPercent: 50 },
      { type: 'all', label: 'All safe accommodation', bedspaces: 3, referrals: 6, declined: 3, householdsSupported: 3, occupancyPercent: 47 }, // 14 of 30
    ])
    expect(counts(s.referralOutcomes)).toEqual({ declined: 3, placed: 1, pending: 2 })
    expect(counts(s.declinedByReason)).toEqual({ 'no-vacancy': 2, nrpf: 1 })
  })

  it('counts unmet-need searches by reason and characteristic, reading partial households as empty ones', () => {
    expect(s.unmetNeed).toMatchObject({ searches: 2, allSearches: 5 })
    expect(counts(s.unmetNeed.reasons)).toEqual({ 'no-vacancy': 2, gender: 1 })
    expect(counts(s.unmetNeed.characteristics)).toMatchObject({ man: 1, children: 1, 'boy-13-plus': 1 })
  })

  it('gives occupancy, length of stay and move-on of the stays that ended', () => {
    expect(s.occupancy).toEqual({ bedspaces: 3, roomNights: 30, occupiedNights: 14, occupancyPercent: 47, movedIn: 2, movedOut: 2, inAtEnd: 1 })
    expect(s.lengthOfStay).toMatchObject({ endedStays: 2, medianDays: 19.5, meanDays: 20, longestDays: 34 })
    expect(counts(s.lengthOfStay.bands)).toEqual({ 'under-1-month': 1, '1-3-months': 1 })
    expect(counts(s.moveOn)).toEqual({ 'social-housing': 1, 'returned-to-abuser': 1 })
  })
})
