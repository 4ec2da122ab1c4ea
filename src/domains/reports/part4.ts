/**
 * The Part 4 return (Support in Domestic Abuse Safe Accommodation), for a financial year, computed from the
 * safe accommodation records (../shared/domain/statutory-returns.md §1.2). EVERY field of the return is in
 * `fields`, in the return's order: a field Hearth computes has its `value`; a field it cannot compute has
 * `value: null` and `notComputed: { reason }`, never a silent blank or zero.
 *
 * The field definitions are versioned configuration (PART4_DEFINITIONS): each field's source status is kept
 * (V verified, P partly verified, I inferred, U unknown), so the inferred rules and category mappings are
 * easy to change here when the year's MHCLG template is read. Pure (the service gathers the rows).
 */
export const PART4_CONTRACT = 'hearth.report.part4/1'

export const PART4_DEFINITIONS = {
  version: '2026.2',
  fields: {
    'P4-A1': { section: 'A', label: 'Domestic abuse local partnership board appointed', status: 'I', rule: 'Governance: not recorded in Hearth' },
    'P4-A2': { section: 'A', label: 'Board membership by sector', status: 'I', rule: 'Governance: not recorded in Hearth' },
    'P4-A3': { section: 'A', label: 'Needs assessment completed', status: 'I', rule: 'Governance: Hearth produces the needs assessment but does not record when the board completed or refreshed it' },
    'P4-A4': { section: 'A', label: 'Strategy published', status: 'I', rule: 'Governance: not recorded in Hearth' },
    'P4-A5': { section: 'A', label: 'Strategy reviewed for its effect on other local authority support', status: 'I', rule: 'Governance: not recorded in Hearth' },
    'P4-A6': { section: 'A', label: 'Tier 2 co-operation', status: 'I', rule: 'Governance: not recorded in Hearth' },
    'P4-B1': { section: 'B', label: 'Bedspaces / units by accommodation type', status: 'P', rule: 'rooms of active units at the end of the year, by unit type and by return category; sanctuary scheme units: homes with sanctuary measures fitted in the year (sanctuary jobs fitted)' },
    'P4-B2': { section: 'B', label: 'Of which specialist / by-and-for provision', status: 'I', rule: "rooms of active units whose 'by and for' list is not empty, by characteristic (a room counts once per characteristic)" },
    'P4-C1': { section: 'C', label: 'Individuals supported', status: 'V', rule: 'members (adults and children) of placements in a unit during any part of the year' },
    'P4-C2': { section: 'C', label: 'Individuals supported by group', status: 'V', rule: 'adults by recorded gender (woman, man; non-binary and not recorded shown apart); children' },
    'P4-C2-trans': { section: 'C', label: 'Individuals supported: trans adults', status: 'V', rule: 'adults of placements in the year recorded as trans at move-in (trans status yes), with the number of adults whose trans status is known (yes or no); asked at move-in since 30 November 2026, so earlier placements are not known' },
    'P4-C3': { section: 'C', label: 'Households supported', status: 'P', rule: 'placements in a unit during any part of the year' },
    'P4-C4': { section: 'C', label: 'Households and individuals by accommodation type', status: 'I', rule: 'as C1 and C3, by unit type' },
    'P4-C5': { section: 'C', label: 'Individuals with at least one specialist characteristic', status: 'V', rule: 'needs every C6 characteristic for every individual' },
    'P4-C6': { section: 'C', label: 'Individuals by specialist characteristic', status: 'P', rule: "the lead adult of each household supported: male (gender man), young (16-24 at move-in), older (60+ at move-in), black and minoritised / Gypsy, Roma and Traveller (the linked person's ethnicity); mental health, substance use, NRPF, LGBT+, Deaf (the needs recorded on the household's referral). Each with the number of lead adults it is known for" },
    'P4-C7': { section: 'C', label: 'Support types delivered', status: 'I', rule: 'needs the support delivered in accommodation to be recorded' },
    'P4-D1': { section: 'D', label: 'Referrals received', status: 'I', rule: 'referrals to providers with a referral date in the year, by unit type' },
    'P4-D2': { section: 'D', label: 'Referrals accepted', status: 'I', rule: 'of D1, accepted (room held) or placed' },
    'P4-D3': { section: 'D', label: 'Referrals declined, with reasons', status: 'I', rule: 'referrals declined in the year (decision date), by the provider’s coded reason' },
    'P4-D4': { section: 'D', label: 'Referral source', status: 'I', rule: "D1 by the referring agency's kind, mapped to the return's categories (referralSourceCategories)" },
    'P4-E1': { section: 'E', label: 'Households unable to be supported', status: 'V', rule: 'referrals declined in the year (decision date), one per referral' },
    'P4-E2': { section: 'E', label: 'Reason unable to be supported', status: 'P', rule: "the provider's decline reason, mapped to the return's categories (declineCategories)" },
    'P4-F1': { section: 'F', label: 'Households that stopped receiving support (other than sanctuary)', status: 'V', rule: 'placements that ended (moved out) in the year' },
    'P4-F1-sanctuary': { section: 'F', label: 'Households that stopped receiving support: sanctuary schemes', status: 'V', rule: 'needs the end of sanctuary support to be recorded' },
    'P4-F2': { section: 'F', label: 'Reason support ended', status: 'P', rule: "the move-on destination recorded at move-out, mapped to the return's categories (exitCategories)" },
    'P4-G1': { section: 'G', label: 'Part 4 grant spent', status: 'I', rule: 'spend is not held in Hearth' },
    'P4-G2': { section: 'G', label: 'Spend by accommodation type or support category', status: 'I', rule: 'spend is not held in Hearth' },
    'P4-G3': { section: 'G', label: 'Other local authority or partner funding', status: 'I', rule: 'spend is not held in Hearth' },
  },
  /** Why a field is not computed: said in the return, never a blank. */
  notComputed: {
    'P4-A1': 'Governance answers (board, needs assessment, strategy) are not recorded in Hearth: give them from the board’s records.',
    'P4-A2': 'Governance answers are not recorded in Hearth: give them from the board’s records.',
    'P4-A3': 'Hearth produces the needs assessment (/reports/needs-assessment) but does not record when the board completed or refreshed it.',
    'P4-A4': 'Governance answers are not recorded in Hearth: give them from the board’s records.',
    'P4-A5': 'Governance answers are not recorded in Hearth: give them from the board’s records.',
    'P4-A6': 'Governance answers are not recorded in Hearth: give them from the board’s records.',
    'P4-C5': 'Not every specialist characteristic is recorded for every individual (see P4-C6), so "at least one" would undercount.',
    'P4-C7': 'The support delivered in accommodation (advocacy, children’s support, counselling…) is not recorded in Hearth.',
    'P4-F1-sanctuary': 'Hearth records sanctuary measures referred and fitted, not when sanctuary support ends.',
    'P4-G1': 'Grant and spend are not held in Hearth.',
    'P4-G2': 'Grant and spend are not held in Hearth.',
    'P4-G3': 'Grant and spend are not held in Hearth.',
  } as Record<string, string>,
  /** Hearth's unit types → the return's accommodation types (statutory-returns.md §1.3). */
  typeCategories: {
    refuge: 'refuge', specialist: 'specialist-safe-accommodation', dispersed: 'dispersed', 'move-on': 'second-stage-move-on',
    emergency: 'other-da-emergency', 'housing-first': 'other-da-emergency',
  } as Record<string, string>,
  /** Provider decline reasons → the return's reasons unable to support (P4-E2). */
  declineCategories: {
    'no-vacancy': 'capacity-no-space', 'needs-beyond-support': 'support-needs-too-high', 'local-connection-or-risk': 'risk',
    nrpf: 'not-eligible-nrpf', 'male-child-age': 'household-composition', accessibility: 'household-composition',
    'victim-declined': 'victim-declined-or-withdrew', other: 'other',
  } as Record<string, string>,
  /** Move-on destinations → the return's reasons support ended (P4-F2). */
  exitCategories: {
    'social-housing': 'settled-accommodation', 'private-rented': 'settled-accommodation', 'own-home-with-security': 'settled-accommodation',
    'housing-first': 'settled-accommodation', 'another-safe-accommodation': 'other-safe-accommodation', 'supported-housing': 'other-safe-accommodation',
    'returned-to-abuser': 'returned-to-perpetrator', 'evicted-or-asked-to-leave': 'evicted-or-asked-to-leave',
    'temporary-accommodation': 'other', 'family-or-friends': 'other', other: 'other', 'not-known': 'not-known',
  } as Record<string, string>,
  /** Referring agency kinds → the return's referral sources (P4-D4). */
  referralSourceCategories: {
    police: 'police', 'idva-service': 'idva-outreach', 'specialist-da-service': 'idva-outreach', 'refuge-provider': 'idva-outreach',
    housing: 'housing-options', 'children-social-care': 'childrens-social-care', health: 'health', 'local-authority': 'other-la',
    'adult-social-care': 'other-la', education: 'other', probation: 'other', other: 'other',
  } as Record<string, string>,
  /** Ethnicity codes that are not "black and minoritised" (as the MARAC return); Gypsy, Roma and Traveller codes. */
  notMinoritised: ['white-british', 'white-irish', 'white-other'],
  gypsyRomaTraveller: ['white-gypsy-irish-traveller', 'white-roma'],
  youngAges: [16, 24],
  olderFrom: 60,
}

export type Part4FieldId = keyof typeof PART4_DEFINITIONS.fields
export type Part4Field = {
  id: Part4FieldId; section: string; label: string; status: string; rule: string
  /** The figures; null exactly when the field is not computed. */
  value: unknown
  notComputed: { reason: string } | null
}

export type Part4Rows = {
  spaces: { type: string; n: number }[]
  byAndFor: { characteristic: string; n: number }[]
  sanctuaryFitted: number
  members: { type: string; role: string; gender: string | null; trans: string | null; n: number }[]
  households: { type: string; n: number }[]
  leadAdults: { gender: string | null; age: number | null; ethnicity: string | null; household: Record<string, unknown> | null }[]
  referrals: { type: string; status: string; source: string; n: number }[]
  declined: { reason: string; n: number }[]
  ended: { reason: string; n: number }[]
}

export type Part4Return = {
  contract: typeof PART4_CONTRACT
  definitions: typeof PART4_DEFINITIONS
  partnership: { code: string; name: string }
  period: { code: string; from: string; to: string; label: string }
  /** Every field of the return, in order. */
  fields: Part4Field[]
  bedspaces: { byType: Record<string, number>; byAndFor: Record<string, number> }
  supported: {
    households: number
    individuals: number
    women: number
    men: number
    nonBinaryAdults: number
    adultsGenderNotRecorded: number
    /** Adults recorded as trans at move-in. */
    transAdults: number
    /** Adults whose trans status is known (recorded yes or no). */
    adultsTransStatusKnown: number
    children: number
    byType: Record<string, { households: number; individuals: number }>
  }
  unableToSupport: { households: number; byReason: Record<string, number> }
  stoppedSupport: { households: number; byReason: Record<string, number> }
  /** The fields not computed, as "ID label: reason" (the same as `fields` with notComputed). */
  notComputed: string[]
}

const sumOf = (rows: readonly { n: number }[]) => rows.reduce((a, r) => a + r.n, 0)
function tally<T>(rows: readonly T[], key: (r: T) => string, n: (r: T) => number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + n(r)
  return out
}

export function buildPart4(input: { partnership: { code: string; name: string }; period: Part4Return['period']; rows: Part4Rows }): Part4Return {
  const d = PART4_DEFINITIONS
  const { rows } = input
  const adults = rows.members.filter(r => r.role === 'adult')
  // Every type with a household or an individual (in the records they come together: members are of households),
  // so that each figure is a sum over records (see part4FigureRecords).
  const byType: Part4Return['supported']['byType'] = {}
  for (const type of new Set([...rows.households.map(h => h.type), ...rows.members.map(m => m.type)])) {
    byType[type] = { households: sumOf(rows.households.filter(h => h.type === type)), individuals: sumOf(rows.members.filter(r => r.type === type)) }
  }
  const supported: Part4Return['supported'] = {
    households: sumOf(rows.households), individuals: sumOf(rows.members),
    women: sumOf(adults.filter(r => r.gender === 'woman')), men: sumOf(adults.filter(r => r.gender === 'man')),
    nonBinaryAdults: sumOf(adults.filter(r => r.gender === 'non-binary')),
    adultsGenderNotRecorded: sumOf(adults.filter(r => !['woman', 'man', 'non-binary'].includes(r.gender ?? ''))),
    transAdults: sumOf(adults.filter(r => r.trans === 'yes')), adultsTransStatusKnown: sumOf(adults.filter(r => r.trans === 'yes' || r.trans === 'no')),
    children: sumOf(rows.members.filter(r => r.role === 'child')), byType,
  }
  const bedspaces = { byType: tally(rows.spaces, r => r.type, r => r.n), byAndFor: tally(rows.byAndFor, r => r.characteristic, r => r.n) }
  const unableToSupport = { households: sumOf(rows.declined), byReason: tally(rows.declined, r => r.reason, r => r.n) }
  const stoppedSupport = { households: sumOf(rows.ended), byReason: tally(rows.ended, r => r.reason, r => r.n) }
  const category = (map: Record<string, string>) => (code: string) => map[code] ?? 'other'

  // Specialist characteristics of each household's lead adult.
  const leads = rows.leadAdults
  const withAge = leads.filter(l => l.age !== null)
  const withEthnicity = leads.filter(l => l.ethnicity !== null && !['not-known', 'declined'].includes(l.ethnicity))
  const withReferral = leads.filter(l => l.household !== null)
  const hh = (l: (typeof leads)[number]) => l.household ?? {}
  const characteristic = (count: number, knownFor: number) => ({ count, knownFor })
  const characteristics = {
    'male-survivors': characteristic(leads.filter(l => l.gender === 'man').length, leads.filter(l => l.gender !== null).length),
    'young-survivors': characteristic(withAge.filter(l => l.age! >= d.youngAges[0]! && l.age! <= d.youngAges[1]!).length, withAge.length),
    'older-survivors': characteristic(withAge.filter(l => l.age! >= d.olderFrom).length, withAge.length),
    'black-and-minoritised': characteristic(withEthnicity.filter(l => !d.notMinoritised.includes(l.ethnicity!)).length, withEthnicity.length),
    'gypsy-roma-traveller': characteristic(withEthnicity.filter(l => d.gypsyRomaTraveller.includes(l.ethnicity!)).length, withEthnicity.length),
    'mental-health-needs': characteristic(withReferral.filter(l => hh(l).mentalHealthSupport === true).length, withReferral.length),
    'substance-misuse': characteristic(withReferral.filter(l => hh(l).substanceUseSupport === true).length, withReferral.length),
    nrpf: characteristic(withReferral.filter(l => hh(l).nrpf === true).length, withReferral.length),
    'lgbt-plus': characteristic(withReferral.filter(l => Array.isArray(hh(l).communities) && (hh(l).communities as string[]).includes('lgbt-plus')).length, withReferral.length),
    deaf: characteristic(withReferral.filter(l => Array.isArray(hh(l).communities) && (hh(l).communities as string[]).includes('deaf')).length, withReferral.length),
  }
  const notRecordedCharacteristics = ['disabled-survivors', 'complex-or-multiple-needs']

  const referralsReceived = sumOf(rows.referrals)
  const accepted = rows.referrals.filter(r => r.status === 'accepted' || r.status === 'placed')
  const values: Partial<Record<Part4FieldId, unknown>> = {
    'P4-B1': { byType: bedspaces.byType, byReturnCategory: tally(rows.spaces, r => category(d.typeCategories)(r.type), r => r.n), sanctuarySchemeUnits: rows.sanctuaryFitted, total: sumOf(rows.spaces) },
    'P4-B2': bedspaces.byAndFor,
    'P4-C1': supported.individuals,
    'P4-C2': { women: supported.women, men: supported.men, children: supported.children, nonBinaryAdults: supported.nonBinaryAdults, adultsGenderNotRecorded: supported.adultsGenderNotRecorded },
    'P4-C2-trans': { transAdults: supported.transAdults, adultsTransStatusKnown: supported.adultsTransStatusKnown },
    'P4-C3': { total: supported.households, byType: tally(rows.households, r => r.type, r => r.n) },
    'P4-C4': { byType, byReturnCategory: tally(rows.households, r => category(d.typeCategories)(r.type), r => r.n) },
    'P4-C6': { leadAdults: leads.length, characteristics, notRecorded: notRecordedCharacteristics, note: `Disabled survivors and complex or multiple needs are not recorded on households, so they are not counted. knownFor: the lead adults the characteristic is recorded for.` },
    'P4-D1': { total: referralsReceived, byType: tally(rows.referrals, r => r.type, r => r.n) },
    'P4-D2': { total: sumOf(accepted), byType: tally(accepted, r => r.type, r => r.n) },
    'P4-D3': { total: unableToSupport.households, byReason: unableToSupport.byReason },
    'P4-D4': { byAgencyKind: tally(rows.referrals, r => r.source, r => r.n), byReturnCategory: tally(rows.referrals, r => category(d.referralSourceCategories)(r.source), r => r.n) },
    'P4-E1': unableToSupport.households,
    'P4-E2': { byReason: unableToSupport.byReason, byReturnCategory: tally(rows.declined, r => category(d.declineCategories)(r.reason), r => r.n) },
    'P4-F1': stoppedSupport.households,
    'P4-F2': { byDestination: stoppedSupport.byReason, byReturnCategory: tally(rows.ended, r => category(d.exitCategories)(r.reason), r => r.n) },
  }
  const fields: Part4Field[] = (Object.keys(d.fields) as Part4FieldId[]).map(id => {
    const def = d.fields[id]
    const computed = id in values
    const reason = d.notComputed[id]
    if (!computed && !reason) throw new Error(`Part 4 field ${id} has neither a value nor a reason it is not computed`)
    return { id, section: def.section, label: def.label, status: def.status, rule: def.rule, value: computed ? values[id] : null, notComputed: computed ? null : { reason: reason! } }
  })
  return {
    contract: PART4_CONTRACT, definitions: d, partnership: input.partnership, period: input.period, fields,
    bedspaces, supported, unableToSupport, stoppedSupport,
    notComputed: fields.filter(f => f.notComputed).map(f => `${f.id} ${f.label}: ${f.notComputed!.reason}`),
  }
}

/**
 * One record the Part 4 return counts, de-identified (the columns of hearth_part4_records and of the drill function
 * hearth_report_drill_part4, migration 202611300600): a room (space), a sanctuary job fitted, a household member, a
 * household (placement, with its lead adult's counted characteristics), a referral received, a referral declined, a
 * household that stopped receiving support (ended). Never a name, date of birth, address or free text.
 */
export type Part4Record = {
  kind: 'space' | 'sanctuary' | 'member' | 'household' | 'referral' | 'declined' | 'ended'
  id: string
  provider_agency_id: string | null
  referring_agency_id: string | null
  accommodation_type: string | null
  status: string | null
  reason: string | null
  started_on: string | null
  ended_on: string | null
  role: string | null
  gender: string | null
  age: number | null
  ethnicity: string | null
  /** The household's support needs as codes (mental-health, substance-use, nrpf, lgbt-plus, deaf); null: no referral. */
  needs: string[] | null
  by_and_for: string[] | null
  /** The referring agency's kind (referrals). */
  source: string | null
  /** A placement adult's trans status at move-in (yes, no, not-known, declined); null when not asked (migration 202611300720). */
  trans: string | null
}

/** The grouped rows the return is built from, from its records. */
export function part4RowsOf(records: readonly Part4Record[]): Part4Rows {
  const of = (kind: Part4Record['kind']) => records.filter(r => r.kind === kind)
  const group = <K extends string>(rs: readonly Part4Record[], key: (r: Part4Record) => Record<K, string | null>) => {
    const out = new Map<string, Record<K, string | null> & { n: number }>()
    for (const r of rs) {
      const k = key(r)
      const id = JSON.stringify(k)
      const row = out.get(id) ?? { ...k, n: 0 }
      row.n++
      out.set(id, row)
    }
    return [...out.values()]
  }
  return {
    spaces: group(of('space'), r => ({ type: r.accommodation_type })) as Part4Rows['spaces'],
    byAndFor: group(of('space').flatMap(r => (r.by_and_for ?? []).map(c => ({ ...r, reason: c }))), r => ({ characteristic: r.reason })) as Part4Rows['byAndFor'],
    sanctuaryFitted: of('sanctuary').length,
    members: group(of('member'), r => ({ type: r.accommodation_type, role: r.role, gender: r.gender, trans: r.trans })) as Part4Rows['members'],
    households: group(of('household'), r => ({ type: r.accommodation_type })) as Part4Rows['households'],
    leadAdults: of('household').map(r => ({
      gender: r.gender, age: r.age, ethnicity: r.ethnicity,
      household: r.needs === null ? null : {
        mentalHealthSupport: r.needs.includes('mental-health'), substanceUseSupport: r.needs.includes('substance-use'), nrpf: r.needs.includes('nrpf'),
        communities: r.needs.filter(n => n === 'lgbt-plus' || n === 'deaf'),
      },
    })),
    referrals: group(of('referral'), r => ({ type: r.accommodation_type, status: r.status, source: r.source })) as Part4Rows['referrals'],
    declined: group(of('declined'), r => ({ reason: r.reason })) as Part4Rows['declined'],
    ended: group(of('ended'), r => ({ reason: r.reason })) as Part4Rows['ended'],
  }
}

/** Every count of a computed field, by path ("P4-C2/women", "P4-D1/byType/refuge"), with its value. */
export function part4Figures(report: Part4Return): Map<string, number> {
  const out = new Map<string, number>()
  const walk = (path: string, v: unknown) => {
    if (typeof v === 'number') out.set(path, v)
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(`${path}/${k}`, x)
  }
  for (const f of report.fields) if (!f.notComputed) walk(f.id, f.value)
  return out
}

/**
 * The records behind one count of the return. Every count is a sum over records, so the records behind a figure
 * are those that count towards it when the return is built from each record alone, by the same function
 * (buildPart4) that builds the return: a figure and its records cannot disagree. Each record comes with what it adds
 * to the figure, so the figure is their sum.
 */
export function part4FigureRecords<R extends Part4Record>(records: readonly R[], figure: string, input: Omit<Parameters<typeof buildPart4>[0], 'rows'>): { record: R; n: number }[] {
  return records
    .map(record => ({ record, n: part4Figures(buildPart4({ ...input, rows: part4RowsOf([record]) })).get(figure) ?? 0 }))
    .filter(x => x.n > 0)
}
