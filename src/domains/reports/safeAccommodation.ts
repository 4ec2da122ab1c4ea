/**
 * The needs assessment's safe accommodation section: demand against supply for a period, from the safe
 * accommodation records (migration 202611291400-safe-accommodation), read by the report service. Pure.
 *
 * - Demand: referrals to providers with a referral date in the period, by outcome and accommodation type;
 *   referrals declined in the period (decision date), by the provider's coded reason; unmet-need searches
 *   (vacancy searches in the period that found no suitable room), with the reasons units were ruled out
 *   and what the households had in common.
 * - Supply: bedspaces (rooms) by accommodation type; occupancy (room-nights with a household in ÷ room-nights);
 *   length of stay and move-on destinations of the stays that ended in the period.
 * Occupancy and length of stay use the accommodation domain's own rule (occupancyFigures), so the vacancy
 * board's figures and the needs assessment cannot disagree.
 */
import {
  type AccommodationType, accommodationTypeLabels, accommodationTypes, declineReasonLabels, declineReasons, type Household, moveOnDestinationLabels,
  moveOnDestinations, occupancyFigures, type StayRow, stayBands, unmetNeedSummary, type UnitForFigures,
} from '../accommodation/rules.ts'
import type { Breakdown } from './needs.ts'

export type SafeAccommodationGroups = {
  /** Referrals to providers with a referral date in the period, by the unit's type and the referral's status. */
  referrals: { type: string; status: string; n: number }[]
  /** Referrals declined in the period (decision date), by the unit's type and the coded reason. */
  declined: { type: string; reason: string; n: number }[]
  /** All vacancy searches in the period. */
  searches: number
  /** Searches in the period that found nothing suitable. */
  unmetSearches: { household: Household; reasonCodes: string[] }[]
  /** Units that were active or had a household in during the period, with their rooms. */
  units: (UnitForFigures & { type: string })[]
  /** Stays overlapping the period. */
  stays: StayRow[]
}

export type SafeAccommodationTypeRow = {
  type: string
  label: string
  /** Rooms (bedspaces) of the units of this type. Not people: never withheld. */
  bedspaces: number
  referrals: number | null
  declined: number | null
  /** Households in during any part of the period. */
  householdsSupported: number | null
  occupancyPercent: number | null
}

export type SafeAccommodationSection = {
  /** Demand against supply by accommodation type, then the total row (type "all"). */
  demandAndSupply: SafeAccommodationTypeRow[]
  /** Referrals received in the period by where they stand now. */
  referralOutcomes: Breakdown
  /** Referrals declined in the period, by the provider's coded reason. */
  declinedByReason: Breakdown
  unmetNeed: {
    searches: number | null
    /** All vacancy searches in the period, for scale. */
    allSearches: number | null
    /** In how many unmet searches some unit was ruled out for each reason (a search can have several). */
    reasons: Breakdown
    /** What the households of the unmet searches had in common. */
    characteristics: Breakdown
  }
  occupancy: { bedspaces: number; roomNights: number; occupiedNights: number; occupancyPercent: number | null; movedIn: number | null; movedOut: number | null; inAtEnd: number | null }
  lengthOfStay: { endedStays: number | null; medianDays: number | null; meanDays: number | null; longestDays: number | null; bands: Breakdown }
  moveOn: Breakdown
  /**
   * The parts shown with small numbers withheld (the publication version: all; otherwise as the safe accommodation
   * pages withhold them from the reader): "demand" (referrals, declines), "stays" (households, moves, length of stay,
   * move-on), "unmet" (unmet-need searches). Empty: exact figures.
   */
  withheld: ('demand' | 'stays' | 'unmet')[]
}

const share = (count: number, total: number) => (total > 0 ? Math.round((count / total) * 1000) / 10 : null)
const rows = (entries: [string, string, number][], total = entries.reduce((a, [, , n]) => a + n, 0)): Breakdown =>
  entries.map(([code, label, count]) => ({ code, label, count, percent: share(count, total) }))

const emptyHousehold: Household = {
  adultGender: 'woman', children: [], wheelchairUser: false, needsGroundFloor: false, pets: [], nrpf: false, districtFledFrom: null,
  safeInHomeDistrict: false, areasToAvoid: [], substanceUseSupport: false, mentalHealthSupport: false, language: null, languageEssential: false, communities: [],
}

const statusLabels: Record<string, string> = {
  pending: 'Waiting for a decision', accepted: 'Accepted (room held)', placed: 'Placed', declined: 'Declined', withdrawn: 'Withdrawn',
}

export function safeAccommodationSection(groups: SafeAccommodationGroups, period: { from: string; to: string }): SafeAccommodationSection {
  const sum = <T>(list: readonly T[], n: (t: T) => number) => list.reduce((a, t) => a + n(t), 0)
  const total = occupancyFigures(groups.units, groups.stays, period).total
  const typesSeen = new Set([...groups.units.map(u => u.type), ...groups.referrals.map(r => r.type), ...groups.declined.map(d => d.type)])
  const types = [...accommodationTypes.filter(t => typesSeen.has(t)), ...[...typesSeen].filter(t => !(accommodationTypes as readonly string[]).includes(t)).sort()]
  const unitType = new Map(groups.units.map(u => [u.id, u.type]))
  const typeRow = (type: string): SafeAccommodationTypeRow => {
    const units = groups.units.filter(u => u.type === type)
    const stays = groups.stays.filter(s => unitType.get(s.unitId) === type)
    const f = occupancyFigures(units, stays, period).total
    return {
      type, label: accommodationTypeLabels[type as AccommodationType] ?? type, bedspaces: f.spaces,
      referrals: sum(groups.referrals.filter(r => r.type === type), r => r.n),
      declined: sum(groups.declined.filter(r => r.type === type), r => r.n),
      householdsSupported: stays.length, occupancyPercent: f.occupancyPercent,
    }
  }
  const demandAndSupply = [...types.map(typeRow), {
    type: 'all', label: 'All safe accommodation', bedspaces: total.spaces, referrals: sum(groups.referrals, r => r.n), declined: sum(groups.declined, r => r.n),
    householdsSupported: groups.stays.length, occupancyPercent: total.occupancyPercent,
  }]
  const byStatus = (status: string) => sum(groups.referrals.filter(r => r.status === status), r => r.n)
  const byReason = (reason: string) => sum(groups.declined.filter(r => r.reason === reason), r => r.n)
  const otherReasons = [...new Set(groups.declined.map(d => d.reason))].filter(r => !(declineReasons as readonly string[]).includes(r)).sort()
  // A search keeps the household as it was asked; older or partial records get the defaults of an empty household.
  const unmet = unmetNeedSummary(groups.unmetSearches.map(s => ({ household: { ...emptyHousehold, ...(s.household ?? {}) } as Household, reasonCodes: s.reasonCodes ?? [] })))
  const destinations = Object.entries(total.destinations) as [string, number][]
  const knownDestinations = [...moveOnDestinations.filter(d => total.destinations[d] !== undefined), ...destinations.map(([d]) => d).filter(d => !(moveOnDestinations as readonly string[]).includes(d)).sort()]
  return {
    demandAndSupply,
    referralOutcomes: rows(['pending', 'accepted', 'placed', 'declined', 'withdrawn'].map(s => [s, statusLabels[s]!, byStatus(s)])),
    declinedByReason: rows([...declineReasons, ...otherReasons].map(r => [r, declineReasonLabels[r as keyof typeof declineReasonLabels] ?? r, byReason(r)])),
    unmetNeed: {
      searches: unmet.searches,
      allSearches: groups.searches,
      reasons: rows(unmet.reasons.map(r => [r.code, r.label, r.searches]), unmet.searches),
      characteristics: rows(unmet.characteristics.map(c => [c.code, c.label, c.searches]), unmet.searches),
    },
    occupancy: { bedspaces: total.spaces, roomNights: total.spaceNights, occupiedNights: total.occupiedNights, occupancyPercent: total.occupancyPercent, movedIn: total.movedIn, movedOut: total.movedOut, inAtEnd: total.inAtEnd },
    lengthOfStay: {
      endedStays: total.movedOut, medianDays: total.medianStayDays, meanDays: total.meanStayDays, longestDays: total.longestStayDays,
      bands: rows(stayBands.map(b => [b.code, b.label, total.stayBands[b.code]]), total.movedOut),
    },
    moveOn: rows(knownDestinations.map(d => [d, moveOnDestinationLabels[d as keyof typeof moveOnDestinationLabels] ?? d, total.destinations[d] ?? 0]), total.movedOut),
    withheld: [],
  }
}

// ---------------------------------------------------------------------------------------------------------
// The records behind the section, and its drill-down (ADR 0007, amendment "The needs assessment's safe accommodation
// figures")
// ---------------------------------------------------------------------------------------------------------

/**
 * One de-identified record the section counts (hearth_needs_accommodation_records on the owner connection,
 * hearth_report_drill_needs_accommodation for a drill; migration 202611300810): a unit, a room ("space"), a stay
 * (reason: its move-on destination), a referral received in the period, or a referral declined in the period (reason:
 * the coded decline reason). Dates as YYYY-MM-DD.
 */
export type SafeAccommodationRecord = {
  kind: 'unit' | 'space' | 'stay' | 'referral' | 'declined'; id: string; provider_agency_id: string | null; referring_agency_id: string | null
  accommodation_type: string | null; status: string | null; reason: string | null; started_on: string | null; ended_on: string | null
}

/**
 * The section's groups made from its records (searches apart: they are read as before). Occupancy and length of stay
 * depend only on each type's rooms and stays, so the rooms and stays are grouped under one unit per accommodation type.
 */
export function safeAccommodationGroupsOf(records: readonly SafeAccommodationRecord[], searches: Pick<SafeAccommodationGroups, 'searches' | 'unmetSearches'>): SafeAccommodationGroups {
  const tally = (rows: readonly SafeAccommodationRecord[], key: (r: SafeAccommodationRecord) => [string, string]) => {
    const out = new Map<string, { a: string; b: string; n: number }>()
    for (const r of rows) {
      const [a, b] = key(r)
      const k = `${a}\u0000${b}`
      out.set(k, { a, b, n: (out.get(k)?.n ?? 0) + 1 })
    }
    return [...out.values()]
  }
  const type = (r: SafeAccommodationRecord) => r.accommodation_type ?? 'not-recorded'
  const referrals = tally(records.filter(r => r.kind === 'referral'), r => [type(r), r.status ?? '']).map(x => ({ type: x.a, status: x.b, n: x.n }))
  const declined = tally(records.filter(r => r.kind === 'declined'), r => [type(r), r.reason ?? 'other']).map(x => ({ type: x.a, reason: x.b, n: x.n }))
  const placeTypes = [...new Set(records.filter(r => r.kind === 'unit' || r.kind === 'space' || r.kind === 'stay').map(type))]
  const units = placeTypes.map(t => ({ id: `type:${t}`, name: t, providerId: '', providerName: '', type: t, spaces: records.filter(r => r.kind === 'space' && type(r) === t).length }))
  const stays = records.filter(r => r.kind === 'stay').map(r => ({ unitId: `type:${type(r)}`, movedInOn: r.started_on!, movedOutOn: r.ended_on, moveOnDestination: r.reason }))
  return { referrals, declined, searches: searches.searches, unmetSearches: searches.unmetSearches, units, stays }
}

/**
 * Every count of the section that stands for records, by its drill-down key: "sa:demand:<type|all>:<bedspaces|
 * referrals|declined|households>", "sa:outcome:<status>", "sa:declined:<reason>", "sa:occupancy:<bedspaces|moved-in|
 * moved-out|in-at-end>", "sa:stay:ended", "sa:stay-band:<band>", "sa:move-on:<destination>". Withheld counts (null)
 * are left out. Each is a sum over records, so a record is behind a count when it counts towards it in the section made
 * from that record alone.
 */
export function safeAccommodationFigures(sa: SafeAccommodationSection): Map<string, number> {
  const out = new Map<string, number>()
  const put = (key: string, v: number | null | undefined) => { if (v !== null && v !== undefined) out.set(key, v) }
  for (const r of sa.demandAndSupply) {
    put(`sa:demand:${r.type}:bedspaces`, r.bedspaces)
    put(`sa:demand:${r.type}:referrals`, r.referrals)
    put(`sa:demand:${r.type}:declined`, r.declined)
    put(`sa:demand:${r.type}:households`, r.householdsSupported)
  }
  for (const r of sa.referralOutcomes) put(`sa:outcome:${r.code}`, r.count)
  for (const r of sa.declinedByReason) put(`sa:declined:${r.code}`, r.count)
  put('sa:occupancy:bedspaces', sa.occupancy.bedspaces)
  put('sa:occupancy:moved-in', sa.occupancy.movedIn)
  put('sa:occupancy:moved-out', sa.occupancy.movedOut)
  put('sa:occupancy:in-at-end', sa.occupancy.inAtEnd)
  put('sa:stay:ended', sa.lengthOfStay.endedStays)
  for (const r of sa.lengthOfStay.bands) put(`sa:stay-band:${r.code}`, r.count)
  for (const r of sa.moveOn) put(`sa:move-on:${r.code}`, r.count)
  return out
}

/**
 * The section's rates and averages, with the counts whose records they are computed over: occupancy (a type's, or in
 * total) over the rooms and the stays in the period; the median, mean and longest stay over the stays that ended.
 * Null for a figure that is not a rate or average.
 */
export function safeAccommodationRateBasis(figure: string): { basis: string[]; value: (sa: SafeAccommodationSection) => number | null; label: string } | null {
  let m: RegExpExecArray | null
  if ((m = /^sa:demand:([a-z0-9-]+):occupancy$/.exec(figure))) {
    const type = m[1]!
    return { basis: [`sa:demand:${type}:bedspaces`, `sa:demand:${type}:households`], value: sa => sa.demandAndSupply.find(r => r.type === type)?.occupancyPercent ?? null, label: 'occupancy (%)' }
  }
  if (figure === 'sa:occupancy:percent') return { basis: ['sa:demand:all:bedspaces', 'sa:demand:all:households'], value: sa => sa.occupancy.occupancyPercent, label: 'occupancy (%)' }
  if ((m = /^sa:stay:(median|mean|longest)$/.exec(figure))) {
    const which = m[1] as 'median' | 'mean' | 'longest'
    return { basis: ['sa:stay:ended'], value: sa => sa.lengthOfStay[`${which}Days`], label: `${which} length of stay (days)` }
  }
  return null
}

/**
 * The characteristics (unmetNeed.characteristics codes) one unmet-need search counts towards, by the section's own
 * rule (unmetNeedSummary over that search alone, with an empty household's defaults for older or partial records).
 */
export function unmetSearchCharacteristics(household: Partial<Household> | null, reasonCodes: readonly string[] | null): string[] {
  return unmetNeedSummary([{ household: { ...emptyHousehold, ...(household ?? {}) } as Household, reasonCodes: reasonCodes ?? [] }]).characteristics.map(c => c.code)
}
