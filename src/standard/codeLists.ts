/**
 * The partnership data standard: machine-readable, versioned code lists.
 *
 * One list per coded field of the `service-episodes` dataset. In-app forms, imports, reports and the
 * published JSON (`src/standard/published/`) all read these lists, so there is one source of truth.
 *
 * Rules that apply to every coded field:
 * - `not-known` (asked or looked for, but the answer is not known) and `declined` (the person chose not
 *   to say) are accepted in every list. They are kept apart from each other and from `other`.
 * - A blank cell means "not recorded": the agency did not record the item. It is never a code.
 *
 * Changing a list: add codes freely in a new minor version; never reuse or repurpose a code. Bump
 * `standardVersion`, then run `node src/standard/publish.ts` to regenerate the JSON and the tables in
 * docs/data-standard.md (a test fails while they are out of date).
 */
import { countries } from './countries.ts'
import { languages } from './languages.ts'

export const standardVersion = '2026.1'

export const NOT_KNOWN = 'not-known'
export const DECLINED = 'declined'
export type UnknownCode = typeof NOT_KNOWN | typeof DECLINED

export interface CodeEntry {
  readonly code: string
  readonly label: string
  /** A roll-up group for reports (e.g. the ONS high-level ethnic group). */
  readonly group?: string
  /** ONS Census 2021 classification code, where one exists. */
  readonly onsCode?: number
  readonly description?: string
  /** Multi-value fields only: the code cannot be combined with any other code. */
  readonly exclusive?: boolean
  /** `not-known` and `declined`, present in every list. */
  readonly special?: boolean
}

const yesNo = [
  { code: 'yes', label: 'Yes' },
  { code: 'no', label: 'No' },
] as const

const definitions = {
  service: {
    description: 'The kind of service that holds the episode.',
    multiValue: false,
    codes: [
      { code: 'idva', label: 'IDVA service' },
      { code: 'outreach', label: 'Community outreach' },
      { code: 'refuge', label: 'Refuge' },
      { code: 'dispersed', label: 'Dispersed safe accommodation' },
      { code: 'sanctuary', label: 'Sanctuary scheme' },
      { code: 'housing', label: 'Housing or homelessness service' },
      { code: 'marac', label: 'MARAC' },
      { code: 'police', label: 'Police' },
      { code: 'children-social-care', label: "Children's social care" },
      { code: 'adult-social-care', label: 'Adult social care' },
      { code: 'probation', label: 'Probation' },
      { code: 'sexual-violence', label: 'Sexual violence service (ISVA, SARC, Rape Crisis)' },
      { code: 'health', label: 'Health service' },
      { code: 'other', label: 'Other service' },
    ],
  },
  referral_source: {
    description: 'Who referred the person to this service.',
    multiValue: false,
    codes: [
      { code: 'police', label: 'Police' },
      { code: 'health', label: 'Health (GP, hospital, health IDVA, mental health)' },
      { code: 'housing', label: 'Housing (council or housing association)' },
      { code: 'children-social-care', label: "Children's social care" },
      { code: 'adult-social-care', label: 'Adult social care' },
      { code: 'education', label: 'Education (school, college, Operation Encompass)' },
      { code: 'idva', label: 'IDVA service' },
      { code: 'marac', label: 'MARAC' },
      { code: 'specialist-da-service', label: 'Specialist domestic abuse service (refuge, outreach, helpline)' },
      { code: 'self', label: 'Self-referral' },
      { code: 'family-friend', label: 'Family member or friend' },
      { code: 'probation', label: 'Probation' },
      { code: 'other', label: 'Other referrer' },
    ],
  },
  risk_level: {
    description:
      'Risk level from the DASH risk identification checklist or professional judgement. ' +
      '`not-assessed` means no assessment was done; `not-known` means one was done but its result is not known.',
    multiValue: false,
    codes: [
      { code: 'standard', label: 'Standard' },
      { code: 'medium', label: 'Medium' },
      { code: 'high', label: 'High' },
      { code: 'not-assessed', label: 'Not assessed' },
    ],
  },
  engaged: {
    description: 'Whether the person engaged with the service (accepted support beyond first contact).',
    multiValue: false,
    codes: yesNo,
  },
  sex: {
    description: 'Sex (as registered at birth or as recorded by the agency).',
    multiValue: false,
    codes: [
      { code: 'female', label: 'Female' },
      { code: 'male', label: 'Male' },
    ],
  },
  gender_identity: {
    description: 'Gender identity, as the person describes it. Record trans history separately in `trans`.',
    multiValue: false,
    codes: [
      { code: 'woman', label: 'Woman (including trans woman)' },
      { code: 'man', label: 'Man (including trans man)' },
      { code: 'non-binary', label: 'Non-binary' },
      { code: 'other', label: 'Other gender identity' },
    ],
  },
  trans: {
    description: 'Whether the gender the person identifies with differs from their sex registered at birth.',
    multiValue: false,
    codes: yesNo,
  },
  sexual_orientation: {
    description: 'Sexual orientation, as the person describes it.',
    multiValue: false,
    codes: [
      { code: 'heterosexual', label: 'Heterosexual or straight' },
      { code: 'gay-lesbian', label: 'Gay or lesbian' },
      { code: 'bisexual', label: 'Bisexual' },
      { code: 'other', label: 'Other sexual orientation' },
    ],
  },
  ethnicity: {
    description:
      'Ethnic group: the 19 categories of the ONS Census 2021 (England and Wales). ' +
      '`onsCode` is the ONS output code; `group` the high-level group.',
    multiValue: false,
    codes: [
      { code: 'asian-bangladeshi', label: 'Asian, Asian British or Asian Welsh: Bangladeshi', onsCode: 1, group: 'asian' },
      { code: 'asian-chinese', label: 'Asian, Asian British or Asian Welsh: Chinese', onsCode: 2, group: 'asian' },
      { code: 'asian-indian', label: 'Asian, Asian British or Asian Welsh: Indian', onsCode: 3, group: 'asian' },
      { code: 'asian-pakistani', label: 'Asian, Asian British or Asian Welsh: Pakistani', onsCode: 4, group: 'asian' },
      { code: 'asian-other', label: 'Asian, Asian British or Asian Welsh: Other Asian', onsCode: 5, group: 'asian' },
      { code: 'black-african', label: 'Black, Black British, Black Welsh, Caribbean or African: African', onsCode: 6, group: 'black' },
      { code: 'black-caribbean', label: 'Black, Black British, Black Welsh, Caribbean or African: Caribbean', onsCode: 7, group: 'black' },
      { code: 'black-other', label: 'Black, Black British, Black Welsh, Caribbean or African: Other Black', onsCode: 8, group: 'black' },
      { code: 'mixed-white-asian', label: 'Mixed or Multiple ethnic groups: White and Asian', onsCode: 9, group: 'mixed' },
      { code: 'mixed-white-black-african', label: 'Mixed or Multiple ethnic groups: White and Black African', onsCode: 10, group: 'mixed' },
      { code: 'mixed-white-black-caribbean', label: 'Mixed or Multiple ethnic groups: White and Black Caribbean', onsCode: 11, group: 'mixed' },
      { code: 'mixed-other', label: 'Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups', onsCode: 12, group: 'mixed' },
      { code: 'white-british', label: 'White: English, Welsh, Scottish, Northern Irish or British', onsCode: 13, group: 'white' },
      { code: 'white-irish', label: 'White: Irish', onsCode: 14, group: 'white' },
      { code: 'white-gypsy-irish-traveller', label: 'White: Gypsy or Irish Traveller', onsCode: 15, group: 'white' },
      { code: 'white-roma', label: 'White: Roma', onsCode: 16, group: 'white' },
      { code: 'white-other', label: 'White: Other White', onsCode: 17, group: 'white' },
      { code: 'other-arab', label: 'Other ethnic group: Arab', onsCode: 18, group: 'other' },
      { code: 'other-any', label: 'Other ethnic group: Any other ethnic group', onsCode: 19, group: 'other' },
    ],
  },
  disability: {
    description:
      'Disability, following the social model. Multi-value: record every one that applies. `none` means the person ' +
      'has no disability and cannot be combined with other codes (nor can `not-known` or `declined`).',
    multiValue: true,
    codes: [
      { code: 'none', label: 'No disability', exclusive: true },
      { code: 'physical', label: 'Physical or mobility impairment' },
      { code: 'sensory', label: 'Sensory impairment (Deaf or hearing, blind or visual)' },
      { code: 'mental-health', label: 'Mental health condition' },
      { code: 'learning-disability', label: 'Learning disability or difficulty' },
      { code: 'long-term-condition', label: 'Long-term illness or health condition' },
      { code: 'neurodivergent', label: 'Neurodivergent (for example autism, ADHD)' },
      { code: 'other', label: 'Other disability' },
    ],
  },
  nationality: {
    description:
      'Nationality as an ISO 3166-1 alpha-2 country code (upper case, e.g. GB, PL, LT), plus `stateless`. ' +
      'Where a person has more than one nationality, record the one most relevant to their support (e.g. for NRPF).',
    multiValue: false,
    codes: [...countries, { code: 'stateless', label: 'Stateless' }],
  },
  main_language: {
    description:
      'Main language: ISO 639-1 code (lower case, e.g. en, pl, lt, ur), or ISO 639-3 where there is no two-letter code ' +
      '(e.g. bfi British Sign Language, syl Sylheti).',
    multiValue: false,
    codes: languages,
  },
  interpreter_needed: {
    description: 'Whether the person needs an interpreter (spoken or sign language) to use the service.',
    multiValue: false,
    codes: yesNo,
  },
  nrpf: {
    description: 'Whether the person has no recourse to public funds.',
    multiValue: false,
    codes: yesNo,
  },
  marital_status: {
    description: 'Legal marital or civil partnership status, or relationship status where that is what is recorded.',
    multiValue: false,
    codes: [
      { code: 'single', label: 'Single (never married or in a civil partnership)' },
      { code: 'married-civil-partnership', label: 'Married or in a civil partnership' },
      { code: 'cohabiting', label: 'Cohabiting or living together' },
      { code: 'in-relationship-living-apart', label: 'In a relationship, living apart' },
      { code: 'separated', label: 'Separated (still legally married or in a civil partnership)' },
      { code: 'divorced-dissolved', label: 'Divorced or civil partnership dissolved' },
      { code: 'widowed', label: 'Widowed or surviving civil partner' },
      { code: 'other', label: 'Other' },
    ],
  },
  household_type: {
    description: 'Who lives in the household. The number of children goes in `children_count`.',
    multiValue: false,
    codes: [
      { code: 'single', label: 'Single adult, no children' },
      { code: 'single-with-children', label: 'Single adult with children' },
      { code: 'couple', label: 'Couple, no children' },
      { code: 'couple-with-children', label: 'Couple with children' },
      { code: 'other-with-children', label: 'Other household with children (e.g. several adults, extended family)' },
      { code: 'other', label: 'Other household without children' },
    ],
  },
  employment_status: {
    description:
      'Employment or economic status. Use `employed` only when full- or part-time is not recorded. ' +
      '`group` rolls the codes up into in-work, unemployed and inactive.',
    multiValue: false,
    codes: [
      { code: 'employed-full-time', label: 'Employed or self-employed, 30 hours a week or more', group: 'in-work' },
      { code: 'employed-part-time', label: 'Employed or self-employed, under 30 hours a week', group: 'in-work' },
      { code: 'employed', label: 'Employed or self-employed, hours not recorded', group: 'in-work' },
      { code: 'unemployed', label: 'Unemployed and seeking work', group: 'unemployed' },
      { code: 'looking-after-home-family', label: 'Looking after home or family', group: 'inactive' },
      { code: 'student', label: 'Student', group: 'inactive' },
      { code: 'retired', label: 'Retired', group: 'inactive' },
      { code: 'long-term-sick-disabled', label: 'Not working because of long-term sickness or disability', group: 'inactive' },
      { code: 'other-inactive', label: 'Other economically inactive', group: 'inactive' },
      { code: 'other', label: 'Other' },
    ],
  },
  support_needs: {
    description:
      'Additional support needs or vulnerabilities. Multi-value: record every one. `none` cannot be combined with ' +
      'other codes. Disability and NRPF have their own fields and are not repeated here.',
    multiValue: true,
    codes: [
      { code: 'none', label: 'No additional support needs', exclusive: true },
      { code: 'mental-health', label: 'Mental health' },
      { code: 'physical-health', label: 'Physical health' },
      { code: 'alcohol-misuse', label: 'Alcohol misuse' },
      { code: 'drug-misuse', label: 'Drug misuse' },
      { code: 'financial', label: 'Financial or money' },
      { code: 'legal', label: 'Legal' },
      { code: 'housing', label: 'Housing or homelessness' },
      { code: 'immigration', label: 'Immigration status' },
      { code: 'offending-history', label: 'Offending history' },
      { code: 'rough-sleeping', label: 'History of rough sleeping' },
      { code: 'sex-work', label: 'Involvement in sex work' },
      { code: 'care-leaver', label: 'Care leaver' },
      { code: 'modern-slavery', label: 'Modern slavery or trafficking' },
      { code: 'sexual-violence-exploitation', label: 'Sexual violence or exploitation' },
      { code: 'pregnancy', label: 'Pregnancy or new baby' },
      { code: 'children', label: 'Support for or with children' },
      { code: 'education-employment-training', label: 'Education, employment or training' },
      { code: 'language-communication', label: 'Language or communication' },
      { code: 'other', label: 'Other support need' },
    ],
  },
} as const satisfies Record<string, { description: string; multiValue: boolean; codes: readonly CodeEntry[] }>

export type CodedField = keyof typeof definitions
export const codedFields = Object.keys(definitions) as CodedField[]

/** The codes of one field, including `not-known` and `declined`. */
export type CodeOf<F extends CodedField> = (typeof definitions)[F]['codes'][number]['code'] | UnknownCode

export const specialCodes: readonly CodeEntry[] = [
  {
    code: NOT_KNOWN,
    label: 'Not known',
    description: 'The agency asked or looked, but the answer is not known.',
    special: true,
    exclusive: true,
  },
  {
    code: DECLINED,
    label: 'Declined to say',
    description: 'The person chose not to answer (prefer not to say).',
    special: true,
    exclusive: true,
  },
]

export interface CodeList {
  readonly field: CodedField
  readonly standardVersion: string
  readonly description: string
  readonly multiValue: boolean
  /** The field's own codes followed by `not-known` and `declined`. */
  readonly codes: readonly CodeEntry[]
}

const lists = new Map<string, CodeList>()
const validCodes = new Map<string, ReadonlySet<string>>()
const exclusiveCodes = new Map<string, ReadonlySet<string>>()
for (const field of codedFields) {
  const def = definitions[field]
  const list: CodeList = {
    field,
    standardVersion,
    description: def.description,
    multiValue: def.multiValue,
    codes: Object.freeze([...(def.codes as readonly CodeEntry[]), ...specialCodes]),
  }
  lists.set(field, Object.freeze(list))
  validCodes.set(field, new Set(list.codes.map((c) => c.code)))
  exclusiveCodes.set(field, new Set(list.codes.filter((c) => c.exclusive).map((c) => c.code)))
}

export const isCodedField = (field: string): field is CodedField => lists.has(field)

/** The code list of a coded field. Throws for a field that has no code list. */
export function codeList<F extends CodedField>(field: F): CodeList {
  const list = lists.get(field)
  if (!list) throw new Error(`"${field}" is not a coded field of the standard`)
  return list
}

/** Whether `value` is a code of `field` (exact and case-sensitive: codes are canonical). */
export function isValidCode<F extends CodedField>(field: F, value: string): value is CodeOf<F>
export function isValidCode(field: string, value: string): boolean
export function isValidCode(field: string, value: string): boolean {
  return validCodes.get(field)?.has(value) ?? false
}

/** The codes of a field as a plain array (for `z.enum` and forms). */
export function codesOf<F extends CodedField>(field: F): [CodeOf<F>, ...CodeOf<F>[]] {
  return codeList(field).codes.map((c) => c.code) as [CodeOf<F>, ...CodeOf<F>[]]
}

/** The display label of a code, or undefined for an unknown code. */
export function labelOf(field: CodedField, code: string): string | undefined {
  return codeList(field).codes.find((c) => c.code === code)?.label
}

/** Whether a code stands alone in a multi-value field (`none`, `not-known`, `declined`). */
export function isExclusiveCode(field: CodedField, code: string): boolean {
  return exclusiveCodes.get(field)?.has(code) ?? false
}

/** Every code list, for publishing. */
export function allCodeLists(): CodeList[] {
  return codedFields.map((f) => codeList(f))
}
