/**
 * The household form: what a worker enters to search for a place, checked into a `Household`.
 * Pure: no I/O. Field names are the form's, so problems link to the right field in the error summary.
 */
import { isValidCode } from '../../standard/codeLists.ts'
import { asArray } from '../../web/forms.ts'
import { adultGenders, type Child, communities, type Community, type Household, petKinds, type PetKind, type Problem } from './rules.ts'

/** Rows for children on the form. Larger households are rare; a dispersed unit's worker can add a note. */
export const CHILD_ROWS = 6

export const householdNeeds = ['wheelchair', 'ground-floor', 'nrpf', 'substance-use', 'mental-health'] as const
export const householdNeedLabels: Record<(typeof householdNeeds)[number], string> = {
  wheelchair: 'Uses a wheelchair',
  'ground-floor': 'Cannot manage stairs',
  nrpf: 'No recourse to public funds (NRPF)',
  'substance-use': 'Needs support for substance use',
  'mental-health': 'Needs support for mental health',
}

export type HouseholdForm = {
  adultGender: string
  children: { age: string; sex: string }[]
  needs: string[]
  pets: string[]
  districtFledFrom: string
  safeInHomeDistrict: boolean
  areasToAvoid: string[]
  language: string
  languageEssential: boolean
  communities: string[]
}

type Body = Record<string, unknown>
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '')

/** The form's values as entered, for showing them again. */
export function readHouseholdForm(body: Body): HouseholdForm {
  return {
    adultGender: str(body, 'adultGender'),
    children: Array.from({ length: CHILD_ROWS }, (_, i) => ({ age: str(body, `child-${i + 1}-age`), sex: str(body, `child-${i + 1}-sex`) })),
    needs: asArray(body.needs),
    pets: asArray(body.pets),
    districtFledFrom: str(body, 'districtFledFrom'),
    safeInHomeDistrict: str(body, 'safeInHomeDistrict') === 'yes',
    areasToAvoid: asArray(body.areasToAvoid),
    language: str(body, 'language'),
    languageEssential: str(body, 'languageEssential') === 'yes',
    communities: asArray(body.communities),
  }
}

export const emptyHouseholdForm = (): HouseholdForm => readHouseholdForm({})

/** Checks the form. District codes are the partnership's; "outside" means from outside the area. */
export function parseHousehold(form: HouseholdForm, districtCodes: readonly string[]):
  { ok: true; household: Household } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  if (!(adultGenders as readonly string[]).includes(form.adultGender)) {
    problems.push({ field: 'adultGender', message: 'Select the gender of the adult who needs the place' })
  }
  const children: Child[] = []
  form.children.forEach((c, i) => {
    const n = i + 1
    if (!c.age && !c.sex) return
    const age = /^\d{1,2}$/.test(c.age) ? Number(c.age) : Number.NaN
    if (!c.age) problems.push({ field: `child-${n}-age`, message: `Enter the age of child ${n}` })
    else if (!(age >= 0 && age <= 17)) problems.push({ field: `child-${n}-age`, message: `Enter the age of child ${n} as a whole number from 0 to 17` })
    if (c.sex !== 'female' && c.sex !== 'male') problems.push({ field: `child-${n}-sex`, message: `Select whether child ${n} is a girl or a boy` })
    if (age >= 0 && age <= 17 && (c.sex === 'female' || c.sex === 'male')) children.push({ age, sex: c.sex })
  })
  const unknownNeed = form.needs.find(n => !(householdNeeds as readonly string[]).includes(n))
  if (unknownNeed) problems.push({ field: 'needs', message: 'Select needs from the list' })
  const unknownPet = form.pets.find(p => !(petKinds as readonly string[]).includes(p))
  if (unknownPet) problems.push({ field: 'pets', message: 'Select pets from the list' })
  if (form.districtFledFrom !== 'outside' && !districtCodes.includes(form.districtFledFrom)) {
    problems.push({ field: 'districtFledFrom', message: 'Select where she is fleeing from' })
  }
  if (form.areasToAvoid.some(d => !districtCodes.includes(d))) problems.push({ field: 'areasToAvoid', message: 'Select areas from the list' })
  if (form.language && !isValidCode('main_language', form.language)) problems.push({ field: 'language', message: 'Select a language from the list' })
  if (form.languageEssential && !form.language) {
    problems.push({ field: 'language', message: 'Select the language staff need to speak, or untick "needs staff who speak it"' })
  }
  if (form.communities.some(c => !(communities as readonly string[]).includes(c))) {
    problems.push({ field: 'communities', message: 'Select communities from the list' })
  }
  if (problems.length) return { ok: false, problems }
  return {
    ok: true,
    household: {
      adultGender: form.adultGender as Household['adultGender'],
      children,
      wheelchairUser: form.needs.includes('wheelchair'),
      needsGroundFloor: form.needs.includes('ground-floor'),
      pets: form.pets as PetKind[],
      nrpf: form.needs.includes('nrpf'),
      districtFledFrom: form.districtFledFrom === 'outside' ? null : form.districtFledFrom,
      safeInHomeDistrict: form.districtFledFrom !== 'outside' && form.safeInHomeDistrict,
      areasToAvoid: form.areasToAvoid,
      substanceUseSupport: form.needs.includes('substance-use'),
      mentalHealthSupport: form.needs.includes('mental-health'),
      language: form.language && form.language !== 'en' ? form.language : null,
      languageEssential: Boolean(form.language && form.language !== 'en' && form.languageEssential),
      communities: form.communities as Community[],
    },
  }
}

/** A stored household as form values (to search again with changes). */
export function householdToForm(h: Household): HouseholdForm {
  const needs: string[] = []
  if (h.wheelchairUser) needs.push('wheelchair')
  if (h.needsGroundFloor) needs.push('ground-floor')
  if (h.nrpf) needs.push('nrpf')
  if (h.substanceUseSupport) needs.push('substance-use')
  if (h.mentalHealthSupport) needs.push('mental-health')
  return {
    adultGender: h.adultGender,
    children: Array.from({ length: CHILD_ROWS }, (_, i) => ({ age: h.children[i] ? String(h.children[i]!.age) : '', sex: h.children[i]?.sex ?? '' })),
    needs,
    pets: h.pets,
    districtFledFrom: h.districtFledFrom ?? 'outside',
    safeInHomeDistrict: h.safeInHomeDistrict,
    areasToAvoid: h.areasToAvoid,
    language: h.language ?? '',
    languageEssential: h.languageEssential,
    communities: h.communities,
  }
}

/**
 * The adult's trans status, asked at move-in for the Part 4 return's count of trans adults (the data standard's
 * `trans` code). Optional: left blank, it is not recorded. Never used to find, offer or refuse a place.
 */
export const adultTransAnswers = ['yes', 'no', 'not-known', 'declined'] as const
export type AdultTrans = (typeof adultTransAnswers)[number]
export const adultTransLabels: Record<AdultTrans, string> = {
  yes: 'Yes', no: 'No', 'not-known': 'Not known', declined: 'Prefers not to say',
}

/** The answer as posted: null when left blank; a problem naming the field when it is not one of the answers. */
export function parseAdultTrans(value: unknown): { ok: true; value: AdultTrans | null } | { ok: false; problem: Problem } {
  const problem = { field: 'adultTrans', message: 'Select whether the adult is trans, or leave it blank' }
  if (value !== undefined && value !== null && typeof value !== 'string') return { ok: false, problem }
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') return { ok: true, value: null }
  if ((adultTransAnswers as readonly string[]).includes(text)) return { ok: true, value: text as AdultTrans }
  return { ok: false, problem }
}
