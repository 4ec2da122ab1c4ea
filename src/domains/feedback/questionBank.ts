/**
 * The survivor feedback question bank: answer scales, questions and survey versions.
 *
 * Built from the instruments in the sources (digest-cambs-peterborough.md section 5, digest-coventry.md
 * section 6): SADA's independent survivor evaluations (Yes / No / Sometimes; Excellent to Poor; satisfaction;
 * Fully to Not at all; free text "what was helpful" and "suggested improvements"), the refuge exit
 * questionnaire (felt safer; confident to seek support in future; quality of life improved), the Bobby Scheme's
 * outcome ratings (Improved / No change / Declined) and the online survey's "what would make you more likely
 * to seek support in future".
 *
 * Rules that keep results comparable over time:
 * - a question code always has the same scale; a survey version never changes once published (add a new
 *   version instead), so answers stored against a version and a question code always mean the same thing;
 * - every option of a scale is stored and shown, including those nobody chose (the sources' charts left
 *   empty categories out, which hides them).
 *
 * The words people read are not here: they are in `translations/`, one catalogue per language.
 */
import type { AgencyKind } from '../partnership/profile.ts'

export const scales = {
  'yes-no-sometimes': ['yes', 'sometimes', 'no'],
  'yes-no-not-sure': ['yes', 'not-sure', 'no'],
  'excellent-poor': ['excellent', 'good', 'okay', 'poor'],
  'satisfaction-5': ['very-satisfied', 'fairly-satisfied', 'neither', 'fairly-dissatisfied', 'very-dissatisfied'],
  'satisfaction-4': ['very-satisfied', 'fairly-satisfied', 'fairly-dissatisfied', 'very-dissatisfied'],
  'fully-not-at-all': ['fully', 'mostly', 'partly', 'not-at-all'],
  'improved-no-change-declined': ['improved', 'no-change', 'declined'],
} as const satisfies Record<string, readonly string[]>

export type ScaleCode = keyof typeof scales
export type AnswerKind = ScaleCode | 'text'

/** What staff read in results (English); survivors read the translated wording of their survey version. */
export const scaleLabels: Record<ScaleCode, Record<string, string>> = {
  'yes-no-sometimes': { yes: 'Yes', sometimes: 'Sometimes', no: 'No' },
  'yes-no-not-sure': { yes: 'Yes', 'not-sure': 'Not sure', no: 'No' },
  'excellent-poor': { excellent: 'Excellent', good: 'Good', okay: 'Okay', poor: 'Poor' },
  'satisfaction-5': {
    'very-satisfied': 'Very satisfied',
    'fairly-satisfied': 'Fairly satisfied',
    neither: 'Neither satisfied nor dissatisfied',
    'fairly-dissatisfied': 'Fairly dissatisfied',
    'very-dissatisfied': 'Very dissatisfied',
  },
  'satisfaction-4': {
    'very-satisfied': 'Very satisfied',
    'fairly-satisfied': 'Fairly satisfied',
    'fairly-dissatisfied': 'Fairly dissatisfied',
    'very-dissatisfied': 'Very dissatisfied',
  },
  'fully-not-at-all': { fully: 'Fully', mostly: 'Mostly', partly: 'Partly', 'not-at-all': 'Not at all' },
  'improved-no-change-declined': { improved: 'Improved', 'no-change': 'No change', declined: 'Declined' },
}

/**
 * Every question, with its scale and the short label staff see in results. Codes are stable: they are
 * stored with every answer.
 */
export const questionBank = {
  // About one service the person used (asked once for each service).
  listened: { kind: 'yes-no-sometimes', label: 'Felt listened to and understood' },
  safety: { kind: 'fully-not-at-all', label: 'The service improved their safety' },
  'felt-safer': { kind: 'yes-no-sometimes', label: 'Felt safer because of the help (young people)' },
  knowledge: { kind: 'excellent-poor', label: 'Knowledge of the staff' },
  satisfaction: { kind: 'satisfaction-5', label: 'Satisfaction with the service' },
  'satisfaction-young': { kind: 'satisfaction-4', label: 'Happy with the help (young people, 4-point)' },
  helpful: { kind: 'text', label: 'What was helpful' },
  improve: { kind: 'text', label: 'Suggested improvements' },
  // How things have changed (the Bobby Scheme's four outcomes).
  'outcome-safety': { kind: 'improved-no-change-declined', label: 'Feelings of safety' },
  'outcome-informed': { kind: 'improved-no-change-declined', label: 'Sense of empowerment (better informed)' },
  'outcome-wellbeing': { kind: 'improved-no-change-declined', label: 'Health and wellbeing' },
  'outcome-coping': { kind: 'improved-no-change-declined', label: 'Able to recover and cope with everyday life' },
  // Leaving a refuge (the refuge exit questionnaire).
  'refuge-safer': { kind: 'yes-no-not-sure', label: 'Feels much safer than on arrival (refuge exit)' },
  'refuge-confident': { kind: 'yes-no-not-sure', label: 'Confident to seek support in future (refuge exit)' },
  'refuge-quality': { kind: 'yes-no-not-sure', label: 'Quality of life improved (refuge exit)' },
  // Open questions.
  'seek-support': { kind: 'text', label: 'What would make it easier to seek support in future' },
  'anything-else': { kind: 'text', label: 'Anything else' },
} as const satisfies Record<string, { kind: AnswerKind; label: string }>

export type QuestionCode = keyof typeof questionBank
export const isQuestionCode = (value: string): value is QuestionCode => Object.hasOwn(questionBank, value)
export const kindOf = (code: QuestionCode): AnswerKind => questionBank[code].kind

/**
 * Groups of services, in the words a survivor would use, each covering one or more agency kinds of the
 * partnership profile. A person says which groups they had contact with, then (when the partnership has
 * more than one agency of that kind) which one.
 */
export const serviceGroups = {
  police: ['police'],
  idva: ['idva-service'],
  refuge: ['refuge-provider'],
  specialist: ['specialist-da-service'],
  children: ['children-social-care'],
  school: ['education'],
  housing: ['housing'],
  health: ['health'],
  other: ['adult-social-care', 'probation', 'local-authority', 'other'],
} as const satisfies Record<string, readonly AgencyKind[]>

export type ServiceGroup = keyof typeof serviceGroups
export const isServiceGroup = (value: string): value is ServiceGroup => Object.hasOwn(serviceGroups, value)

export function groupOfKind(kind: string): ServiceGroup | null {
  for (const [group, kinds] of Object.entries(serviceGroups)) {
    if ((kinds as readonly string[]).includes(kind)) return group as ServiceGroup
  }
  return null
}

export const groupLabels: Record<ServiceGroup, string> = {
  police: 'Police',
  idva: 'IDVA service',
  refuge: 'Refuge',
  specialist: 'Specialist domestic abuse service',
  children: 'Children’s services',
  school: 'School or college',
  housing: 'Housing',
  health: 'Health',
  other: 'Other service',
}

/** Why a link was issued. Exit questionnaires are offered at case closure and at refuge move-out. */
export const purposes = ['case-closure', 'refuge-move-out', 'other'] as const
export type Purpose = (typeof purposes)[number]
export const purposeLabels: Record<Purpose, string> = {
  'case-closure': 'Exit questionnaire at case closure',
  'refuge-move-out': 'Exit questionnaire at refuge move-out',
  other: 'Other feedback',
}

export type Audience = 'adult' | 'young-person'

/** A page of general questions, shown when `purposes` (if given) includes the link's purpose. */
export type GeneralPage = { id: string; questions: readonly QuestionCode[]; purposes?: readonly Purpose[] }

export type SurveyVersion = {
  code: string
  audience: Audience
  /** The service groups offered, in this order. */
  groups: readonly ServiceGroup[]
  /** Asked about each service the person used. */
  serviceQuestions: readonly QuestionCode[]
  /** Pages after the service pages. */
  generalPages: readonly GeneralPage[]
}

/** The published survey versions. Never edit one that has been published: add a new version. */
export const surveyVersions = {
  'adult-2026.1': {
    code: 'adult-2026.1',
    audience: 'adult',
    groups: ['police', 'idva', 'refuge', 'specialist', 'children', 'housing', 'health', 'other'],
    serviceQuestions: ['listened', 'safety', 'knowledge', 'satisfaction', 'helpful', 'improve'],
    generalPages: [
      { id: 'refuge', questions: ['refuge-safer', 'refuge-confident', 'refuge-quality'], purposes: ['refuge-move-out'] },
      { id: 'changes', questions: ['outcome-safety', 'outcome-informed', 'outcome-wellbeing', 'outcome-coping'] },
      { id: 'future', questions: ['seek-support', 'anything-else'] },
    ],
  },
  'young-person-2026.1': {
    code: 'young-person-2026.1',
    audience: 'young-person',
    groups: ['school', 'children', 'idva', 'police', 'health', 'other'],
    serviceQuestions: ['listened', 'felt-safer', 'satisfaction-young', 'helpful', 'improve'],
    generalPages: [{ id: 'future', questions: ['seek-support', 'anything-else'] }],
  },
} as const satisfies Record<string, SurveyVersion>

export type SurveyCode = keyof typeof surveyVersions
export const surveyCodes = Object.keys(surveyVersions) as SurveyCode[]
export const isSurveyCode = (value: string): value is SurveyCode => Object.hasOwn(surveyVersions, value)
export const surveyFor = (code: SurveyCode): SurveyVersion => surveyVersions[code]

/** The survey version new links use for each audience. */
export const currentSurvey: Record<Audience, SurveyCode> = { adult: 'adult-2026.1', 'young-person': 'young-person-2026.1' }

export const surveyLabels: Record<SurveyCode, string> = {
  'adult-2026.1': 'Adults (version 2026.1)',
  'young-person-2026.1': 'Children and young people (version 2026.1)',
}

/** The longest free-text answer accepted, in characters. */
export const MAX_TEXT = 2000
