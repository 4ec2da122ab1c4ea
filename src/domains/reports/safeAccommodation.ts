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
