/**
 * The referral question pages: what each page asks, how its answers are read from the form and checked,
 * and what it shows. The answers are kept server-side in the user's draft (referral_draft), never in URLs.
 * On "Submit", the draft goes through referralInputSchema, exactly like a referral posted to the API.
 */
import type { FieldProblem } from '../../web/forms.ts'
import { isValidCode } from '../../standard/codeLists.ts'
import type { PartnershipProfile } from '../partnership/profile.ts'
import { relationships } from '../partnership/profile.ts'
import { dashAnswerValues, dashQuestions, dashTopicLabels, dashTopics } from '../risk/dash.ts'
import {
  type Body, checkboxItems, dateItems, dateParts, list, type Option, partsOf, radioItems, readDate, selectItems, str, yesNo, yesNoItems,
} from './forms.ts'
import { consentValues, lawfulBases, optionsFor, relationshipLabels, yesNoNotKnown } from './input.ts'

export type PersonAnswers = {
  givenName: string
  familyName: string
  dateOfBirth?: string
  sex?: string
  genderIdentity?: string
  postcode?: string
}
export type VictimAnswers = PersonAnswers & { districtCode?: string }
export type MatchDecision = { decided: boolean; linkToPersonId?: string; linkedName?: string }
export type PerpetratorAnswers = PersonAnswers & { relationship: string; match?: MatchDecision }
export type ChildAnswers = { givenName?: string; familyName?: string; dateOfBirth: string; unborn: boolean; sex: string; livesInHousehold: boolean }
export type AboutAnswers = {
  ethnicity?: string; nationality?: string; mainLanguage?: string; disability: string[]; sexualOrientation?: string; trans?: string
  interpreterNeeded?: string; nrpf?: string; maritalStatus?: string; employmentStatus?: string; additionalNeeds: boolean
}
export type HouseholdAnswers = { householdType?: string; livesWithPerpetrator?: string; notes?: string }
export type DetailsAnswers = { referralDate: string; referralSource: string; stalking: boolean; consent: string; lawfulBasis?: string }
export type SafeContactAnswers = { held: boolean; safeNumber?: string; safeTimes?: string; noVoicemail: boolean; neverWriteHome: boolean; notes?: string }
export type RiskAnswers = {
  assessedOn: string
  answers: Record<string, string>
  comments: Record<string, string>
  professionalJudgementReason?: string
  policeCallOuts12Months?: number
  escalationReason?: string
}

export type DraftAnswers = {
  victim?: VictimAnswers
  victimMatch?: MatchDecision
  about?: AboutAnswers
  perpetrators?: PerpetratorAnswers[]
  perpetratorsDone?: boolean
  children?: ChildAnswers[]
  childrenDone?: boolean
  household?: HouseholdAnswers
  details?: DetailsAnswers
  safeContact?: SafeContactAnswers
  risk?: RiskAnswers
}

/** The question pages in order. */
export const stepOrder = ['victim', 'about-victim', 'perpetrators', 'children', 'household', 'details', 'safe-contact', 'risk'] as const
export type Step = (typeof stepOrder)[number]
export const isStep = (value: string): value is Step => (stepOrder as readonly string[]).includes(value)
export const stepTitles: Record<Step, string> = {
  victim: 'About the victim',
  'about-victim': 'Equality and diversity information',
  perpetrators: 'The person or people causing harm',
  children: 'Children',
  household: 'Household',
  details: 'About the referral',
  'safe-contact': 'Safe contact details',
  risk: 'DASH risk checklist',
}

export const nextStep = (step: Step): Step | 'check' => stepOrder[stepOrder.indexOf(step) + 1] ?? 'check'

const opt = (field: Parameters<typeof optionsFor>[0]): Option[] => optionsFor(field).map(o => ({ value: o.value, text: o.text }))
const optional = (value: string) => (value === '' ? undefined : value)
const codeOrProblem = (problems: FieldProblem[], field: string, codeList: Parameters<typeof isValidCode>[0], value: string, label: string) => {
  if (value && !isValidCode(codeList, value)) problems.push({ field, message: `Select ${label} from the list` })
  return optional(value)
}

export type StepRead<T> = { values: T; problems: FieldProblem[] }

// ---------------------------------------------------------------------------------------------------------
// Reading each page
// ---------------------------------------------------------------------------------------------------------

function readPerson(body: Body, problems: FieldProblem[], names: 'required' | 'either'): PersonAnswers {
  const givenName = str(body, 'givenName').slice(0, 100)
  const familyName = str(body, 'familyName').slice(0, 100)
  if (names === 'required') {
    if (!givenName) problems.push({ field: 'givenName', message: 'Enter their first name' })
    if (!familyName) problems.push({ field: 'familyName', message: 'Enter their last name' })
  } else if (!givenName && !familyName) {
    problems.push({ field: 'givenName', message: 'Enter a first or last name (or what they are known as)' })
  }
  const dob = readDate(body, 'dateOfBirth', 'Date of birth')
  if (dob.problem) problems.push(dob.problem)
  const postcode = str(body, 'postcode').toUpperCase()
  if (postcode && !/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/.test(postcode)) problems.push({ field: 'postcode', message: 'Enter a real postcode, like CB1 2AB' })
  return {
    givenName,
    familyName,
    ...(dob.value ? { dateOfBirth: dob.value } : {}),
    ...(optional(str(body, 'sex')) ? { sex: codeOrProblem(problems, 'sex', 'sex', str(body, 'sex'), 'their sex') } : {}),
    ...(optional(str(body, 'genderIdentity')) ? { genderIdentity: codeOrProblem(problems, 'genderIdentity', 'gender_identity', str(body, 'genderIdentity'), 'a gender identity') } : {}),
    ...(postcode ? { postcode } : {}),
  }
}

export function readVictim(body: Body, profile: PartnershipProfile, today: string): StepRead<VictimAnswers> {
  const problems: FieldProblem[] = []
  const person = readPerson(body, problems, 'required')
  if (person.dateOfBirth && person.dateOfBirth > today) problems.push({ field: 'dateOfBirth-day', message: 'Date of birth must be in the past' })
  const districtCode = str(body, 'districtCode')
  if (districtCode && !profile.districts.some(d => d.code === districtCode)) problems.push({ field: 'districtCode', message: 'Select a district from the list' })
  return { values: { ...person, ...(districtCode ? { districtCode } : {}) }, problems }
}

export function readAbout(body: Body): StepRead<AboutAnswers> {
  const problems: FieldProblem[] = []
  const disability = list(body, 'disability')
  const bad = disability.filter(d => !isValidCode('disability', d))
  if (bad.length) problems.push({ field: 'disability', message: 'Select disabilities from the list' })
  const exclusive = disability.filter(d => ['none', 'not-known', 'declined'].includes(d))
  if (exclusive.length && disability.length > 1) problems.push({ field: 'disability', message: `“${exclusive[0]!.replace('-', ' ')}” cannot be selected with other answers` })
  const additional = yesNo(body, 'additionalNeeds')
  return {
    values: {
      ethnicity: codeOrProblem(problems, 'ethnicity', 'ethnicity', str(body, 'ethnicity'), 'an ethnic group'),
      nationality: codeOrProblem(problems, 'nationality', 'nationality', str(body, 'nationality'), 'a nationality'),
      mainLanguage: codeOrProblem(problems, 'mainLanguage', 'main_language', str(body, 'mainLanguage'), 'a language'),
      disability,
      sexualOrientation: codeOrProblem(problems, 'sexualOrientation', 'sexual_orientation', str(body, 'sexualOrientation'), 'a sexual orientation'),
      trans: codeOrProblem(problems, 'trans', 'trans', str(body, 'trans'), 'an answer'),
      interpreterNeeded: codeOrProblem(problems, 'interpreterNeeded', 'interpreter_needed', str(body, 'interpreterNeeded'), 'an answer'),
      nrpf: codeOrProblem(problems, 'nrpf', 'nrpf', str(body, 'nrpf'), 'an answer'),
      maritalStatus: codeOrProblem(problems, 'maritalStatus', 'marital_status', str(body, 'maritalStatus'), 'a marital status'),
      employmentStatus: codeOrProblem(problems, 'employmentStatus', 'employment_status', str(body, 'employmentStatus'), 'an employment status'),
      additionalNeeds: additional ?? false,
    },
    problems,
  }
}

export function readPerpetrator(body: Body): StepRead<PerpetratorAnswers> {
  const problems: FieldProblem[] = []
  const person = readPerson(body, problems, 'either')
  const relationship = str(body, 'relationship')
  if (!(relationships as readonly string[]).includes(relationship)) problems.push({ field: 'relationship', message: 'Select how they are related to the victim' })
  return { values: { ...person, relationship }, problems }
}

export function readChild(body: Body, today: string): StepRead<ChildAnswers> {
  const problems: FieldProblem[] = []
  const born = str(body, 'born')
  if (born !== 'yes' && born !== 'no') problems.push({ field: 'born', message: 'Select whether the child has been born' })
  const unborn = born === 'no'
  const date = readDate(body, 'childDate', unborn ? 'Expected date' : 'Date of birth', { required: true })
  if (date.problem) problems.push(date.problem)
  else if (date.value && !unborn && date.value > today) problems.push({ field: 'childDate-day', message: 'Date of birth must be in the past: for an unborn child, choose "Not yet born"' })
  else if (date.value && unborn && date.value < today) problems.push({ field: 'childDate-day', message: 'The expected date must be in the future' })
  const lives = yesNo(body, 'livesInHousehold')
  if (lives === undefined) problems.push({ field: 'livesInHousehold', message: 'Select whether the child lives in the household' })
  const sex = str(body, 'childSex') || 'not-known'
  if (!['female', 'male', 'not-known'].includes(sex)) problems.push({ field: 'childSex', message: 'Select the child’s sex' })
  return {
    values: {
      ...(str(body, 'childGivenName') ? { givenName: str(body, 'childGivenName').slice(0, 100) } : {}),
      ...(str(body, 'childFamilyName') ? { familyName: str(body, 'childFamilyName').slice(0, 100) } : {}),
      dateOfBirth: date.value ?? '', unborn, sex, livesInHousehold: lives ?? false,
    },
    problems,
  }
}

export function readHousehold(body: Body): StepRead<HouseholdAnswers> {
  const problems: FieldProblem[] = []
  const livesWith = str(body, 'livesWithPerpetrator')
  if (livesWith && !(yesNoNotKnown as readonly string[]).includes(livesWith)) problems.push({ field: 'livesWithPerpetrator', message: 'Select an answer' })
  const notes = str(body, 'notes')
  if (notes.length > 2000) problems.push({ field: 'notes', message: 'Household notes must be 2,000 characters or fewer' })
  return {
    values: {
      householdType: codeOrProblem(problems, 'householdType', 'household_type', str(body, 'householdType'), 'a household type'),
      ...(livesWith ? { livesWithPerpetrator: livesWith } : {}),
      ...(notes ? { notes } : {}),
    },
    problems,
  }
}

export function readDetails(body: Body, today: string): StepRead<DetailsAnswers> {
  const problems: FieldProblem[] = []
  const date = readDate(body, 'referralDate', 'Referral date', { required: true })
  if (date.problem) problems.push(date.problem)
  else if (date.value && date.value > today) problems.push({ field: 'referralDate-day', message: 'Referral date must be today or in the past' })
  const referralSource = str(body, 'referralSource')
  if (!isValidCode('referral_source', referralSource)) problems.push({ field: 'referralSource', message: 'Select who the referral comes from' })
  const stalking = yesNo(body, 'stalking')
  if (stalking === undefined) problems.push({ field: 'stalking', message: 'Select whether stalking or harassment is part of the abuse' })
  const consent = str(body, 'consent')
  if (!consentValues.some(c => c.code === consent)) problems.push({ field: 'consent', message: 'Select whether the victim consents' })
  const lawfulBasis = str(body, 'lawfulBasis')
  if (!lawfulBasis) problems.push({ field: 'lawfulBasis', message: 'Select the lawful basis for sharing this information' })
  else if (!lawfulBases.some(b => b.code === lawfulBasis)) problems.push({ field: 'lawfulBasis', message: 'Select a lawful basis from the list' })
  else if (consent && consent !== 'given' && lawfulBasis === 'consent') {
    problems.push({ field: 'lawfulBasis', message: 'The victim has not consented, so consent cannot be the lawful basis: select the basis you are sharing under' })
  }
  return {
    values: { referralDate: date.value ?? '', referralSource, stalking: stalking ?? false, consent, ...(lawfulBasis ? { lawfulBasis } : {}) },
    problems,
  }
}

export function readSafeContact(body: Body): StepRead<SafeContactAnswers> {
  const problems: FieldProblem[] = []
  const held = yesNo(body, 'held')
  if (held === undefined) problems.push({ field: 'held', message: 'Select whether there is a safe way to contact the victim' })
  const rules = list(body, 'rules')
  const safeNumber = str(body, 'safeNumber')
  if (held && safeNumber && !/^[0-9 +()-]{6,20}$/.test(safeNumber)) problems.push({ field: 'safeNumber', message: 'Enter a phone number, like 07700 900 982' })
  const values: SafeContactAnswers = held
    ? {
        held: true,
        ...(safeNumber ? { safeNumber } : {}),
        ...(str(body, 'safeTimes') ? { safeTimes: str(body, 'safeTimes').slice(0, 200) } : {}),
        noVoicemail: rules.includes('noVoicemail'),
        neverWriteHome: rules.includes('neverWriteHome'),
        ...(str(body, 'safeNotes') ? { notes: str(body, 'safeNotes').slice(0, 1000) } : {}),
      }
    : { held: false, noVoicemail: rules.includes('noVoicemail'), neverWriteHome: rules.includes('neverWriteHome') }
  if (held && !safeNumber && !values.safeTimes && !values.notes) problems.push({ field: 'safeNumber', message: 'Enter the safe number, safe times or another safe way to make contact' })
  return { values, problems }
}

/** Reads the DASH page: every question answered (yes, no or don't know), each with an optional comment. */
export function readRisk(body: Body, today: string, options: { requireAll: boolean } = { requireAll: true }): StepRead<RiskAnswers> {
  const problems: FieldProblem[] = []
  const date = readDate(body, 'assessedOn', 'Date of the assessment', { required: true })
  if (date.problem) problems.push(date.problem)
  else if (date.value && date.value > today) problems.push({ field: 'assessedOn-day', message: 'Date of the assessment must be today or in the past' })
  const answers: Record<string, string> = {}
  const comments: Record<string, string> = {}
  for (const q of dashQuestions) {
    const answer = str(body, `answer-${q.code}`)
    if ((dashAnswerValues as readonly string[]).includes(answer)) answers[q.code] = answer
    else if (options.requireAll) problems.push({ field: `answer-${q.code}`, message: `Answer question ${q.number}: yes, no or don’t know` })
    const comment = str(body, `comment-${q.code}`)
    if (comment) comments[q.code] = comment.slice(0, 1000)
  }
  const callOutsText = str(body, 'policeCallOuts12Months')
  let policeCallOuts12Months: number | undefined
  if (callOutsText) {
    if (!/^\d{1,3}$/.test(callOutsText)) problems.push({ field: 'policeCallOuts12Months', message: 'Police call-outs must be a whole number, like 3' })
    else policeCallOuts12Months = Number(callOutsText)
  }
  const judgement = yesNo(body, 'judgement')
  const judgementReason = str(body, 'professionalJudgementReason')
  if (judgement === true && !judgementReason) problems.push({ field: 'professionalJudgementReason', message: 'Give the reason for your professional judgement' })
  const escalationReason = str(body, 'escalationReason')
  return {
    values: {
      assessedOn: date.value ?? '',
      answers,
      comments,
      ...(judgement === true && judgementReason ? { professionalJudgementReason: judgementReason.slice(0, 2000) } : {}),
      ...(policeCallOuts12Months !== undefined ? { policeCallOuts12Months } : {}),
      ...(escalationReason ? { escalationReason: escalationReason.slice(0, 2000) } : {}),
    },
    problems,
  }
}

// ---------------------------------------------------------------------------------------------------------
// What each page shows
// ---------------------------------------------------------------------------------------------------------

const sexOptions = opt('sex')
const genderOptions = opt('gender_identity')
const relationshipOptions: Option[] = relationships.map(r => ({ value: r, text: relationshipLabels[r] }))

/** Field values and item lists for a person's fields (victim and perpetrator pages). */
export function personView(values: Partial<PersonAnswers> | undefined, body: Body | undefined, errorFields: Set<string>) {
  const v = values ?? {}
  const dob = body ? dateParts(body, 'dateOfBirth') : partsOf(v.dateOfBirth)
  return {
    givenName: body ? str(body, 'givenName') : (v.givenName ?? ''),
    familyName: body ? str(body, 'familyName') : (v.familyName ?? ''),
    postcode: body ? str(body, 'postcode') : (v.postcode ?? ''),
    dateOfBirthItems: dateItems(dob, [...errorFields].some(f => f.startsWith('dateOfBirth'))),
    sexItems: radioItems(sexOptions, body ? str(body, 'sex') : v.sex),
    genderItems: selectItems(genderOptions, body ? str(body, 'genderIdentity') : v.genderIdentity, 'Not recorded'),
  }
}

export function victimView(values: VictimAnswers | undefined, body: Body | undefined, errorFields: Set<string>, profile: PartnershipProfile) {
  return {
    ...personView(values, body, errorFields),
    districtItems: selectItems(profile.districts.map(d => ({ value: d.code, text: d.name })), body ? str(body, 'districtCode') : values?.districtCode, 'Not known'),
  }
}

export function aboutView(values: AboutAnswers | undefined, body: Body | undefined) {
  const v = values ?? { disability: [], additionalNeeds: false }
  const pick = (key: keyof AboutAnswers) => (body ? str(body, key) : (v[key] as string | undefined))
  return {
    ethnicityItems: selectItems(opt('ethnicity'), pick('ethnicity'), 'Not recorded'),
    nationalityItems: selectItems(opt('nationality'), pick('nationality'), 'Not recorded'),
    languageItems: selectItems(opt('main_language'), pick('mainLanguage'), 'Not recorded'),
    disabilityItems: checkboxItems(opt('disability'), body ? list(body, 'disability') : v.disability),
    orientationItems: selectItems(opt('sexual_orientation'), pick('sexualOrientation'), 'Not recorded'),
    transItems: radioItems(opt('trans'), pick('trans')),
    interpreterItems: radioItems(opt('interpreter_needed'), pick('interpreterNeeded')),
    nrpfItems: radioItems(opt('nrpf'), pick('nrpf')),
    maritalItems: selectItems(opt('marital_status'), pick('maritalStatus'), 'Not recorded'),
    employmentItems: selectItems(opt('employment_status'), pick('employmentStatus'), 'Not recorded'),
    additionalNeedsItems: yesNoItems(body ? yesNo(body, 'additionalNeeds') : v.additionalNeeds),
  }
}

export function perpetratorFormView(body: Body | undefined, errorFields: Set<string>) {
  return {
    ...personView(undefined, body, errorFields),
    relationshipItems: selectItems(relationshipOptions, body ? str(body, 'relationship') : undefined),
  }
}

export function childFormView(body: Body | undefined, errorFields: Set<string>) {
  const parts = body ? dateParts(body, 'childDate') : partsOf(undefined)
  return {
    givenName: body ? str(body, 'childGivenName') : '',
    familyName: body ? str(body, 'childFamilyName') : '',
    bornItems: radioItems([{ value: 'yes', text: 'Born' }, { value: 'no', text: 'Not yet born (the victim is pregnant)' }], body ? str(body, 'born') : undefined),
    dateItems: dateItems(parts, [...errorFields].some(f => f.startsWith('childDate'))),
    sexItems: radioItems([{ value: 'female', text: 'Female' }, { value: 'male', text: 'Male' }, { value: 'not-known', text: 'Not known' }], body ? str(body, 'childSex') : undefined),
    livesItems: yesNoItems(body ? yesNo(body, 'livesInHousehold') : undefined),
  }
}

export function householdView(values: HouseholdAnswers | undefined, body: Body | undefined) {
  return {
    typeItems: radioItems(opt('household_type'), body ? str(body, 'householdType') : values?.householdType),
    livesWithItems: radioItems([{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }, { value: 'not-known', text: 'Not known' }], body ? str(body, 'livesWithPerpetrator') : values?.livesWithPerpetrator),
    notes: body ? str(body, 'notes') : (values?.notes ?? ''),
  }
}

export function detailsView(values: DetailsAnswers | undefined, body: Body | undefined, errorFields: Set<string>, today: string) {
  const parts = body ? dateParts(body, 'referralDate') : partsOf(values?.referralDate ?? today)
  return {
    dateItems: dateItems(parts, [...errorFields].some(f => f.startsWith('referralDate'))),
    sourceItems: selectItems(opt('referral_source'), body ? str(body, 'referralSource') : values?.referralSource),
    stalkingItems: yesNoItems(body ? yesNo(body, 'stalking') : values?.stalking),
    consentItems: radioItems(consentValues.map(c => ({ value: c.code, text: c.label })), body ? str(body, 'consent') : values?.consent),
    basisItems: radioItems(lawfulBases.map(b => ({ value: b.code, text: b.label })), body ? str(body, 'lawfulBasis') : values?.lawfulBasis),
  }
}

export function safeContactView(values: SafeContactAnswers | undefined, body: Body | undefined) {
  const rules = body ? list(body, 'rules') : [...(values?.noVoicemail ? ['noVoicemail'] : []), ...(values?.neverWriteHome ? ['neverWriteHome'] : [])]
  return {
    heldItems: yesNoItems(body ? yesNo(body, 'held') : values?.held),
    safeNumber: body ? str(body, 'safeNumber') : (values?.safeNumber ?? ''),
    safeTimes: body ? str(body, 'safeTimes') : (values?.safeTimes ?? ''),
    notes: body ? str(body, 'safeNotes') : (values?.notes ?? ''),
    ruleItems: checkboxItems([
      { value: 'noVoicemail', text: 'Do not leave voicemail messages' },
      { value: 'neverWriteHome', text: 'Never write to the home address' },
    ], rules),
  }
}

/** The DASH page: questions grouped by topic, each with its answer radios and comment. */
export function riskView(values: Partial<RiskAnswers> | undefined, body: Body | undefined, errorFields: Set<string>, today: string) {
  const parts = body ? dateParts(body, 'assessedOn') : partsOf(values?.assessedOn ?? today)
  const answerOf = (code: string) => (body ? str(body, `answer-${code}`) : values?.answers?.[code])
  const commentOf = (code: string) => (body ? str(body, `comment-${code}`) : (values?.comments?.[code] ?? ''))
  const judgement = body ? yesNo(body, 'judgement') : values ? Boolean(values.professionalJudgementReason) : undefined
  return {
    dateItems: dateItems(parts, [...errorFields].some(f => f.startsWith('assessedOn'))),
    topics: dashTopics.map(topic => ({
      label: dashTopicLabels[topic],
      questions: dashQuestions.filter(q => q.topic === topic).map(q => ({
        number: q.number,
        code: q.code,
        text: q.text,
        items: radioItems([{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }, { value: 'dont-know', text: 'Don’t know' }], answerOf(q.code)),
        comment: commentOf(q.code),
      })),
    })),
    policeCallOuts12Months: body ? str(body, 'policeCallOuts12Months') : (values?.policeCallOuts12Months?.toString() ?? ''),
    escalationReason: body ? str(body, 'escalationReason') : (values?.escalationReason ?? ''),
    judgementItems: yesNoItems(judgement),
    professionalJudgementReason: body ? str(body, 'professionalJudgementReason') : (values?.professionalJudgementReason ?? ''),
  }
}

// ---------------------------------------------------------------------------------------------------------
// From draft to referral input
// ---------------------------------------------------------------------------------------------------------

/** The draft as the referral input the service checks (the same shape the API takes). */
export function draftToInput(answers: DraftAnswers): unknown {
  const about = answers.about
  return {
    victim: answers.victim && {
      ...answers.victim,
      ...(about ?? { disability: [], additionalNeeds: false }),
      linkToPersonId: answers.victimMatch?.linkToPersonId,
    },
    perpetrators: (answers.perpetrators ?? []).map(p => {
      const { match, ...rest } = p
      return { ...rest, linkToPersonId: match?.linkToPersonId }
    }),
    children: answers.children ?? [],
    household: answers.household ?? {},
    details: answers.details,
    safeContact: answers.safeContact?.held
      ? { safeNumber: answers.safeContact.safeNumber, safeTimes: answers.safeContact.safeTimes, noVoicemail: answers.safeContact.noVoicemail, neverWriteHome: answers.safeContact.neverWriteHome, notes: answers.safeContact.notes }
      : answers.safeContact && (answers.safeContact.noVoicemail || answers.safeContact.neverWriteHome)
        ? { noVoicemail: answers.safeContact.noVoicemail, neverWriteHome: answers.safeContact.neverWriteHome }
        : undefined,
    risk: answers.risk,
  }
}

/** Which page to fix a submission problem on, from the problem's field path. */
export function stepForField(field: string): Step {
  const head = field.split('.')[0]
  if (head === 'victim') {
    const key = field.split('.')[1] ?? ''
    return ['givenName', 'familyName', 'dateOfBirth', 'sex', 'genderIdentity', 'postcode', 'districtCode', 'linkToPersonId'].includes(key) ? 'victim' : 'about-victim'
  }
  if (head === 'perpetrators') return 'perpetrators'
  if (head === 'children') return 'children'
  if (head === 'household') return 'household'
  if (head === 'details') return 'details'
  if (head === 'safeContact') return 'safe-contact'
  return 'risk'
}

/** Sections that still need an answer before the referral can be submitted. */
export function missingSections(answers: DraftAnswers): Step[] {
  const missing: Step[] = []
  if (!answers.victim) missing.push('victim')
  if (!answers.perpetratorsDone) missing.push('perpetrators')
  if (!answers.childrenDone) missing.push('children')
  if (!answers.details) missing.push('details')
  if (!answers.safeContact) missing.push('safe-contact')
  if (!answers.risk) missing.push('risk')
  return missing
}
