/**
 * The synthetic benchmark generator for linkage: deterministic (a seed gives the same records on every
 * machine), with ground truth (each record carries the person it describes).
 *
 * People are residents of the partnership area with the demo generator's name tables (British by birth
 * cohort, Irish, Gypsy and Traveller, Polish, Lithuanian, Latvian, Romanian, Pakistani, Indian, Bangladeshi
 * and more, with gendered surname forms), plus a long tail of rarer surnames built from parts, so that common
 * names are common and most surnames are rare, as in real data.
 *
 * Each person appears in 1 + geometric(mean 1.5) records (capped at 12), spread over the agencies (6–12 of
 * them: police, IDVA, refuge, housing, social care, health, MARAC...). A record is one agency's person (its
 * person_ref, as linkage sees imported episodes): an agency mostly recognises a returning person, and
 * registers them twice only sometimes (15 %). Each record is written down with the
 * slips and changes real agencies produce:
 * - forenames: nicknames and formal forms, transliterations, typing slips, diacritics dropped;
 * - surnames: a second surname (maiden, married, separated, alias) used on some records; typing slips;
 *   confusable spellings; a Polish or Lithuanian woman recorded under the masculine form; one part of a
 *   double-barrelled name; names swapped between the boxes;
 * - dates of birth: day and month swapped, 1 January placeholders, a mistyped digit, year only, missing;
 * - postcodes: victims move (a new postcode on about 30 % of records), typing slips, outward code only;
 * - missing fields by agency (a refuge often leaves the postcode blank; a helpline rarely has a date of birth).
 *
 * Rates are calibrated so that two records of the same person disagree on the surname about 18 % of the time
 * and on the forename about 12 % (ALSPAC, Lam et al., IJPDS), when both are present. calibration() measures it.
 */
import { BASE_ORIGIN_MIX, cohortOf, GIVEN_NAME_VARIANTS, type Origin, type OriginCode, originOf, SURNAME_VARIANTS } from '../../demo/generator/names.ts'
import { nearbyPostcode, OUTWARD_CODES, postcodeTypo, randomPostcode } from '../../demo/generator/postcodes.ts'
import { Rng, Weighted } from '../../demo/generator/prng.ts'
import { stripDiacritics, typo } from '../../demo/generator/variation.ts'
import { normaliseName } from './names.ts'
import type { PersonRecord } from './record.ts'

export const GENERATOR_VERSION = 1

export type SyntheticAgency = {
  code: string
  kind: string
  /** Relative share of records. */
  volume: number
  missing: { given: number; family: number; dob: number; postcode: number; sex: number }
  /** Share of dates of birth recorded as the year only (age known, date not). */
  yearOnly: number
  /** Police systems drop diacritics and upper-case surnames more often. */
  dropsDiacritics: number
}

const AGENCY_TEMPLATES: readonly SyntheticAgency[] = [
  { code: 'police', kind: 'police', volume: 30, missing: { given: 0.005, family: 0.005, dob: 0.03, postcode: 0.08, sex: 0.01 }, yearOnly: 0.01, dropsDiacritics: 0.75 },
  { code: 'idva', kind: 'idva-service', volume: 15, missing: { given: 0.002, family: 0.01, dob: 0.04, postcode: 0.1, sex: 0.01 }, yearOnly: 0.02, dropsDiacritics: 0.4 },
  { code: 'refuge', kind: 'refuge-provider', volume: 5, missing: { given: 0.002, family: 0.05, dob: 0.08, postcode: 0.6, sex: 0.02 }, yearOnly: 0.03, dropsDiacritics: 0.4 },
  { code: 'housing', kind: 'housing', volume: 10, missing: { given: 0.002, family: 0.005, dob: 0.02, postcode: 0.03, sex: 0.05 }, yearOnly: 0.01, dropsDiacritics: 0.5 },
  { code: 'childrens', kind: 'children-social-care', volume: 8, missing: { given: 0.005, family: 0.02, dob: 0.06, postcode: 0.05, sex: 0.03 }, yearOnly: 0.04, dropsDiacritics: 0.4 },
  { code: 'marac', kind: 'marac', volume: 7, missing: { given: 0.002, family: 0.01, dob: 0.05, postcode: 0.15, sex: 0.02 }, yearOnly: 0.08, dropsDiacritics: 0.5 },
  { code: 'health', kind: 'health', volume: 8, missing: { given: 0.002, family: 0.003, dob: 0.01, postcode: 0.03, sex: 0.005 }, yearOnly: 0.005, dropsDiacritics: 0.3 },
  { code: 'outreach', kind: 'specialist-da-service', volume: 6, missing: { given: 0.01, family: 0.08, dob: 0.2, postcode: 0.3, sex: 0.05 }, yearOnly: 0.1, dropsDiacritics: 0.4 },
  { code: 'adults', kind: 'adult-social-care', volume: 4, missing: { given: 0.002, family: 0.01, dob: 0.03, postcode: 0.05, sex: 0.02 }, yearOnly: 0.02, dropsDiacritics: 0.4 },
  { code: 'probation', kind: 'probation', volume: 3, missing: { given: 0.002, family: 0.005, dob: 0.01, postcode: 0.2, sex: 0.01 }, yearOnly: 0.01, dropsDiacritics: 0.6 },
  { code: 'isva', kind: 'sexual-violence', volume: 2, missing: { given: 0.01, family: 0.05, dob: 0.15, postcode: 0.25, sex: 0.02 }, yearOnly: 0.05, dropsDiacritics: 0.4 },
  { code: 'helpline', kind: 'helpline', volume: 2, missing: { given: 0.02, family: 0.3, dob: 0.5, postcode: 0.5, sex: 0.05 }, yearOnly: 0.2, dropsDiacritics: 0.5 },
]

export type SyntheticOptions = {
  records: number
  seed?: number | string
  /** 6 to 12 agencies (default 10). */
  agencies?: number
  /** Mean number of extra records per person (default 1.5, so 2.5 records per person). */
  meanExtraRecords?: number
  /** The year "now" (ages and plausible dates). Default 2026. */
  year?: number
}

export type SyntheticRecord = PersonRecord & { person: number }

export type SyntheticData = {
  records: SyntheticRecord[]
  /** Per record, the true person (0-based). */
  truth: Int32Array
  people: number
  agencies: SyntheticAgency[]
  version: number
}

/** Rates per recording (see the module comment); tuned with calibration(). */
export const RATES = {
  forenameNickname: 0.045,
  forenameTypo: 0.025,
  /** Share of people with a middle name, and of their records that use it (alone, or with the first name). */
  middleName: 0.2,
  middleNameUse: 0.12,
  /** Share of women with a second surname (maiden, married, separated, alias). */
  secondSurname: 0.3,
  /** Share of their records written with the second surname. */
  secondSurnameUse: 0.27,
  surnameVariant: 0.03,
  surnameTypo: 0.03,
  masculineForm: 0.12,
  doubleBarrelled: 0.03,
  doubleBarrelOnePart: 0.3,
  namesSwapped: 0.006,
  dobSwapped: 0.025,
  dobPlaceholder: 0.012,
  dobTypo: 0.02,
  moved: 0.3,
  movedSameDistrict: 0.4,
  postcodeTypo: 0.02,
  outwardOnly: 0.03,
  sexError: 0.005,
  /** When a person comes back to an agency that knows them, the share registered again under a new reference. */
  internalDuplicate: 0.15,
}

// ---------------------------------------------------------------------------------------------------
// A long tail of surnames, built from parts (no real family is described).

const BRITISH_HEADS = 'Ash Brad Black Brook Cart Chal Craw Dal Dun Fair Fen Hart Hol Kirk Lang Mar Mid Mor Nor Pen Rad Rams Red Roth Sal Shel Stan Stock Thorn Wad Wel Whit Wick Win Wood Ald Bar Bel Bram Bur Cal Cliff Cols Dar Ed Elm Far Gar Gold Hal Haw Hen Hinch Kel Lath Lind Marsh Mel New Old Ox Pres Ris Rush Sef Sher Sil Small Thur Tun Up Wal War Wes Yar Al Bick Cob Dray Fox Gil Ing'.split(' ')
const BRITISH_MIDDLES = ['', 'ing', 'er', 'en', 'a', 'es', 'el', 'ey']
const BRITISH_TAILS = 'ton ley wood field ford by ham worth well bury more stone ridge croft hurst land shaw wick dale mere combe cott den gate thwaite low brook holm ham sted'.split(' ')
const POLISH_STEMS = 'Kowal Nowic Wiśniew Zieliń Kamiń Lewandow Dąbrow Kozłow Jankow Mazur Krawc Piotrow Grabow Pawlow Michalow Król Wieczor Jabłoń Wróblew Majew Olszew Jaworow Malinow Stępień Górs Rutkow Sikor Baran Czarnec Kubiak Walczak Sadow Bielec Ostrow Tomaszew Zawadz Chmielew Borkow Czerwiń Sobczak Kaczmar Urban Laskow Sokołow Szczepań Przybył Wasilew Kalinow'.split(' ')
const LITHUANIAN_STEMS = 'Kazl Jank Petr Stank Vasili Žuk Paul Ramon Sakal Mikal Baran Jon Kavali Navic Rimk Valanč Butkev Adom Šimk Lukoš Marcink Dambr Žemait Balčiūn Gudel Raudon Bagdon Kriščiūn Vaitk Sabal'.split(' ')
const LITHUANIAN_ENDINGS = ['auskas', 'evičius', 'aitis', 'onis', 'ėnas']

type Surname = { m: string; f: string; fUnmarried: string }

function tailSurnames(): { british: Weighted<Surname>; polish: Weighted<Surname>; lithuanian: Weighted<Surname> } {
  const british: [Surname, number][] = []
  let rank = 1
  for (const head of BRITISH_HEADS) {
    for (const middle of BRITISH_MIDDLES) {
      for (const tail of BRITISH_TAILS) {
        const name = head + middle + tail
        british.push([{ m: name, f: name, fUnmarried: name }, 1 / (rank++) ** 0.6])
      }
    }
  }
  const polish: [Surname, number][] = []
  rank = 1
  for (const stem of POLISH_STEMS) {
    for (const [m, f] of [['ski', 'ska'], ['icz', 'icz'], ['czyk', 'czyk'], ['ak', 'ak']] as const) {
      const base = stem
      polish.push([{ m: base + m, f: base + f, fUnmarried: base + f }, 1 / (rank++) ** 0.6])
    }
  }
  const lithuanian: [Surname, number][] = []
  rank = 1
  for (const stem of LITHUANIAN_STEMS) {
    for (const ending of LITHUANIAN_ENDINGS) {
      const m = stem + ending
      const root = m.replace(/(as|is|us|ius|ys)$/, '')
      lithuanian.push([{ m, f: `${root}ienė`, fUnmarried: `${root}${ending.endsWith('ius') ? 'iūtė' : 'aitė'}` }, 1 / (rank++) ** 0.6])
    }
  }
  return { british: new Weighted(british), polish: new Weighted(polish), lithuanian: new Weighted(lithuanian) }
}

let tails: ReturnType<typeof tailSurnames> | undefined

// ---------------------------------------------------------------------------------------------------

type Person = {
  sex: 'female' | 'male'
  origin: Origin
  given: string
  /** A middle name some records use, or ''. */
  middle: string
  family: string
  /** A second surname used on some records, or ''. */
  second: string
  /** The masculine form of a gendered surname (for the slip of recording a woman under it), or ''. */
  masculine: string
  dob: { year: number; month: number; day: number }
  postcode: string
  district: string
}

const districts = Object.keys(OUTWARD_CODES)

function agePick(rng: Rng): number {
  // victims: peak 25-34, from 16 to 85
  const r = rng.float()
  if (r < 0.08) return rng.int(16, 19)
  if (r < 0.3) return rng.int(20, 26)
  if (r < 0.6) return rng.int(27, 36)
  if (r < 0.8) return rng.int(37, 46)
  if (r < 0.93) return rng.int(47, 59)
  return rng.int(60, 85)
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

function newPerson(rng: Rng, originMix: Weighted<OriginCode>, year: number): Person {
  tails ??= tailSurnames()
  const sex = rng.chance(0.8) ? 'female' : 'male'
  const code = originMix.sample(rng)
  const origin = originOf(code)
  const birthYear = year - agePick(rng)
  const month = rng.int(1, 12)
  const dob = { year: birthYear, month, day: rng.int(1, daysIn(birthYear, month)) }
  const names = sex === 'female' ? origin.female(cohortOf(birthYear)) : origin.male(cohortOf(birthYear))
  const given = names.sample(rng)
  let middle = rng.chance(RATES.middleName) ? names.sample(rng) : ''
  if (middle === given) middle = ''
  const britishLike = code === 'british' || code === 'irish' || code === 'mixed-british' || code === 'black-caribbean-british'
  let surname: Surname
  if (britishLike && rng.chance(0.7)) surname = tails.british.sample(rng)
  else if (code === 'polish' && rng.chance(0.5)) surname = tails.polish.sample(rng)
  else if (code === 'lithuanian' && rng.chance(0.5)) surname = tails.lithuanian.sample(rng)
  else surname = origin.surnames.sample(rng)
  const married = rng.chance(0.5)
  let family = sex === 'male' ? surname.m : married ? surname.f : surname.fUnmarried
  let second = ''
  if (sex === 'female' && rng.chance(RATES.secondSurname)) {
    // a maiden or married name: the unmarried form of the same family (Lithuanian), or another family's name
    const other = britishLike && rng.chance(0.5) ? tails.british.sample(rng) : origin.surnames.sample(rng)
    second = surname.fUnmarried !== surname.f && rng.chance(0.3) ? (married ? surname.fUnmarried : surname.f) : other.f
    if (second === family) second = ''
  }
  if (britishLike && rng.chance(RATES.doubleBarrelled)) {
    const other = tails.british.sample(rng).m
    if (other !== family) family = `${family}-${other}`
  }
  const district = districts[rng.int(0, districts.length - 1)]!
  return {
    sex,
    origin,
    given,
    middle,
    family,
    second,
    masculine: sex === 'female' && surname.m !== surname.f ? surname.m : '',
    dob,
    postcode: randomPostcode(rng, district),
    district,
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

function variantOf(rng: Rng, name: string, table: Readonly<Record<string, readonly string[]>>): string | undefined {
  const plain = stripDiacritics(name)
  const list = table[name] ?? table[plain]
  return list && list.length ? rng.pick(list) : undefined
}

/** One agency's recording of a person. */
function record(rng: Rng, p: Person, agency: SyntheticAgency, state: { postcode: string }): Omit<PersonRecord, 'key' | 'source'> {
  // forename
  let given = p.given
  if (rng.chance(RATES.forenameNickname)) given = variantOf(rng, given, GIVEN_NAME_VARIANTS) ?? given
  if (p.middle && rng.chance(RATES.middleNameUse)) given = rng.chance(0.6) ? p.middle : `${p.given} ${p.middle}`
  if (rng.chance(RATES.forenameTypo)) given = typo(rng, given)
  // surname
  let family = p.family
  if (p.second && rng.chance(RATES.secondSurnameUse)) family = p.second
  else if (p.masculine && rng.chance(RATES.masculineForm)) family = p.masculine
  if (family.includes('-') && rng.chance(RATES.doubleBarrelOnePart)) family = rng.pick(family.split('-'))
  if (rng.chance(RATES.surnameVariant)) family = variantOf(rng, family, SURNAME_VARIANTS) ?? family
  if (rng.chance(RATES.surnameTypo)) family = typo(rng, family)
  if (rng.chance(agency.dropsDiacritics)) {
    given = stripDiacritics(given)
    family = stripDiacritics(family)
  }
  if (agency.kind === 'police' && rng.chance(0.08)) family = family.toUpperCase()
  if (rng.chance(RATES.namesSwapped)) [given, family] = [family, given]
  // date of birth
  let { year, month, day } = p.dob
  let dob: string
  if (rng.chance(agency.yearOnly)) dob = String(year)
  else {
    if (rng.chance(RATES.dobSwapped) && day <= 12) [month, day] = [day, month]
    else if (rng.chance(RATES.dobPlaceholder)) [month, day] = [1, 1]
    else if (rng.chance(RATES.dobTypo)) {
      const which = rng.int(0, 2)
      if (which === 0) year += rng.pick([-10, -1, 1, 10])
      else if (which === 1) day = Math.min(daysIn(year, month), Math.max(1, day + rng.pick([-10, -1, 1, 10])))
      else month = Math.min(12, Math.max(1, month + rng.pick([-1, 1])))
    }
    dob = `${year}-${pad(month)}-${pad(Math.min(day, daysIn(year, month)))}`
  }
  // postcode: victims move
  if (rng.chance(RATES.moved)) {
    state.postcode = rng.chance(RATES.movedSameDistrict) ? nearbyPostcode(rng, state.postcode) : randomPostcode(rng, districts[rng.int(0, districts.length - 1)]!)
  }
  let postcode = state.postcode
  if (rng.chance(RATES.postcodeTypo)) postcode = postcodeTypo(rng, postcode)
  if (rng.chance(RATES.outwardOnly)) postcode = postcode.split(' ')[0]!
  let sex: string = p.sex
  if (rng.chance(RATES.sexError)) sex = p.sex === 'female' ? 'male' : 'female'
  const m = agency.missing
  return {
    givenName: rng.chance(m.given) ? null : given,
    familyName: rng.chance(m.family) ? null : family,
    dateOfBirth: rng.chance(m.dob) ? null : dob,
    postcode: rng.chance(m.postcode) ? null : postcode,
    sex: rng.chance(m.sex) ? null : sex,
  }
}

/** Generates about `records` records (exactly that many) of people spread across agencies. */
export function generate(options: SyntheticOptions): SyntheticData {
  const rng = new Rng(`hearth-linkage-v${GENERATOR_VERSION}:${options.seed ?? 42}`)
  const agencyCount = Math.min(12, Math.max(6, options.agencies ?? 10))
  const agencies = AGENCY_TEMPLATES.slice(0, agencyCount)
  const agencyTable = new Weighted(agencies.map((a, i) => [i, a.volume] as const))
  const originMix = new Weighted(BASE_ORIGIN_MIX.map(([code, weight]) => [code, weight] as const))
  const meanExtra = options.meanExtraRecords ?? 1.5
  const pExtra = meanExtra / (1 + meanExtra) // geometric: P(another record)
  const year = options.year ?? 2026
  const records: SyntheticRecord[] = []
  const truth = new Int32Array(options.records)
  let person = 0
  const refs = new Int32Array(agencies.length)
  while (records.length < options.records) {
    const p = newPerson(rng, originMix, year)
    let count = 1
    while (count < 12 && rng.chance(pExtra)) count++
    const state = { postcode: p.postcode }
    const seen = new Set<number>()
    for (let c = 0; c < count && records.length < options.records; c++) {
      // A record is one agency's person (agency + person_ref): an agency that already knows the person
      // usually finds them again, so draw again, but sometimes registers them twice (an internal duplicate).
      let a = agencyTable.sample(rng)
      for (let tries = 0; tries < 8 && seen.has(a) && !rng.chance(RATES.internalDuplicate); tries++) a = agencyTable.sample(rng)
      seen.add(a)
      const agency = agencies[a]!
      const ref = ++refs[a]!
      truth[records.length] = person
      records.push({ key: `${agency.code}:${ref}`, source: agency.code, person, ...record(rng, p, agency, state) })
    }
    person++
  }
  return { records, truth, people: person, agencies, version: GENERATOR_VERSION }
}

/**
 * Within-person disagreement: over pairs of records of the same person with the field present in both, the
 * share whose normalised forename (surname) differs. Targets: 0.12 and 0.18 (ALSPAC).
 */
export function calibration(data: SyntheticData, maxPeople = 50_000): { forename: number; surname: number; dateOfBirth: number; postcode: number; pairs: number } {
  const byPerson = new Map<number, SyntheticRecord[]>()
  for (const r of data.records) {
    if (r.person >= maxPeople) continue
    let list = byPerson.get(r.person)
    if (!list) byPerson.set(r.person, (list = []))
    list.push(r)
  }
  const fields = { forename: [0, 0], surname: [0, 0], dateOfBirth: [0, 0], postcode: [0, 0] }
  let pairs = 0
  const count = (field: keyof typeof fields, a: string, b: string) => {
    if (!a || !b) return
    fields[field][1]!++
    if (a !== b) fields[field][0]!++
  }
  for (const list of byPerson.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        pairs++
        const a = list[i]!
        const b = list[j]!
        count('forename', normaliseName(a.givenName), normaliseName(b.givenName))
        count('surname', normaliseName(a.familyName), normaliseName(b.familyName))
        count('dateOfBirth', a.dateOfBirth ?? '', b.dateOfBirth ?? '')
        count('postcode', (a.postcode ?? '').replace(/\s/g, '').toUpperCase(), (b.postcode ?? '').replace(/\s/g, '').toUpperCase())
      }
    }
  }
  const share = ([d, n]: number[]) => (n! > 0 ? d! / n! : 0)
  return { forename: share(fields.forename), surname: share(fields.surname), dateOfBirth: share(fields.dateOfBirth), postcode: share(fields.postcode), pairs }
}
