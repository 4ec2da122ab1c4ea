/**
 * IDVA casework rules: safe contact, engagement under the definition in force, and outcome measures at
 * exit compared with intake. Pure: nothing here reads the clock or the database.
 */
import type { EngagementDefinition } from '../partnership/profile.ts'

// ---------------------------------------------------------------------------------------------------------
// Contact attempts and safe contact
// ---------------------------------------------------------------------------------------------------------

export const contactMethods = [
  { code: 'phone-call', label: 'Phone call' },
  { code: 'voicemail', label: 'Voicemail message left' },
  { code: 'text-message', label: 'Text message' },
  { code: 'email', label: 'Email' },
  { code: 'letter-home', label: 'Letter to the home address' },
  { code: 'letter-safe-address', label: 'Letter to a safe address' },
  { code: 'in-person', label: 'In person' },
  { code: 'video-call', label: 'Video call' },
] as const
export type ContactMethod = (typeof contactMethods)[number]['code']

export const contactOutcomes = [
  { code: 'spoke', label: 'Spoke to the victim' },
  { code: 'no-answer', label: 'No answer' },
  { code: 'not-safe-to-talk', label: 'Not safe to talk' },
  { code: 'wrong-number', label: 'Wrong or unknown number' },
  { code: 'sent', label: 'Sent (message, email or letter)' },
  { code: 'declined-support', label: 'Declined support' },
] as const
export type ContactOutcome = (typeof contactOutcomes)[number]['code']

/** The safe-contact rules of a victim: whether a safe contact is held, and the two rules Hearth enforces. */
export type SafeContactRules = { held: boolean; noVoicemail: boolean; neverWriteHome: boolean }

export const noSafeContactRules: SafeContactRules = { held: false, noVoicemail: false, neverWriteHome: false }

/** The rules in plain English, for every page where contact is logged. */
export const safeContactRuleTexts = (rules: SafeContactRules): string[] => {
  const texts: string[] = []
  if (rules.noVoicemail) texts.push('Do not leave voicemail messages.')
  if (rules.neverWriteHome) texts.push('Never write to the home address.')
  return texts
}

/** Why this contact would break the victim's safe-contact rules, or null when it does not. */
export const contactProblem = (rules: SafeContactRules, method: string): string | null => {
  if (rules.noVoicemail && method === 'voicemail') {
    return 'The safe contact rules say no voicemail: a voicemail message must not be left for this victim'
  }
  if (rules.neverWriteHome && method === 'letter-home') {
    return 'The safe contact rules say never write to the home address: send nothing there'
  }
  return null
}

// ---------------------------------------------------------------------------------------------------------
// Engagement
// ---------------------------------------------------------------------------------------------------------

export const engagementActivityLabels: Record<string, string> = {
  'safe-contact-and-support-accepted': 'Safe contact made and support accepted',
  'information-and-advice': 'Accepted information and advice',
  'safety-planning': 'Accepted safety planning',
  'marac-feedback': 'Accepted MARAC feedback',
}

export const activityLabel = (code: string): string => engagementActivityLabels[code] ?? code.replaceAll('-', ' ')

export type EngagementOutcome = { engaged: boolean; activities: string[]; text: string; problem?: string }

/**
 * Did the victim engage, under the definition in force? Engaged when they accepted at least one of the
 * definition's qualifying activities. An activity the definition does not list is refused: recording
 * "safety planning" against the pre-2022 definition would blur the break in the series.
 */
export const engagementOutcome = (definition: EngagementDefinition, activities: readonly string[]): EngagementOutcome => {
  const unknown = activities.filter(a => !definition.qualifyingActivities.includes(a))
  if (unknown.length > 0) {
    return {
      engaged: false,
      activities: [],
      text: '',
      problem: `${unknown.map(activityLabel).join(', ')} ${unknown.length === 1 ? 'does' : 'do'} not count under the engagement definition in force (${definition.code})`,
    }
  }
  const chosen = definition.qualifyingActivities.filter(a => activities.includes(a))
  if (chosen.length === 0) {
    return { engaged: false, activities: [], text: `Not engaged under "${definition.text}"` }
  }
  return { engaged: true, activities: chosen, text: `Engaged: ${chosen.map(a => activityLabel(a).toLowerCase()).join(', ')}` }
}

// ---------------------------------------------------------------------------------------------------------
// Outcome measures at intake and exit (SafeLives Insights style)
// ---------------------------------------------------------------------------------------------------------

export const abuseTypes = [
  { code: 'physical', label: 'Physical abuse' },
  { code: 'sexual', label: 'Sexual abuse' },
  { code: 'harassment-stalking', label: 'Harassment and stalking' },
  { code: 'jealous-controlling', label: 'Jealous and controlling behaviour' },
] as const
export type AbuseType = (typeof abuseTypes)[number]['code']

export type IntakeOutcomes = { abuse: AbuseType[]; feelsSafe: 'yes' | 'no' | 'not-known'; qualityOfLife: number | null }
export type ExitOutcomes = { abuse: AbuseType[]; feelsSafer: 'yes' | 'no' | 'not-known'; qualityOfLife: number | null }

export type AbuseComparison = { code: AbuseType; label: string; atIntake: boolean; atExit: boolean; result: 'stopped' | 'continued' | 'started' | 'none' }

export type OutcomeComparison = {
  abuse: AbuseComparison[]
  stopped: string[]
  feelsSafer: ExitOutcomes['feelsSafer']
  qualityOfLife: { intake: number | null; exit: number | null; change: number | null }
}

/** Compare exit with intake: which abuse types stopped, continued or started, and the change in quality of life. */
export const compareOutcomes = (intake: IntakeOutcomes, exit: ExitOutcomes): OutcomeComparison => {
  const abuse = abuseTypes.map(({ code, label }): AbuseComparison => {
    const atIntake = intake.abuse.includes(code)
    const atExit = exit.abuse.includes(code)
    const result = atIntake && !atExit ? 'stopped' : atIntake && atExit ? 'continued' : !atIntake && atExit ? 'started' : 'none'
    return { code, label, atIntake, atExit, result }
  })
  const change = intake.qualityOfLife !== null && exit.qualityOfLife !== null ? exit.qualityOfLife - intake.qualityOfLife : null
  return {
    abuse,
    stopped: abuse.filter(a => a.result === 'stopped').map(a => a.label),
    feelsSafer: exit.feelsSafer,
    qualityOfLife: { intake: intake.qualityOfLife, exit: exit.qualityOfLife, change },
  }
}

export const closureReasons = [
  { code: 'support-completed', label: 'Support completed: risk reduced' },
  { code: 'unable-to-engage', label: 'Unable to make safe contact' },
  { code: 'declined-support', label: 'Declined support' },
  { code: 'moved-out-of-area', label: 'Moved out of the area' },
  { code: 'transferred', label: 'Transferred to another service' },
  { code: 'other', label: 'Other' },
] as const
export type ClosureReason = (typeof closureReasons)[number]['code']
