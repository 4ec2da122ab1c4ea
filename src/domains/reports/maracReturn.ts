/**
 * The SafeLives Marac quarterly dataset (statutory-returns.md §2.2), per meeting date, from the MARAC
 * records: cases recorded in the app (marac_case, not withdrawn) and imported episodes with service = marac
 * (referral_date = the date the case was heard).
 *
 * Field definitions are versioned configuration (MARAC_RETURN_DEFINITIONS) so that the inferred ones are
 * easy to change. Repeats follow the SafeLives definition: same victim and perpetrator within the profile's
 * MARAC window (maracMonths) of the last referral — computed from history, as for IDVA repeats; the app's
 * own `is_repeat` flag on a case is used for app cases, as the coordinator confirmed it at listing.
 */
export const MARAC_RETURN_CONTRACT = 'hearth.report.marac-return/1'

export const MARAC_RETURN_DEFINITIONS = {
  version: '2026.1',
  fields: {
    'M-1': { label: 'Marac meeting date', status: 'verified' },
    'M-2': { label: 'Number of cases discussed', status: 'verified', rule: 'cases heard on the date, not withdrawn' },
    'M-3': { label: 'Number of repeat cases', status: 'verified', rule: 'same victim and perpetrator, within maracMonths of the last referral (SafeLives: 12)' },
    'M-4': { label: 'Number of children in the households', status: 'verified', rule: 'children_in_household (app) or children_count (imported)' },
    'M-5': { label: 'Cases referred by police / by partner agencies', status: 'verified for police vs partner; the full agency list is inferred', rule: 'app: referring agency kind; imported: referral_source' },
    'M-6': { label: 'Victim Black, Asian or racially minoritised', status: 'verified', rule: 'ethnicity recorded and not in the White group (white-british, white-irish, white-other); Gypsy, Irish Traveller and Roma counted as minoritised (inferred)' },
    'M-7': { label: 'Victim LGBT+', status: 'verified', rule: 'gay-lesbian or bisexual, or trans, or non-binary' },
    'M-8': { label: 'Victim has a disability', status: 'verified', rule: 'any disability other than none / not known / declined' },
    'M-9': { label: 'Victim male', status: 'verified', rule: 'sex male' },
    'M-10': { label: 'Victim aged 16-17', status: 'verified', rule: 'age on the meeting date' },
    'M-11': { label: 'Perpetrators aged 17 or below', status: 'verified', rule: 'not recorded in Hearth yet: always null' },
  },
  /**
   * Ethnicity codes not counted as Black, Asian or racially minoritised. Inferred: change here, and for the app's MARAC
   * cases in a new migration that makes hearth_marac_case_records again (migration 202611300800 fixes this list; a test
   * checks that the two agree).
   */
  notMinoritised: ['white-british', 'white-irish', 'white-other'],
} as const

export type MaracMeetingRow = {
  meetingDate: string
  cases: number
  repeats: number
  children: number
  referredByPolice: number
  referredByPartners: number
  minoritised: number
  lgbt: number
  disability: number
  male: number
  aged16to17: number
  perpetratorsAged17OrBelow: null
}

export type MaracReturn = {
  contract: typeof MARAC_RETURN_CONTRACT
  definitions: typeof MARAC_RETURN_DEFINITIONS
  partnership: { code: string; name: string }
  period: { code: string; from: string; to: string; label: string }
  repeatWindowMonths: number
  meetings: MaracMeetingRow[]
  totals: Omit<MaracMeetingRow, 'meetingDate'> & { meetings: number; repeatPercent: number | null; partnerPercent: number | null }
}

export function totalsOf(meetings: readonly MaracMeetingRow[]): MaracReturn['totals'] {
  const s = (f: keyof Omit<MaracMeetingRow, 'meetingDate' | 'perpetratorsAged17OrBelow'>) => meetings.reduce((a, m) => a + m[f], 0)
  const cases = s('cases')
  const pct = (n: number) => (cases > 0 ? Math.floor((200 * n + cases) / (2 * cases)) : null)
  return {
    meetings: meetings.length, cases, repeats: s('repeats'), children: s('children'), referredByPolice: s('referredByPolice'), referredByPartners: s('referredByPartners'),
    minoritised: s('minoritised'), lgbt: s('lgbt'), disability: s('disability'), male: s('male'), aged16to17: s('aged16to17'), perpetratorsAged17OrBelow: null,
    repeatPercent: pct(s('repeats')), partnerPercent: pct(s('referredByPartners')),
  }
}

export function maracReturnCsv(r: MaracReturn, csvRow: (values: readonly unknown[]) => string): string {
  const head = ['meeting_date', 'cases', 'repeats', 'children', 'referred_by_police', 'referred_by_partners', 'victim_minoritised', 'victim_lgbt', 'victim_disability', 'victim_male', 'victim_aged_16_17', 'perpetrators_aged_17_or_below']
  return csvRow(head) + r.meetings.map(m => csvRow([m.meetingDate, m.cases, m.repeats, m.children, m.referredByPolice, m.referredByPartners, m.minoritised, m.lgbt, m.disability, m.male, m.aged16to17, ''])).join('')
}
