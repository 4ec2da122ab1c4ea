/**
 * The Part 4 return (Support in Domestic Abuse Safe Accommodation), for a financial year, computed from the
 * safe accommodation records (statutory-returns.md §1.2). Only part of the return is computed yet; the
 * rest is listed in `notComputed`. Field definitions are versioned configuration: the statuses mark
 * what the source verified (V) and what is inferred (I), so the inferred rules are easy to change here.
 */
export const PART4_CONTRACT = 'hearth.report.part4/1'

export const PART4_DEFINITIONS = {
  version: '2026.1',
  fields: {
    'P4-B1': { label: 'Bedspaces by accommodation type', status: 'V (split P)', rule: 'rooms of active units at the end of the year, by unit type; sanctuary units are not bedspaces here' },
    'P4-B2': { label: 'Of which specialist / by-and-for provision', status: 'I', rule: "rooms of units whose 'by and for' list is not empty, by characteristic" },
    'P4-C1': { label: 'Individuals supported', status: 'V', rule: 'members of placements in the unit during any part of the year (adults and children)' },
    'P4-C2': { label: 'Individuals supported by group', status: 'V', rule: "adults by recorded gender (woman, man; non-binary shown apart); children. Trans adults: Hearth's household record has no trans field, so null" },
    'P4-C3': { label: 'Households supported', status: 'P', rule: 'placements in the unit during any part of the year' },
    'P4-C4': { label: 'Households and individuals by accommodation type', status: 'I', rule: 'as C1 and C3, by unit type' },
    'P4-E1': { label: 'Households unable to be supported', status: 'V', rule: 'referrals declined in the year (decision date), one per referral' },
    'P4-E2': { label: 'Reason unable to be supported', status: 'P', rule: 'the decline reason recorded by the provider' },
    'P4-F1': { label: 'Households that stopped receiving support', status: 'V', rule: 'placements that ended (moved out) in the year' },
    'P4-F2': { label: 'Reason support ended', status: 'P', rule: 'the move-on destination recorded at move-out' },
  },
} as const

export type Part4Return = {
  contract: typeof PART4_CONTRACT
  definitions: typeof PART4_DEFINITIONS
  partnership: { code: string; name: string }
  period: { code: string; from: string; to: string; label: string }
  bedspaces: { byType: Record<string, number>; byAndFor: Record<string, number> }
  supported: {
    households: number
    individuals: number
    women: number
    men: number
    nonBinaryAdults: number
    adultsGenderNotRecorded: number
    transAdults: null
    children: number
    byType: Record<string, { households: number; individuals: number }>
  }
  unableToSupport: { households: number; byReason: Record<string, number> }
  stoppedSupport: { households: number; byReason: Record<string, number> }
  notComputed: string[]
}
