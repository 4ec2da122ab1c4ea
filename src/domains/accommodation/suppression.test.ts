import { describe, expect, it } from 'vitest'
import { occupancyFigures } from './rules.ts'
import { suppressBoard, suppressOccupancy, suppressUnmetNeed } from './suppression.ts'

const period = { from: '2026-01-01', to: '2026-12-31' }
const stay = (unitId: string, movedInOn: string, movedOutOn: string | null, moveOnDestination: string | null = null) => ({ unitId, movedInOn, movedOutOn, moveOnDestination })

describe('small-number suppression of the safe accommodation figures', () => {
  it('withholds a count from 1 to threshold − 1, shows 0 and the threshold itself', () => {
    const u = suppressUnmetNeed({ searches: 20, summary: { searches: 10, reasons: [
      { code: 'no-vacancy', label: 'No vacancy', searches: 4 }, { code: 'pets', label: 'Pets', searches: 5 }, { code: 'nrpf', label: 'NRPF', searches: 0 },
    ], characteristics: [{ code: 'wheelchair', label: 'Wheelchair', searches: 1 }] } }, 5)
    expect(u.summary.reasons.map(r => r.searches)).toEqual([null, 5, 0])
    expect(u.summary.characteristics[0]!.searches).toBeNull()
    expect([u.searches, u.summary.searches]).toEqual([20, 10])
    // 4 searches found something: the total would give it away, so both go.
    const v = suppressUnmetNeed({ searches: 14, summary: { searches: 10, reasons: [], characteristics: [] } }, 5)
    expect([v.searches, v.summary.searches]).toEqual([null, null])
  })

  it('occupancy: a unit with a few households is withheld, and so is another so the provider total cannot give it away', () => {
    const units = [
      { id: 'a', name: 'Refuge A', providerId: 'p', providerName: 'P', spaces: 8 },
      { id: 'b', name: 'Flat B', providerId: 'p', providerName: 'P', spaces: 1 },
      { id: 'c', name: 'Refuge C', providerId: 'q', providerName: 'Q', spaces: 8 },
    ]
    const stays = [
      ...Array.from({ length: 6 }, (_, i) => stay('a', `2026-0${i + 1}-01`, null)),
      stay('b', '2026-03-01', '2026-05-01', 'social-housing'),
      ...Array.from({ length: 7 }, (_, i) => stay('c', `2026-0${i + 1}-02`, `2026-0${i + 2}-20`, i < 5 ? 'private-rented' : 'social-housing')),
    ]
    const figures = occupancyFigures(units, stays, period)
    const s = suppressOccupancy(figures, 5)
    const byId = (id: string) => s.units.find(u => u.unit.id === id)!.figures
    // Flat B: one household moved in and out: withheld, with its length of stay.
    expect([byId('b').movedIn, byId('b').movedOut, byId('b').longestStayDays, byId('b').occupiedNights]).toEqual([null, null, null, null])
    expect(byId('b').occupancyPercent).toBe(figures.units[1]!.figures.occupancyPercent)
    // Refuge A had 6 in, 0 out: the 6 would give away B's 1 from P's 7, so it goes too (secondary).
    expect(byId('a').movedIn).toBeNull()
    expect(byId('a').movedOut).toBe(0)
    // P's 1 moved out is withheld, so Q's (and so Refuge C's) 7 go too, or the total of 8 would give it away;
    // C's lengths of stay, of 7 households, are still shown.
    expect(byId('c')).toMatchObject({ movedIn: 7, movedOut: null, medianStayDays: figures.units[2]!.figures.medianStayDays })
    expect(s.providers.find(p => p.providerId === 'p')!.figures.movedOut).toBeNull()
    // Total destinations: 5 private rented shown; 2 + 1 social housing = 3 withheld, and then another so it cannot be worked out.
    expect(s.total.destinations['social-housing']).toBeNull()
    expect(Object.values(s.total.destinations).filter(v => v === null).length).toBeGreaterThanOrEqual(2)
    expect(s.total.movedOut).toBe(8)
  })

  it('at the threshold nothing is withheld', () => {
    const figures = occupancyFigures([{ id: 'a', name: 'A', providerId: 'p', providerName: 'P', spaces: 6 }],
      Array.from({ length: 5 }, (_, i) => stay('a', `2026-0${i + 1}-01`, `2026-0${i + 1}-11`, 'social-housing')), period)
    const s = suppressOccupancy(figures, 5)
    expect(s.units[0]!.figures).toMatchObject({ movedIn: 5, movedOut: 5, medianStayDays: 10, suppressed: [] })
    expect(s.total.destinations['social-housing']).toBe(5)
    expect(s.total.stayBands['under-1-month']).toBe(5)
  })

  it('the vacancy board: occupied rooms under the threshold are withheld, with another count in the same unit and column', () => {
    const rows = [
      { id: 'a', rooms: 10, free: 3, occupied: 6, held: 1, outOfUse: 0, accessibleFree: 1 },
      { id: 'b', rooms: 1, free: 0, occupied: 1, held: 0, outOfUse: 0, accessibleFree: 0 },
      { id: 'c', rooms: 9, free: 0, occupied: 9, held: 0, outOfUse: 0, accessibleFree: 0 },
    ]
    const totals = { units: 3, rooms: 20, free: 3, occupied: 16, held: 1, outOfUse: 0 }
    const s = suppressBoard(rows, totals, 5)
    expect(s.rows[1]!.occupied).toBeNull()
    expect(s.rows[0]!.held).toBeNull()
    expect(s.rows[0]!.free).toBeNull() // 3 free is small too
    expect(s.rows[1]!.suppressed.length).toBeGreaterThan(1)
    expect(s.rows.map(r => r.rooms)).toEqual([10, 1, 9])
    expect(s.totals.rooms).toBe(20)
    // No unit line and no column line is left with exactly one hidden count.
    for (const r of s.rows) expect(r.suppressed.length).not.toBe(1)
    expect(s.rows[2]!.occupied).toBe(9)
  })
})
