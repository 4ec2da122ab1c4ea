/**
 * The unit form a provider's staff keep their inventory with: the unit's rules as structured attributes, a
 * room, and the sealed address. Pure: reads form values, returns a checked value or named problems.
 */
import { codeList, isValidCode } from '../../standard/codeLists.ts'
import { asArray } from '../../web/forms.ts'
import {
  type AccommodationType, accommodationTypes, type AdultGender, adultGenders, type Community, communities, type LocalConnectionRule,
  localConnectionRules, type PetKind, petKinds, type Problem,
} from './rules.ts'

type Body = Record<string, unknown>
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '')

export type UnitValues = {
  name: string
  type: AccommodationType
  districtCode: string
  areaLabel: string
  gendersAccepted: AdultGender[]
  maxMaleChildAge: number | null
  maxChildren: number | null
  petsAccepted: PetKind[]
  nrpfAccepted: boolean
  nrpfFundingRoute: string | null
  localConnection: LocalConnectionRule
  supportsSubstanceUse: boolean
  supportsMentalHealth: boolean
  languages: string[]
  byAndFor: Community[]
  isActive: boolean
  notes: string | null
}

export type UnitForm = Record<string, string | string[] | boolean>

export function readUnitForm(body: Body): UnitForm {
  return {
    name: str(body, 'name'), type: str(body, 'type'), districtCode: str(body, 'districtCode'), areaLabel: str(body, 'areaLabel'),
    gendersAccepted: asArray(body.gendersAccepted), maxMaleChildAge: str(body, 'maxMaleChildAge'), maxChildren: str(body, 'maxChildren'),
    petsAccepted: asArray(body.petsAccepted), nrpfAccepted: str(body, 'nrpfAccepted') === 'yes', nrpfFundingRoute: str(body, 'nrpfFundingRoute'),
    localConnection: str(body, 'localConnection'), support: asArray(body.support), languages: str(body, 'languages'),
    byAndFor: asArray(body.byAndFor), isActive: str(body, 'isActive') === 'yes', notes: str(body, 'notes'),
  }
}

const languageByName = new Map(codeList('main_language').codes.filter(c => !c.special).map(c => [c.label.toLowerCase(), c.code]))

/** "Polish, Lithuanian" or "pl, lt" → ['pl', 'lt']; unknown names are problems. */
export function parseLanguages(text: string): { codes: string[]; unknown: string[] } {
  const codes: string[] = []
  const unknown: string[] = []
  for (const part of text.split(/[,;]/).map(p => p.trim()).filter(Boolean)) {
    const code = isValidCode('main_language', part.toLowerCase()) ? part.toLowerCase() : languageByName.get(part.toLowerCase())
    if (!code) unknown.push(part)
    else if (code !== 'en' && !codes.includes(code)) codes.push(code)
  }
  return { codes, unknown }
}

const languageLabel = (code: string) => codeList('main_language').codes.find(c => c.code === code)?.label ?? code

export function unitToForm(u: UnitValues): UnitForm {
  return {
    name: u.name, type: u.type, districtCode: u.districtCode, areaLabel: u.areaLabel, gendersAccepted: u.gendersAccepted,
    maxMaleChildAge: u.maxMaleChildAge === null ? '' : String(u.maxMaleChildAge), maxChildren: u.maxChildren === null ? '' : String(u.maxChildren),
    petsAccepted: u.petsAccepted, nrpfAccepted: u.nrpfAccepted, nrpfFundingRoute: u.nrpfFundingRoute ?? '', localConnection: u.localConnection,
    support: [...(u.supportsSubstanceUse ? ['substance-use'] : []), ...(u.supportsMentalHealth ? ['mental-health'] : [])],
    languages: u.languages.map(languageLabel).join(', '), byAndFor: u.byAndFor, isActive: u.isActive, notes: u.notes ?? '',
  }
}

const wholeOrBlank = (text: string, min: number, max: number): number | null | 'invalid' => {
  if (text === '') return null
  if (!/^\d{1,2}$/.test(text)) return 'invalid'
  const n = Number(text)
  return n >= min && n <= max ? n : 'invalid'
}

export function checkUnit(form: UnitForm, districtCodes: readonly string[]): { ok: true; value: UnitValues } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const s = (k: string) => String(form[k] ?? '')
  const list = (k: string) => (Array.isArray(form[k]) ? (form[k] as string[]) : [])
  if (!s('name') || s('name').length > 100) problems.push({ field: 'name', message: 'Enter a name for the unit, without its address (100 characters or fewer)' })
  if (!(accommodationTypes as readonly string[]).includes(s('type'))) problems.push({ field: 'type', message: 'Select the type of accommodation' })
  if (!districtCodes.includes(s('districtCode'))) problems.push({ field: 'districtCode', message: 'Select the district the unit is in' })
  if (!s('areaLabel') || s('areaLabel').length > 60) problems.push({ field: 'areaLabel', message: 'Enter the town or area referrers will see (60 characters or fewer)' })
  const genders = list('gendersAccepted')
  if (genders.length === 0 || genders.some(g => !(adultGenders as readonly string[]).includes(g))) problems.push({ field: 'gendersAccepted', message: 'Select who the unit accepts' })
  const boys = wholeOrBlank(s('maxMaleChildAge'), 0, 17)
  if (boys === 'invalid') problems.push({ field: 'maxMaleChildAge', message: 'Enter the oldest age of boys accepted, from 0 to 17, or leave it blank for no limit' })
  const children = wholeOrBlank(s('maxChildren'), 0, 20)
  if (children === 'invalid') problems.push({ field: 'maxChildren', message: 'Enter the most children accepted, from 0 to 20, or leave it blank for no limit' })
  const pets = list('petsAccepted')
  if (pets.some(p => !(petKinds as readonly string[]).includes(p))) problems.push({ field: 'petsAccepted', message: 'Select pets from the list' })
  if (!(localConnectionRules as readonly string[]).includes(s('localConnection'))) problems.push({ field: 'localConnection', message: 'Select whom the unit takes by where they come from' })
  const languages = parseLanguages(s('languages'))
  if (languages.unknown.length) problems.push({ field: 'languages', message: `Hearth does not know the language ${languages.unknown.join(', ')}: use its English name, like Polish` })
  const byAndFor = list('byAndFor')
  if (byAndFor.some(c => !(communities as readonly string[]).includes(c))) problems.push({ field: 'byAndFor', message: 'Select communities from the list' })
  if (s('notes').length > 1000) problems.push({ field: 'notes', message: 'Keep the notes to 1,000 characters or fewer (no addresses or names)' })
  if (problems.length) return { ok: false, problems }
  const support = list('support')
  return {
    ok: true,
    value: {
      name: s('name'), type: s('type') as AccommodationType, districtCode: s('districtCode'), areaLabel: s('areaLabel'),
      gendersAccepted: genders as AdultGender[], maxMaleChildAge: boys as number | null, maxChildren: children as number | null,
      petsAccepted: pets as PetKind[], nrpfAccepted: form.nrpfAccepted === true, nrpfFundingRoute: form.nrpfAccepted === true ? s('nrpfFundingRoute') || null : null,
      localConnection: s('localConnection') as LocalConnectionRule, supportsSubstanceUse: support.includes('substance-use'),
      supportsMentalHealth: support.includes('mental-health'), languages: languages.codes, byAndFor: byAndFor as Community[],
      isActive: form.isActive === true, notes: s('notes') || null,
    },
  }
}

export type RoomValues = { label: string; childBeds: number; wheelchairAccessible: boolean; groundFloor: boolean }

export function checkRoom(body: Body): { ok: true; value: RoomValues } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const label = str(body, 'label')
  if (!label || label.length > 40) problems.push({ field: 'label', message: 'Enter a name for the room, like Room 4 (40 characters or fewer)' })
  const beds = wholeOrBlank(str(body, 'childBeds'), 0, 10)
  if (beds === null || beds === 'invalid') problems.push({ field: 'childBeds', message: 'Enter how many children the room sleeps, from 0 to 10' })
  if (problems.length) return { ok: false, problems }
  const access = asArray(body.access)
  return { ok: true, value: { label, childBeds: beds as number, wheelchairAccessible: access.includes('wheelchair'), groundFloor: access.includes('wheelchair') || access.includes('ground-floor') } }
}

export type AddressValues = { lines: string[]; postcode: string; phone: string | null }

export function checkAddress(body: Body): { ok: true; value: AddressValues } | { ok: false; problems: Problem[] } {
  const lines = [str(body, 'line1'), str(body, 'line2'), str(body, 'town')].filter(Boolean)
  const postcode = str(body, 'postcode').toUpperCase().replace(/\s+/g, ' ')
  const phone = str(body, 'phone') || null
  const problems: Problem[] = []
  if (!str(body, 'line1')) problems.push({ field: 'line1', message: 'Enter the first line of the address' })
  if (!str(body, 'town')) problems.push({ field: 'town', message: 'Enter the town or city' })
  if (!/^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/.test(postcode)) problems.push({ field: 'postcode', message: 'Enter a real postcode, like CB1 2AB' })
  if (phone && !/^[\d +()-]{6,20}$/.test(phone)) problems.push({ field: 'phone', message: 'Enter the telephone number in digits, like 01632 960000' })
  if (lines.some(l => l.length > 100)) problems.push({ field: 'line1', message: 'Keep each line to 100 characters or fewer' })
  if (problems.length) return { ok: false, problems }
  return { ok: true, value: { lines, postcode, phone } }
}
