/**
 * Small-number suppression for the safe accommodation figures shown to those who do not work the cases or
 * the rooms (commissioners, analysts without drill-down, managers reading reports): the vacancy board's
 * counts, occupancy and length of stay, and unmet need. The threshold is the partnership profile's
 * `suppression.threshold`, and the method is the reports domain's `suppressLines` (primary: a count from 1
 * to threshold - 1; secondary: whatever would let it be worked out by subtraction). A hidden count is null
 * and named in `suppressed`. Pure: no I/O.
 */
import { suppressLines } from '../reports/rules.ts'
import { type Figures, stayBands } from './rules.ts'

type Hideable = 'inAtEnd' | 'movedIn' | 'movedOut'
export type SuppressedFigures = Omit<Figures, Hideable | 'occupiedNights' | 'medianStayDays' | 'meanStayDays' | 'longestStayDays' | 'stayBands' | 'destinations'> & {
  inAtEnd: number | null
  movedIn: number | null
  movedOut: number | null
  /** Withheld with the stays: a few households' nights would show their stays. The percentage is kept. */
  occupiedNights: number | null
  medianStayDays: number | null
  meanStayDays: number | null
  longestStayDays: number | null
  stayBands: Record<string, number | null>
  destinations: Partial<Record<string, number | null>>
  suppressed: string[]
}

type OccupancyInput = {
  period: { from: string; to: string }
  units: { unit: { id: string; name: string; providerId: string; providerName: string; spaces: number }; figures: Figures }[]
  providers: { providerId: string; providerName: string; figures: Figures }[]
  total: Figures
}

/**
 * Occupancy figures with small numbers withheld: households in at the end, moved in and moved out, by unit,
 * provider and in total (units add up to their provider, providers to the total); the lengths of stay of a
 * unit or provider whose moves out are withheld; and the total's stay bands and destinations (each adds up
 * to the total moved out).
 */
export function suppressOccupancy(input: OccupancyInput, threshold: number) {
  const cells = [...input.units.map(u => u.figures), ...input.providers.map(p => p.figures), input.total]
  const unitCount = input.units.length
  const providerIndex = (providerId: string) => unitCount + input.providers.findIndex(p => p.providerId === providerId)
  const totalIndex = cells.length - 1
  const lines: number[][] = [
    ...input.providers.map(p => [...input.units.flatMap((u, i) => (u.unit.providerId === p.providerId ? [i] : [])), providerIndex(p.providerId)]),
    [...input.providers.map(p => providerIndex(p.providerId)), totalIndex],
  ]
  const protect = new Set(cells.map((_, i) => i).filter(i => i >= unitCount))
  const hidden: Record<Hideable, boolean[]> = {
    inAtEnd: suppressLines(cells.map(f => f.inAtEnd), lines, threshold, { protect }).hidden,
    movedIn: suppressLines(cells.map(f => f.movedIn), lines, threshold, { protect }).hidden,
    movedOut: suppressLines(cells.map(f => f.movedOut), lines, threshold, { protect }).hidden,
  }
  const shape = (f: Figures, i: number, withBreakdown: boolean): SuppressedFigures => {
    const suppressed = (['inAtEnd', 'movedIn', 'movedOut'] as const).filter(k => hidden[k][i])
    // Lengths of stay and room-nights describe the households themselves: withheld when they are few (not
    // merely because a count was withheld to protect another).
    const few = (n: number) => n > 0 && n < threshold
    const staysHidden = few(f.movedOut)
    const nightsHidden = few(f.inAtEnd) || few(f.movedIn) || few(f.movedOut)
    let stayBandValues: Record<string, number | null> = {}
    let destinationValues: Partial<Record<string, number | null>> = {}
    if (withBreakdown) {
      const bands = stayBands.map(b => f.stayBands[b.code])
      const bandHidden = suppressLines([...bands, f.movedOut], [[...bands.keys(), bands.length]], threshold, {
        preHidden: staysHidden ? new Set([bands.length]) : new Set(), protect: new Set([bands.length]),
      }).hidden
      stayBandValues = Object.fromEntries(stayBands.map((b, k) => [b.code, bandHidden[k] ? null : f.stayBands[b.code]]))
      const codes = Object.keys(f.destinations)
      const values = codes.map(c => f.destinations[c] ?? 0)
      const destHidden = suppressLines([...values, f.movedOut], [[...values.keys(), values.length]], threshold, {
        preHidden: staysHidden ? new Set([values.length]) : new Set(), protect: new Set([values.length]),
      }).hidden
      destinationValues = Object.fromEntries(codes.map((c, k) => [c, destHidden[k] ? null : f.destinations[c]!]))
      if (bandHidden.some(Boolean)) suppressed.push('stayBands' as never)
      if (destHidden.some(Boolean)) suppressed.push('destinations' as never)
    }
    return {
      ...f,
      inAtEnd: hidden.inAtEnd[i] ? null : f.inAtEnd,
      movedIn: hidden.movedIn[i] ? null : f.movedIn,
      movedOut: hidden.movedOut[i] ? null : f.movedOut,
      occupiedNights: nightsHidden ? null : f.occupiedNights,
      medianStayDays: staysHidden ? null : f.medianStayDays,
      meanStayDays: staysHidden ? null : f.meanStayDays,
      longestStayDays: staysHidden ? null : f.longestStayDays,
      stayBands: stayBandValues,
      destinations: destinationValues,
      suppressed: [...suppressed, ...(staysHidden ? ['stays'] : [])],
    }
  }
  return {
    period: input.period,
    units: input.units.map((u, i) => ({ unit: u.unit, figures: shape(u.figures, i, false) })),
    providers: input.providers.map((p, k) => ({ ...p, figures: shape(p.figures, unitCount + k, false) })),
    total: shape(input.total, totalIndex, true),
    suppressionThreshold: threshold,
  }
}

/** Unmet need with small numbers withheld: the searches in total and those that found nothing, each reason and each characteristic. */
export function suppressUnmetNeed(input: {
  searches: number
  summary: { searches: number; reasons: { code: string; label: string; searches: number }[]; characteristics: { code: string; label: string; searches: number }[] }
}, threshold: number) {
  const small = (n: number) => n > 0 && n < threshold
  const hide = (n: number) => (small(n) ? null : n)
  // The searches that found something = all − unmet: if either is small, the other is hidden too.
  const found = input.searches - input.summary.searches
  const hideBoth = small(input.summary.searches) || small(found)
  return {
    searches: hideBoth ? null : input.searches,
    summary: {
      searches: hideBoth ? null : input.summary.searches,
      reasons: input.summary.reasons.map(r => ({ ...r, searches: hide(r.searches) })),
      characteristics: input.summary.characteristics.map(c => ({ ...c, searches: hide(c.searches) })),
    },
    suppressionThreshold: threshold,
  }
}

type BoardRow = { id: string; rooms: number; free: number; occupied: number; held: number; outOfUse: number; accessibleFree: number }

/**
 * The vacancy board's counts with small numbers withheld: in each unit, rooms = free + occupied + held + out of
 * use (the number of rooms is inventory, never hidden); the same down the columns to the totals.
 */
export function suppressBoard<R extends BoardRow>(rows: readonly R[], totals: { units: number; rooms: number; free: number; occupied: number; held: number; outOfUse: number }, threshold: number) {
  const parts = ['free', 'occupied', 'held', 'outOfUse'] as const
  // The rooms are inventory, published as they are: each unit's counts add up to a known number, so a unit's
  // line is its four counts (no total cell to hide), and each column adds up to the column's total.
  const width = parts.length
  const values = [...rows, totals].flatMap(r => parts.map(p => r[p]))
  const at = (row: number, col: number) => row * width + col
  const lines: number[][] = [
    ...[...rows, totals].map((_, r) => parts.map((_, c) => at(r, c))),
    ...parts.map((_, c) => [...rows.map((_, r) => at(r, c)), at(rows.length, c)]),
  ]
  const protect = new Set(values.map((_, i) => i).filter(i => i >= rows.length * width))
  const { hidden } = suppressLines(values, lines, threshold, { protect })
  const shape = <T extends BoardRow | typeof totals>(r: T, k: number) => {
    const out = { ...r, suppressed: parts.filter((_, c) => hidden[at(k, c)]) as string[] } as Omit<T, (typeof parts)[number]> & Record<(typeof parts)[number], number | null> & { suppressed: string[] }
    for (const [c, p] of parts.entries()) if (hidden[at(k, c)]) out[p] = null
    return out
  }
  return {
    rows: rows.map((r, k) => ({ ...shape(r, k), accessibleFree: hidden[at(k, 0)] ? null : r.accessibleFree })),
    totals: shape(totals, rows.length),
    suppressionThreshold: threshold,
  }
}
