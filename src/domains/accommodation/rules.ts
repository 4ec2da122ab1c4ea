/**
 * Safe accommodation (Domestic Abuse Act 2021 Part 4): the pure rules. No I/O; dates are ISO strings and
 * "today" is passed in.
 *
 * - Vocabularies: accommodation types, pets, by-and-for communities, decline reasons, move-on destinations.
 * - Explainable matching: `matchHousehold` checks a household against every unit and says, in plain words,
 *   why each unsuitable unit is unsuitable ("son aged 14: this refuge accepts boys up to 12").
 * - Occupancy and length of stay by unit, provider and period, from placements (never typed in).
 *
 * Sources: the Cambridgeshire and Peterborough safe accommodation strategies (002, 004), the needs
 * assessment's refuge exclusions (000:L1126, L1143-1150, L1243-1261) and the Coventry digest (Valley House,
 * Haven, Panahghar). Boys' age limits differ between refuges (12 and 13 in the sources), so every limit is
 * a per-unit attribute, never a constant.
 */

// ---------------------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------------------

/** The Part 4 "relevant accommodation" types (sanctuary schemes are a service, see src/domains/services). */
export const accommodationTypes = ['refuge', 'specialist', 'dispersed', 'move-on', 'housing-first', 'emergency'] as const
export type AccommodationType = (typeof accommodationTypes)[number]

export const accommodationTypeLabels: Record<AccommodationType, string> = {
  refuge: 'Refuge',
  specialist: 'Specialist safe accommodation',
  dispersed: 'Dispersed accommodation',
  'move-on': 'Move-on or second-stage accommodation',
  'housing-first': 'Housing First',
  emergency: 'Other emergency accommodation',
}

/** How a reason names the unit: "this refuge", "this dispersed unit". */
const unitNoun: Record<AccommodationType, string> = {
  refuge: 'this refuge',
  specialist: 'this specialist accommodation',
  dispersed: 'this dispersed unit',
  'move-on': 'this move-on accommodation',
  'housing-first': 'this Housing First home',
  emergency: 'this emergency accommodation',
}

/** The adult's gender, in the data standard's gender_identity codes. */
export const adultGenders = ['woman', 'man', 'non-binary', 'other'] as const
export type AdultGender = (typeof adultGenders)[number]
const genderAdult: Record<AdultGender, string> = {
  woman: 'a woman', man: 'a man', 'non-binary': 'a non-binary adult', other: 'an adult of another gender',
}
const genderPlural: Record<AdultGender, string> = {
  woman: 'women', man: 'men', 'non-binary': 'non-binary adults', other: 'adults of other genders',
}
export const adultGenderLabels: Record<AdultGender, string> = { woman: 'Woman', man: 'Man', 'non-binary': 'Non-binary', other: 'Another gender' }

export const childSexes = ['female', 'male'] as const
export type ChildSex = (typeof childSexes)[number]

export const petKinds = ['dog', 'cat', 'small-caged', 'other'] as const
export type PetKind = (typeof petKinds)[number]
export const petLabels: Record<PetKind, string> = { dog: 'Dog', cat: 'Cat', 'small-caged': 'Small caged animal', other: 'Another pet' }
const petPhrase: Record<PetKind, string> = { dog: 'a dog', cat: 'a cat', 'small-caged': 'a small caged animal', other: 'a pet' }
const petPlural: Record<PetKind, string> = { dog: 'dogs', cat: 'cats', 'small-caged': 'small caged animals', other: 'other pets' }

/** Whom a unit takes, by where the household comes from (the partnership's area). */
export const localConnectionRules = ['anywhere', 'outside-area-only', 'inside-area-only'] as const
export type LocalConnectionRule = (typeof localConnectionRules)[number]
export const localConnectionLabels: Record<LocalConnectionRule, string> = {
  anywhere: 'From inside or outside the area',
  'outside-area-only': 'Only from outside the area',
  'inside-area-only': 'Only residents of the area',
}

/** "By and for" communities a unit is run by and for. */
export const communities = ['black-minoritised', 'south-asian', 'eastern-european', 'lgbt-plus', 'deaf', 'older'] as const
export type Community = (typeof communities)[number]
export const communityLabels: Record<Community, string> = {
  'black-minoritised': 'Black and minoritised',
  'south-asian': 'South Asian',
  'eastern-european': 'Eastern European',
  'lgbt-plus': 'LGBT+',
  deaf: 'Deaf',
  older: 'Older',
}

/** Coded reasons a provider declines a referral (the sources' common refusals; the Part 4 return). */
export const declineReasons = [
  'no-vacancy',
  'needs-beyond-support',
  'nrpf',
  'local-connection-or-risk',
  'male-child-age',
  'accessibility',
  'victim-declined',
  'other',
] as const
export type DeclineReason = (typeof declineReasons)[number]
export const declineReasonLabels: Record<DeclineReason, string> = {
  'no-vacancy': 'No vacancy',
  'needs-beyond-support': 'Needs beyond the support offered',
  nrpf: 'No recourse to public funds',
  'local-connection-or-risk': 'Local connection or risk in the area',
  'male-child-age': 'Age of a male child',
  accessibility: 'Accessibility',
  'victim-declined': 'Victim declined',
  other: 'Other',
}

/** Where a household went on leaving (coded, so move-on delays and outcomes can be counted). */
export const moveOnDestinations = [
  'social-housing',
  'private-rented',
  'own-home-with-security',
  'family-or-friends',
  'another-safe-accommodation',
  'temporary-accommodation',
  'supported-housing',
  'housing-first',
  'returned-to-abuser',
  'evicted-or-asked-to-leave',
  'other',
  'not-known',
] as const
export type MoveOnDestination = (typeof moveOnDestinations)[number]
export const moveOnDestinationLabels: Record<MoveOnDestination, string> = {
  'social-housing': 'Social housing tenancy',
  'private-rented': 'Private rented tenancy',
  'own-home-with-security': 'Own home, with additional security',
  'family-or-friends': 'Family or friends',
  'another-safe-accommodation': 'Another refuge or safe accommodation',
  'temporary-accommodation': 'Local authority temporary accommodation',
  'supported-housing': 'Supported housing',
  'housing-first': 'Housing First',
  'returned-to-abuser': 'Returned to the abuser',
  'evicted-or-asked-to-leave': 'Evicted or asked to leave',
  other: 'Other',
  'not-known': 'Not known',
}

/** A room's manual state. Occupied and held-for-a-referral are derived from placements and referrals. */
export const spaceStatuses = ['available', 'held', 'out-of-use'] as const
export type SpaceStatus = (typeof spaceStatuses)[number]

export const referralStatuses = ['pending', 'accepted', 'declined', 'withdrawn', 'placed'] as const
export type ReferralStatus = (typeof referralStatuses)[number]

// ---------------------------------------------------------------------------------------------------------
// The household and the units
// ---------------------------------------------------------------------------------------------------------

export type Child = { age: number; sex: ChildSex }

/** What a worker says about the household. No names: a search is kept as evidence of need. */
export type Household = {
  adultGender: AdultGender
  children: Child[]
  wheelchairUser: boolean
  /** Cannot manage stairs (other than as a wheelchair user). */
  needsGroundFloor: boolean
  pets: PetKind[]
  nrpf: boolean
  /** The partnership district she is fleeing from, or null when she comes from outside the area. */
  districtFledFrom: string | null
  /**
   * Safe to stay in the district she is fleeing (dispersed units can keep her near school, work and support:
   * 004:L105-106). When false, units in that district are ruled out.
   */
  safeInHomeDistrict: boolean
  /** Districts she must not be placed in. */
  areasToAvoid: string[]
  substanceUseSupport: boolean
  mentalHealthSupport: boolean
  /** Main language (ISO 639 code), when not English. */
  language: string | null
  /** She needs staff who speak it (not just an interpreter). */
  languageEssential: boolean
  /** By-and-for communities she belongs to. */
  communities: Community[]
}

/** A room (bedspace) for one household, and its state now. */
export type MatchSpace = {
  id: string
  label: string
  childBeds: number
  wheelchairAccessible: boolean
  groundFloor: boolean
  /** free, or why not: occupied (a placement), held (a manual hold or an accepted referral), out of use. */
  state: 'free' | 'occupied' | 'held' | 'out-of-use'
}

export type MatchUnit = {
  id: string
  name: string
  type: AccommodationType
  providerName: string
  districtCode: string
  districtName: string
  areaLabel: string
  gendersAccepted: AdultGender[]
  /** The oldest age of a boy accepted; null when there is no limit. */
  maxMaleChildAge: number | null
  /** The most children in one household; null when there is no limit, 0 when children are not accepted. */
  maxChildren: number | null
  petsAccepted: PetKind[]
  nrpfAccepted: boolean
  nrpfFundingRoute: string | null
  localConnection: LocalConnectionRule
  supportsSubstanceUse: boolean
  supportsMentalHealth: boolean
  /** Languages staff speak (ISO 639 codes). English is assumed. */
  languages: string[]
  byAndFor: Community[]
  isActive: boolean
  spaces: MatchSpace[]
}

export const reasonCodes = [
  'closed',
  'gender',
  'male-child-age',
  'children-count',
  'pets',
  'nrpf',
  'local-connection',
  'district-fled',
  'area-avoided',
  'substance-use',
  'mental-health',
  'language',
  'by-and-for',
  'wheelchair',
  'ground-floor',
  'room-size',
  'no-vacancy',
] as const
export type ReasonCode = (typeof reasonCodes)[number]
export const reasonCodeLabels: Record<ReasonCode, string> = {
  closed: 'Unit closed',
  gender: 'Gender of the adult',
  'male-child-age': 'Age of a male child',
  'children-count': 'Number of children',
  pets: 'Pets',
  nrpf: 'No recourse to public funds',
  'local-connection': 'Local connection',
  'district-fled': 'In the district fled from',
  'area-avoided': 'In an area to avoid',
  'substance-use': 'Substance use support',
  'mental-health': 'Mental health support',
  language: 'Language',
  'by-and-for': 'By-and-for service for another community',
  wheelchair: 'No wheelchair-accessible room',
  'ground-floor': 'No ground-floor room',
  'room-size': 'No room big enough',
  'no-vacancy': 'No suitable room free',
}

export type Reason = { code: ReasonCode; text: string }

export type UnitMatch = {
  unitId: string
  unitName: string
  type: AccommodationType
  providerName: string
  areaLabel: string
  districtName: string
  suitable: boolean
  /** Why the unit cannot take the household, in plain words. Empty when suitable. */
  reasons: Reason[]
  /** Advice that does not rule the unit out (an interpreter, the NRPF funding route). */
  notes: string[]
  /** Free rooms that fit the household. */
  freeSpaces: { id: string; label: string }[]
}

export type MatchResult = { suitable: UnitMatch[]; unsuitable: UnitMatch[] }

// ---------------------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------------------

/** "a, b and c" */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export type NameLookup = { district?: (code: string) => string; language?: (code: string) => string }

/** The household in one line: "A woman with a son aged 14, a daughter aged 6 and a dog; fleeing Cambridge". */
export function describeHousehold(h: Household, names: NameLookup = {}): string {
  const district = names.district ?? ((c: string) => c)
  const language = names.language ?? ((c: string) => c)
  const adult = genderAdult[h.adultGender]
  const withParts: string[] = [
    ...[...h.children].sort((a, b) => b.age - a.age).map(c => `${c.sex === 'male' ? 'a son' : 'a daughter'} aged ${c.age}`),
    ...h.pets.map(p => petPhrase[p]),
  ]
  const parts = [`${adult.charAt(0).toUpperCase()}${adult.slice(1)}${withParts.length ? ` with ${listWords(withParts)}` : ''}`]
  const needs: string[] = []
  if (h.wheelchairUser) needs.push('uses a wheelchair')
  else if (h.needsGroundFloor) needs.push('needs a ground-floor room')
  if (h.nrpf) needs.push('no recourse to public funds')
  if (h.substanceUseSupport) needs.push('substance use support')
  if (h.mentalHealthSupport) needs.push('mental health support')
  if (h.language) needs.push(`speaks ${language(h.language)}${h.languageEssential ? ' (needs staff who speak it)' : ''}`)
  if (h.communities.length) needs.push(`${listWords(h.communities.map(c => communityLabels[c]))} community`)
  if (needs.length) parts.push(listWords(needs))
  parts.push(h.districtFledFrom
    ? `fleeing ${district(h.districtFledFrom)}${h.safeInHomeDistrict ? ' (safe to stay in the district)' : ''}`
    : 'from outside the area')
  if (h.areasToAvoid.length) parts.push(`must avoid ${listWords(h.areasToAvoid.map(district))}`)
  return parts.join('; ')
}

// ---------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------

/**
 * The rules a unit applies to a household whatever its vacancies: each broken rule is one reason.
 * Every rule is tested at its boundary in rules.test.ts.
 */
export function eligibilityReasons(unit: MatchUnit, h: Household, names: NameLookup = {}): Reason[] {
  const district = names.district ?? ((c: string) => c)
  const language = names.language ?? ((c: string) => c)
  const self = unitNoun[unit.type]
  const reasons: Reason[] = []
  const add = (code: ReasonCode, text: string) => reasons.push({ code, text })

  if (!unit.isActive) add('closed', `${self} is closed`)

  if (!unit.gendersAccepted.includes(h.adultGender)) {
    const accepted = unit.gendersAccepted.map(g => genderPlural[g])
    add('gender', `${genderAdult[h.adultGender]}: ${self} accepts ${accepted.length ? `${listWords(accepted)} only` : 'no adults'}`)
  }

  if (unit.maxMaleChildAge !== null) {
    const limit = unit.maxMaleChildAge
    const tooOld = h.children.filter(c => c.sex === 'male' && c.age > limit).map(c => c.age).sort((a, b) => b - a)
    if (tooOld.length === 1) add('male-child-age', `son aged ${tooOld[0]}: ${self} accepts boys up to ${limit}`)
    else if (tooOld.length > 1) add('male-child-age', `sons aged ${listWords(tooOld.map(String))}: ${self} accepts boys up to ${limit}`)
  }

  if (unit.maxChildren !== null && h.children.length > unit.maxChildren) {
    add(
      'children-count',
      unit.maxChildren === 0
        ? `${plural(h.children.length, 'child', 'children')}: ${self} does not accept children`
        : `${plural(h.children.length, 'child', 'children')}: ${self} accepts at most ${plural(unit.maxChildren, 'child', 'children')}`,
    )
  }

  const refusedPets = h.pets.filter(p => !unit.petsAccepted.includes(p))
  if (refusedPets.length) {
    const accepted = unit.petsAccepted.map(p => petPlural[p])
    add(
      'pets',
      `${listWords(refusedPets.map(p => petPhrase[p]))}: ${self} ${accepted.length ? `accepts only ${listWords(accepted)}` : 'does not accept pets'}`,
    )
  }

  if (h.nrpf && !unit.nrpfAccepted) add('nrpf', `no recourse to public funds: ${self} cannot take a household with NRPF`)

  const fromInside = h.districtFledFrom !== null
  if (unit.localConnection === 'outside-area-only' && fromInside) {
    add('local-connection', `fleeing from ${district(h.districtFledFrom!)}, inside the area: ${self} takes households from outside the area only`)
  }
  if (unit.localConnection === 'inside-area-only' && !fromInside) {
    add('local-connection', `coming from outside the area: ${self} is for residents of the area only`)
  }
  if (h.districtFledFrom !== null && unit.districtCode === h.districtFledFrom && !h.safeInHomeDistrict) {
    add('district-fled', `${self} is in ${district(unit.districtCode)}, the district she is fleeing`)
  }
  if (h.areasToAvoid.includes(unit.districtCode) && !(unit.districtCode === h.districtFledFrom && !h.safeInHomeDistrict)) {
    add('area-avoided', `${self} is in ${district(unit.districtCode)}, an area she must avoid`)
  }

  if (h.substanceUseSupport && !unit.supportsSubstanceUse) add('substance-use', `needs substance use support: ${self} does not offer it`)
  if (h.mentalHealthSupport && !unit.supportsMentalHealth) add('mental-health', `needs mental health support: ${self} does not offer it`)

  if (h.language && h.languageEssential && h.language !== 'en' && !unit.languages.includes(h.language)) {
    const spoken = ['English', ...unit.languages.filter(l => l !== 'en').map(language)]
    add('language', `needs staff who speak ${language(h.language)}: staff here speak ${listWords(spoken)}`)
  }

  if (unit.byAndFor.length && !unit.byAndFor.some(c => h.communities.includes(c))) {
    add('by-and-for', `${self} is by and for ${listWords(unit.byAndFor.map(c => communityLabels[c]))} survivors`)
  }

  const rooms = unit.spaces
  if (h.wheelchairUser && !rooms.some(s => s.wheelchairAccessible)) add('wheelchair', `uses a wheelchair: ${self} has no wheelchair-accessible room`)
  if (h.needsGroundFloor && !h.wheelchairUser && !rooms.some(s => s.groundFloor || s.wheelchairAccessible)) {
    add('ground-floor', `cannot manage stairs: ${self} has no ground-floor room`)
  }
  const children = h.children.length
  if (children > 0 && rooms.length > 0 && !rooms.some(s => s.childBeds >= children)) {
    const largest = Math.max(...rooms.map(s => s.childBeds))
    add('room-size', `${plural(children, 'child', 'children')}: no room here sleeps more than ${plural(largest, 'child', 'children')}`)
  }
  return reasons
}

/** Does this room suit the household (size and access), whatever its state? */
export function roomFits(space: MatchSpace, h: Household): boolean {
  if (space.childBeds < h.children.length) return false
  if (h.wheelchairUser && !space.wheelchairAccessible) return false
  if (h.needsGroundFloor && !h.wheelchairUser && !(space.groundFloor || space.wheelchairAccessible)) return false
  return true
}

/** Why no fitting room is free: "no wheelchair-accessible room free", "no room free (3 occupied, 1 out of use)". */
function vacancyReason(unit: MatchUnit, h: Household): Reason {
  const fitting = unit.spaces.filter(s => roomFits(s, h))
  const kind: string[] = []
  if (h.wheelchairUser) kind.push('wheelchair-accessible')
  else if (h.needsGroundFloor) kind.push('ground-floor')
  const forChildren = h.children.length > 0 && unit.spaces.some(s => s.childBeds < h.children.length)
    ? ` for ${plural(h.children.length, 'child', 'children')}` : ''
  const counts = (['occupied', 'held', 'out-of-use'] as const)
    .map(state => [state, fitting.filter(s => s.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state === 'out-of-use' ? 'out of use' : state}`)
  const room = `${kind.length ? `${kind.join(' ')} ` : ''}room${forChildren}`
  return { code: 'no-vacancy', text: `no ${room} free${counts.length ? ` (${listWords(counts)})` : ''}` }
}

function notesFor(unit: MatchUnit, h: Household, names: NameLookup): string[] {
  const language = names.language ?? ((c: string) => c)
  const notes: string[] = []
  if (h.language && h.language !== 'en' && !h.languageEssential && !unit.languages.includes(h.language)) {
    notes.push(`No staff here speak ${language(h.language)}: arrange an interpreter`)
  }
  if (h.language && h.language !== 'en' && unit.languages.includes(h.language)) notes.push(`Staff here speak ${language(h.language)}`)
  if (h.nrpf && unit.nrpfAccepted) notes.push(`Takes NRPF${unit.nrpfFundingRoute ? `: ${unit.nrpfFundingRoute}` : ''}`)
  if (unit.byAndFor.some(c => h.communities.includes(c))) {
    notes.push(`By and for ${listWords(unit.byAndFor.map(c => communityLabels[c]))} survivors`)
  }
  return notes
}

/** One unit against the household: suitable when it breaks no rule and a fitting room is free now. */
export function matchUnit(unit: MatchUnit, h: Household, names: NameLookup = {}): UnitMatch {
  const reasons = eligibilityReasons(unit, h, names)
  const freeSpaces = unit.spaces.filter(s => s.state === 'free' && roomFits(s, h)).map(s => ({ id: s.id, label: s.label }))
  if (reasons.length === 0 && freeSpaces.length === 0) reasons.push(vacancyReason(unit, h))
  return {
    unitId: unit.id,
    unitName: unit.name,
    type: unit.type,
    providerName: unit.providerName,
    areaLabel: unit.areaLabel,
    districtName: unit.districtName,
    suitable: reasons.length === 0,
    reasons,
    notes: reasons.length === 0 ? notesFor(unit, h, names) : [],
    freeSpaces: reasons.length === 0 ? freeSpaces : [],
  }
}

/**
 * The household against every unit: the suitable ones with a fitting room free now (by-and-for matches
 * first, then by name), and every other unit with its reasons.
 */
export function matchHousehold(units: readonly MatchUnit[], h: Household, names: NameLookup = {}): MatchResult {
  const all = units.map(u => ({ unit: u, match: matchUnit(u, h, names) }))
  const byName = (a: UnitMatch, b: UnitMatch) => a.unitName.localeCompare(b.unitName, 'en-GB')
  const suitable = all
    .filter(x => x.match.suitable)
    .sort((a, b) => {
      const af = a.unit.byAndFor.some(c => h.communities.includes(c)) ? 0 : 1
      const bf = b.unit.byAndFor.some(c => h.communities.includes(c)) ? 0 : 1
      return af - bf || byName(a.match, b.match)
    })
    .map(x => x.match)
  const unsuitable = all.filter(x => !x.match.suitable).map(x => x.match).sort(byName)
  return { suitable, unsuitable }
}

/** Reason codes across the unsuitable units, most frequent first: what the unmet need was turned away for. */
export function reasonTally(unsuitable: readonly { reasons: readonly Reason[] }[]): { code: ReasonCode; units: number }[] {
  const counts = new Map<ReasonCode, number>()
  for (const u of unsuitable) for (const code of new Set(u.reasons.map(r => r.code))) counts.set(code, (counts.get(code) ?? 0) + 1)
  return [...counts]
    .map(([code, units]) => ({ code, units }))
    .sort((a, b) => b.units - a.units || reasonCodes.indexOf(a.code) - reasonCodes.indexOf(b.code))
}

// ---------------------------------------------------------------------------------------------------------
// Referral decisions and placements
// ---------------------------------------------------------------------------------------------------------

export type Decision =
  | { decision: 'accept'; spaceId: string }
  | { decision: 'decline'; reason: DeclineReason; note: string | null }

export type Problem = { field: string; message: string }

/** Checks a provider's decision as entered on the form. */
export function checkDecision(input: { decision?: string; spaceId?: string; reason?: string; note?: string }, freeSpaceIds: readonly string[]):
  { ok: true; value: Decision } | { ok: false; problems: Problem[] } {
  const note = input.note?.trim() || null
  if (input.decision === 'accept') {
    if (!input.spaceId) return { ok: false, problems: [{ field: 'spaceId', message: 'Select the room you are holding for this household' }] }
    if (!freeSpaceIds.includes(input.spaceId)) {
      return { ok: false, problems: [{ field: 'spaceId', message: 'That room is no longer free: select a free room' }] }
    }
    return { ok: true, value: { decision: 'accept', spaceId: input.spaceId } }
  }
  if (input.decision === 'decline') {
    if (!input.reason || !(declineReasons as readonly string[]).includes(input.reason)) {
      return { ok: false, problems: [{ field: 'reason', message: 'Select why you are declining the referral' }] }
    }
    if (input.reason === 'other' && !note) {
      return { ok: false, problems: [{ field: 'note', message: 'Say why you are declining the referral' }] }
    }
    if (note && note.length > 1000) return { ok: false, problems: [{ field: 'note', message: 'Keep the explanation to 1,000 characters or fewer' }] }
    return { ok: true, value: { decision: 'decline', reason: input.reason as DeclineReason, note } }
  }
  return { ok: false, problems: [{ field: 'decision', message: 'Select whether you accept or decline the referral' }] }
}

const DAY = 86_400_000
const dayNumber = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from)
export const addDays = (iso: string, days: number) => new Date((dayNumber(iso) + days) * DAY).toISOString().slice(0, 10)
export const isIsoDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && addDays(value, 0) === value

/** Checks a move-in: a real date, not in the future. */
export function checkMoveIn(movedInOn: string, today: string): Problem[] {
  if (!isIsoDate(movedInOn)) return [{ field: 'movedInOn', message: 'Enter the move-in date as a real date' }]
  if (movedInOn > today) return [{ field: 'movedInOn', message: 'The move-in date must be today or in the past' }]
  return []
}

/** Checks a move-out: a real date from the move-in to today, with a coded destination. */
export function checkMoveOut(input: { movedOutOn: string; destination: string }, movedInOn: string, today: string): Problem[] {
  const problems: Problem[] = []
  if (!isIsoDate(input.movedOutOn)) problems.push({ field: 'movedOutOn', message: 'Enter the move-out date as a real date' })
  else if (input.movedOutOn < movedInOn) problems.push({ field: 'movedOutOn', message: 'The move-out date must be on or after the move-in date' })
  else if (input.movedOutOn > today) problems.push({ field: 'movedOutOn', message: 'The move-out date must be today or in the past' })
  if (!(moveOnDestinations as readonly string[]).includes(input.destination)) {
    problems.push({ field: 'destination', message: 'Select where the household moved on to' })
  }
  return problems
}

// ---------------------------------------------------------------------------------------------------------
// Occupancy and length of stay
// ---------------------------------------------------------------------------------------------------------

export type StayRow = {
  unitId: string
  movedInOn: string
  /** null while the household is still there. */
  movedOutOn: string | null
  moveOnDestination: string | null
}

export type UnitForFigures = { id: string; name: string; providerId: string; providerName: string; spaces: number }

export const stayBands = [
  { code: 'under-1-month', label: 'Under 1 month', maxDays: 30 },
  { code: '1-3-months', label: '1 to 3 months', maxDays: 91 },
  { code: '3-6-months', label: '3 to 6 months', maxDays: 182 },
  { code: '6-12-months', label: '6 to 12 months', maxDays: 365 },
  { code: 'over-12-months', label: 'Over 12 months', maxDays: Number.POSITIVE_INFINITY },
] as const

export type Figures = {
  spaces: number
  /** Room-nights in the period (rooms × nights). */
  spaceNights: number
  /** Room-nights with a household in. */
  occupiedNights: number
  /** occupiedNights ÷ spaceNights, as a whole per cent; null with no rooms. */
  occupancyPercent: number | null
  movedIn: number
  movedOut: number
  /** Households in at the end of the period. */
  inAtEnd: number
  /** Of the stays that ended in the period. */
  medianStayDays: number | null
  meanStayDays: number | null
  longestStayDays: number | null
  stayBands: Record<(typeof stayBands)[number]['code'], number>
  destinations: Partial<Record<string, number>>
}

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function figuresOf(spaces: number, stays: readonly StayRow[], from: string, to: string): Figures {
  const nights = daysBetween(from, to) + 1
  const endExclusive = addDays(to, 1)
  let occupied = 0
  let movedIn = 0
  let movedOut = 0
  let inAtEnd = 0
  const lengths: number[] = []
  const bands = Object.fromEntries(stayBands.map(b => [b.code, 0])) as Figures['stayBands']
  const destinations: Partial<Record<string, number>> = {}
  for (const s of stays) {
    const out = s.movedOutOn ?? endExclusive
    const start = s.movedInOn > from ? s.movedInOn : from
    const end = out < endExclusive ? out : endExclusive
    if (end > start) occupied += daysBetween(start, end)
    if (s.movedInOn >= from && s.movedInOn <= to) movedIn++
    if (s.movedOutOn && s.movedOutOn >= from && s.movedOutOn <= to) {
      movedOut++
      const length = daysBetween(s.movedInOn, s.movedOutOn)
      lengths.push(length)
      bands[stayBands.find(b => length <= b.maxDays)!.code]++
      const d = s.moveOnDestination ?? 'not-known'
      destinations[d] = (destinations[d] ?? 0) + 1
    }
    if (s.movedInOn <= to && (!s.movedOutOn || s.movedOutOn > to)) inAtEnd++
  }
  const spaceNights = spaces * nights
  return {
    spaces,
    spaceNights,
    occupiedNights: occupied,
    occupancyPercent: spaceNights > 0 ? Math.round((occupied / spaceNights) * 100) : null,
    movedIn,
    movedOut,
    inAtEnd,
    medianStayDays: median(lengths),
    meanStayDays: lengths.length ? Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length) : null,
    longestStayDays: lengths.length ? Math.max(...lengths) : null,
    stayBands: bands,
    destinations,
  }
}

/**
 * Occupancy and length of stay for a period (both ends inclusive), by unit, by provider and in total.
 * A night counts as occupied when a household was in on that night; a stay's length is the nights from
 * move-in to move-out, counted for stays that ended in the period.
 */
export function occupancyFigures(units: readonly UnitForFigures[], stays: readonly StayRow[], period: { from: string; to: string }) {
  const byUnit = new Map<string, StayRow[]>()
  for (const s of stays) byUnit.set(s.unitId, [...(byUnit.get(s.unitId) ?? []), s])
  const unitRows = units.map(u => ({ unit: u, figures: figuresOf(u.spaces, byUnit.get(u.id) ?? [], period.from, period.to) }))
  const providers = new Map<string, { providerId: string; providerName: string; units: UnitForFigures[] }>()
  for (const u of units) {
    const p = providers.get(u.providerId) ?? { providerId: u.providerId, providerName: u.providerName, units: [] }
    p.units.push(u)
    providers.set(u.providerId, p)
  }
  const group = (us: UnitForFigures[]) => {
    const ids = new Set(us.map(u => u.id))
    return figuresOf(us.reduce((n, u) => n + u.spaces, 0), stays.filter(s => ids.has(s.unitId)), period.from, period.to)
  }
  return {
    period,
    units: unitRows,
    providers: [...providers.values()]
      .sort((a, b) => a.providerName.localeCompare(b.providerName, 'en-GB'))
      .map(p => ({ providerId: p.providerId, providerName: p.providerName, figures: group(p.units) })),
    total: group([...units]),
  }
}

// ---------------------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------------------

/** A unit's rules in a few words, for the vacancy board: "Women only", "Boys up to 12", "Dogs accepted". */
export function unitRestrictions(unit: Omit<MatchUnit, 'spaces' | 'id' | 'name' | 'providerName' | 'districtCode' | 'districtName' | 'areaLabel' | 'isActive'>, names: NameLookup = {}): string[] {
  const language = names.language ?? ((c: string) => c)
  const out: string[] = []
  const genders = unit.gendersAccepted.map(g => genderPlural[g])
  out.push(genders.length === 1 ? `${genders[0]!.charAt(0).toUpperCase()}${genders[0]!.slice(1)} only` : `${listWords(genders).charAt(0).toUpperCase()}${listWords(genders).slice(1)}`)
  if (unit.maxChildren === 0) out.push('No children')
  else {
    if (unit.maxMaleChildAge !== null) out.push(`Boys up to ${unit.maxMaleChildAge}`)
    if (unit.maxChildren !== null) out.push(`Up to ${plural(unit.maxChildren, 'child', 'children')}`)
  }
  out.push(unit.petsAccepted.length ? `${listWords(unit.petsAccepted.map(p => petPlural[p]))} accepted`.replace(/^./, c => c.toUpperCase()) : 'No pets')
  if (unit.nrpfAccepted) out.push('NRPF accepted')
  if (unit.localConnection !== 'anywhere') out.push(localConnectionLabels[unit.localConnection])
  if (unit.supportsSubstanceUse) out.push('Substance use support')
  if (unit.supportsMentalHealth) out.push('Mental health support')
  if (unit.languages.length) out.push(`Staff speak ${listWords(unit.languages.map(language))}`)
  if (unit.byAndFor.length) out.push(`By and for ${listWords(unit.byAndFor.map(c => communityLabels[c]))} survivors`)
  return out
}

/** What the households turned away had in common: the characteristics the needs assessment asks about. */
export const unmetCharacteristics = [
  { code: 'man', label: 'A man', test: (h: Household) => h.adultGender === 'man' },
  { code: 'children', label: 'With children', test: (h: Household) => h.children.length > 0 },
  { code: 'three-or-more-children', label: 'With 3 or more children', test: (h: Household) => h.children.length >= 3 },
  { code: 'boy-13-plus', label: 'With a son aged 13 or over', test: (h: Household) => h.children.some(c => c.sex === 'male' && c.age >= 13) },
  { code: 'pets', label: 'With a pet', test: (h: Household) => h.pets.length > 0 },
  { code: 'wheelchair', label: 'Wheelchair user', test: (h: Household) => h.wheelchairUser },
  { code: 'nrpf', label: 'No recourse to public funds', test: (h: Household) => h.nrpf },
  { code: 'substance-use', label: 'Substance use support', test: (h: Household) => h.substanceUseSupport },
  { code: 'mental-health', label: 'Mental health support', test: (h: Household) => h.mentalHealthSupport },
  { code: 'language', label: 'Main language not English', test: (h: Household) => h.language !== null },
  { code: 'inside-area', label: 'Fleeing within the area', test: (h: Household) => h.districtFledFrom !== null },
] as const

export function unmetNeedSummary(searches: readonly { household: Household; reasonCodes: readonly string[] }[]) {
  const reasons = new Map<string, number>()
  for (const s of searches) for (const code of new Set(s.reasonCodes)) reasons.set(code, (reasons.get(code) ?? 0) + 1)
  return {
    searches: searches.length,
    /** For each reason: in how many of the searches some unit was ruled out for it. */
    reasons: reasonCodes
      .filter(code => reasons.has(code))
      .map(code => ({ code, label: reasonCodeLabels[code], searches: reasons.get(code)! }))
      .sort((a, b) => b.searches - a.searches),
    characteristics: unmetCharacteristics
      .map(c => ({ code: c.code, label: c.label, searches: searches.filter(s => c.test(s.household)).length }))
      .filter(c => c.searches > 0),
  }
}

// ---------------------------------------------------------------------------------------------------------
// Keeping a search
// ---------------------------------------------------------------------------------------------------------

/**
 * What a search keeps: the suitable units in full, and for every other unit its reasons as indexes into one
 * list of distinct reason texts (many units share a reason: "a dog: this refuge does not accept pets"). The
 * texts are kept exactly as shown, so the record says what the worker was told, even if a unit changes later.
 */
export type StoredResult = {
  suitable: UnitMatch[]
  texts: string[]
  codes: ReasonCode[]
  unsuitable: { unitId: string; reasons: number[] }[]
}

export function compactResult(result: MatchResult): StoredResult {
  const index = new Map<string, number>()
  const texts: string[] = []
  const codes: ReasonCode[] = []
  const unsuitable = result.unsuitable.map(u => ({
    unitId: u.unitId,
    reasons: u.reasons.map(r => {
      let i = index.get(r.text)
      if (i === undefined) {
        i = texts.length
        index.set(r.text, i)
        texts.push(r.text)
        codes.push(r.code)
      }
      return i
    }),
  }))
  return { suitable: result.suitable, texts, codes, unsuitable }
}

export type ShownUnsuitable = { unitId: string; unitName: string; type: AccommodationType | null; areaLabel: string; reasons: Reason[] }

/** A kept search ready to show: unit names from the inventory now (a unit is never deleted, only closed). */
export function expandResult(stored: StoredResult, units: ReadonlyMap<string, { name: string; type: AccommodationType; areaLabel: string }>):
  { suitable: UnitMatch[]; unsuitable: ShownUnsuitable[] } {
  return {
    suitable: stored.suitable,
    unsuitable: stored.unsuitable
      .map(u => {
        const unit = units.get(u.unitId)
        return {
          unitId: u.unitId,
          unitName: unit?.name ?? 'A unit you cannot see',
          type: unit?.type ?? null,
          areaLabel: unit?.areaLabel ?? '',
          reasons: u.reasons.map(i => ({ code: stored.codes[i]!, text: stored.texts[i]! })),
        }
      })
      .sort((a, b) => a.unitName.localeCompare(b.unitName, 'en-GB')),
  }
}
