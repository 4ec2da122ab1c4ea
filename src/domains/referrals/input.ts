/**
 * What a referral records, as one validated shape. The JSON API posts it whole; the question pages build it
 * step by step in a draft and submit it through the same schema, so both paths check exactly the same rules.
 */
import { z } from 'zod'
import { codeList, codesOf, type CodedField, isValidCode } from '../../standard/codeLists.ts'
import { isIsoDate } from '../partnership/effectiveDated.ts'
import { relationships, type Relationship } from '../partnership/profile.ts'
import { dashAnswerValues, dashQuestionCodes, type DashQuestionCode } from '../risk/dash.ts'

export const relationshipLabels: Record<Relationship, string> = {
  'intimate-partner': 'Intimate partner (current)',
  'former-intimate-partner': 'Former intimate partner',
  'child-to-parent': "The victim's child (child to parent abuse)",
  'parent-to-child': "The victim's parent",
  'other-family-member': 'Another family member',
  carer: 'Carer',
  other: 'Other',
  'not-known': 'Not known',
}

export const consentValues = [
  { code: 'given', label: 'Yes, the victim consents to this referral and to information being shared' },
  { code: 'not-given', label: 'No, the victim does not consent' },
  { code: 'not-asked', label: 'Not asked (it was not safe or possible to ask)' },
] as const
export type Consent = (typeof consentValues)[number]['code']

/** Lawful bases for sharing under UK GDPR Article 6 (and the DPA 2018 safeguarding condition). */
export const lawfulBases = [
  { code: 'consent', label: 'Consent (UK GDPR Article 6(1)(a))' },
  { code: 'vital-interests', label: 'Vital interests: to protect someone’s life (Article 6(1)(d))' },
  { code: 'public-task', label: 'Public task (Article 6(1)(e)), with the DPA 2018 safeguarding condition' },
  { code: 'legal-obligation', label: 'Legal obligation (Article 6(1)(c))' },
  { code: 'legitimate-interests', label: 'Legitimate interests (Article 6(1)(f))' },
] as const
export type LawfulBasis = (typeof lawfulBases)[number]['code']

/**
 * The lawful basis must fit the consent: with consent, any basis; without it (refused or not asked),
 * sharing needs another basis, never "consent". Returns the problem, or null.
 */
export const lawfulBasisProblem = (consent: Consent, basis: LawfulBasis | undefined): string | null => {
  if (basis === undefined) return 'Select the lawful basis for sharing this information'
  if (consent !== 'given' && basis === 'consent') {
    return 'The victim has not consented, so consent cannot be the lawful basis: select the basis you are sharing under'
  }
  return null
}

export const yesNoNotKnown = ['yes', 'no', 'not-known'] as const

const trimmed = (max: number) => z.string().trim().max(max, `Must be ${max} characters or fewer`)
const optionalText = (max: number) =>
  z.string().trim().max(max, `Must be ${max} characters or fewer`).optional().nullable().transform(v => (v ? v : undefined))
const isoDate = (message: string) => z.string().refine(isIsoDate, { message })
const code = (field: CodedField) =>
  z.string().refine(v => isValidCode(field, v), { message: `Select a ${field.replaceAll('_', ' ')} from the list` })
    .optional().nullable().transform(v => v ?? undefined)
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Must be a person id')

const personFields = {
  givenName: trimmed(100).min(1, 'Enter their first name'),
  familyName: trimmed(100).min(1, 'Enter their last name'),
  dateOfBirth: isoDate('Enter a real date of birth').optional().nullable().transform(v => v ?? undefined),
  sex: code('sex'),
  genderIdentity: code('gender_identity'),
  postcode: optionalText(10),
  /** Link this new record to a person already known (reversible). Leave out to record a new person. */
  linkToPersonId: uuid.optional().nullable().transform(v => v ?? undefined),
}

export const victimSchema = z.object({
  ...personFields,
  districtCode: optionalText(60),
  ethnicity: code('ethnicity'),
  nationality: code('nationality'),
  mainLanguage: code('main_language'),
  disability: z.array(z.enum(codesOf('disability'))).default([]),
  sexualOrientation: code('sexual_orientation'),
  trans: code('trans'),
  interpreterNeeded: code('interpreter_needed'),
  nrpf: code('nrpf'),
  maritalStatus: code('marital_status'),
  employmentStatus: code('employment_status'),
  /** Additional needs (for the Young People's IDVA, up to 24 with additional needs). */
  additionalNeeds: z.boolean().default(false),
})
export type VictimInput = z.output<typeof victimSchema>

export const perpetratorSchema = z.object({
  ...personFields,
  givenName: trimmed(100).default(''),
  familyName: trimmed(100).default(''),
  relationship: z.enum(relationships, { message: 'Select how they are related to the victim' }),
}).refine(p => p.givenName !== '' || p.familyName !== '', { message: 'Enter at least a first or last name for the perpetrator', path: ['givenName'] })
export type PerpetratorInput = z.output<typeof perpetratorSchema>

export const childSchema = z.object({
  givenName: optionalText(100),
  familyName: optionalText(100),
  /** Date of birth, or the expected date for an unborn child. */
  dateOfBirth: isoDate('Enter a real date of birth or expected date'),
  unborn: z.boolean().default(false),
  sex: z.enum(['female', 'male', 'not-known']).default('not-known'),
  livesInHousehold: z.boolean(),
})
export type ChildInput = z.output<typeof childSchema>

export const householdSchema = z.object({
  householdType: code('household_type'),
  livesWithPerpetrator: z.enum(yesNoNotKnown).optional().transform(v => v ?? undefined),
  notes: optionalText(2000),
})
export type HouseholdInput = z.output<typeof householdSchema>

export const detailsSchema = z.object({
  referralDate: isoDate('Enter a real referral date'),
  referralSource: z.enum(codesOf('referral_source'), { message: 'Select who the referral comes from' }),
  stalking: z.boolean().default(false),
  consent: z.enum(consentValues.map(c => c.code) as [Consent, ...Consent[]], { message: 'Select whether the victim consents' }),
  lawfulBasis: z.enum(lawfulBases.map(b => b.code) as [LawfulBasis, ...LawfulBasis[]]).optional(),
}).superRefine((d, ctx) => {
  const problem = lawfulBasisProblem(d.consent, d.lawfulBasis)
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['lawfulBasis'] })
})
export type DetailsInput = z.output<typeof detailsSchema>

export const safeContactSchema = z.object({
  safeNumber: optionalText(40),
  safeTimes: optionalText(200),
  noVoicemail: z.boolean().default(false),
  neverWriteHome: z.boolean().default(false),
  notes: optionalText(1000),
})
export type SafeContactInput = z.output<typeof safeContactSchema>

const dashCodes = dashQuestionCodes as unknown as [DashQuestionCode, ...DashQuestionCode[]]
export const riskSchema = z.object({
  assessedOn: isoDate('Enter a real date for the assessment'),
  answers: z.partialRecord(z.enum(dashCodes), z.enum(dashAnswerValues)),
  comments: z.partialRecord(z.enum(dashCodes), trimmed(1000)).default({}),
  professionalJudgementReason: optionalText(2000),
  policeCallOuts12Months: z.number().int().min(0, 'Must be 0 or more').max(500).optional().nullable().transform(v => v ?? undefined),
  escalationReason: optionalText(2000),
})
export type RiskInput = z.output<typeof riskSchema>

export const referralInputSchema = z.object({
  victim: victimSchema,
  perpetrators: z.array(perpetratorSchema).max(10).default([]),
  children: z.array(childSchema).max(20).default([]),
  household: householdSchema.default({ householdType: undefined, livesWithPerpetrator: undefined, notes: undefined }),
  details: detailsSchema,
  safeContact: safeContactSchema.optional().nullable().transform(v => v ?? undefined),
  risk: riskSchema,
})
export type ReferralInput = z.output<typeof referralInputSchema>

/** Code-list options for forms: [{ value, text }]. */
export const optionsFor = (field: CodedField) => codeList(field).codes.map(c => ({ value: c.code, text: c.label }))
