/**
 * The SafeLives DASH risk identification checklist (24 questions) as data.
 *
 * The question texts below are Hearth's own plain-English wording of each topic, written to the victim;
 * they are not the published SafeLives wording (which is SafeLives copyright). The order and topics follow
 * the SafeLives DASH RIC as summarised in shared/domain/anchors-existing-systems.md section (c).
 * "They" means the person causing the harm.
 *
 * Scoring: each "yes" is one tick; "no" and "don't know" score nothing (see `dashScore` in rules.ts).
 */
import { z } from 'zod'

export const dashAnswerValues = ['yes', 'no', 'dont-know'] as const
export type DashAnswer = (typeof dashAnswerValues)[number]

export const dashTopics = [
  'current-incident-and-fear',
  'isolation-mental-state-separation-children',
  'abuse-pattern-and-severity',
  'perpetrator-circumstances-and-history',
] as const
export type DashTopic = (typeof dashTopics)[number]

export const dashTopicLabels: Record<DashTopic, string> = {
  'current-incident-and-fear': 'The current incident and fear',
  'isolation-mental-state-separation-children': 'Isolation, wellbeing, separation and children',
  'abuse-pattern-and-severity': 'How often and how badly the abuse happens',
  'perpetrator-circumstances-and-history': "The other person's circumstances and history",
}

export const dashQuestions = [
  { number: 1, code: 'current-injury', topic: 'current-incident-and-fear', text: 'Were you injured in what happened this time? If so, please tell us whether it is the first time you have been hurt.' },
  { number: 2, code: 'very-frightened', topic: 'current-incident-and-fear', text: 'Are you very frightened?' },
  { number: 3, code: 'afraid-of-what', topic: 'current-incident-and-fear', text: 'Are you afraid of being hurt again, of violence, or of being killed? Tell us who you are afraid for: yourself, your children or someone else.' },
  { number: 4, code: 'isolated', topic: 'isolation-mental-state-separation-children', text: 'Do you feel cut off from family, friends or your GP, or are you stopped from seeing them?' },
  { number: 5, code: 'depressed-or-suicidal', topic: 'isolation-mental-state-separation-children', text: 'Are you feeling very low, depressed, or having thoughts of ending your life?' },
  { number: 6, code: 'separation', topic: 'isolation-mental-state-separation-children', text: 'Have you split up from them, or tried to, in the last year?' },
  { number: 7, code: 'child-contact-conflict', topic: 'isolation-mental-state-separation-children', text: 'Are there disagreements about them seeing the children?' },
  { number: 8, code: 'constant-contact-or-stalking', topic: 'isolation-mental-state-separation-children', text: 'Do they keep texting, calling or contacting you, follow you, or turn up where you are when you do not want them to?' },
  { number: 9, code: 'pregnant-or-recent-baby', topic: 'isolation-mental-state-separation-children', text: 'Are you pregnant, or have you had a baby recently?' },
  { number: 10, code: 'abuse-more-often', topic: 'abuse-pattern-and-severity', text: 'Is the abuse happening more often than before?' },
  { number: 11, code: 'abuse-getting-worse', topic: 'abuse-pattern-and-severity', text: 'Is the abuse getting worse?' },
  { number: 12, code: 'controlling-or-jealous', topic: 'abuse-pattern-and-severity', text: 'Do they try to control everything you do, or are they very jealous?' },
  { number: 13, code: 'weapons-or-objects', topic: 'abuse-pattern-and-severity', text: 'Have they used a weapon or an object to hurt you?' },
  { number: 14, code: 'threats-to-kill', topic: 'abuse-pattern-and-severity', text: 'Have they threatened to kill you or someone else, and did you believe them?' },
  { number: 15, code: 'strangling-choking-suffocating-drowning', topic: 'abuse-pattern-and-severity', text: 'Have they ever tried to strangle, choke, suffocate or drown you?' },
  { number: 16, code: 'sexual-abuse', topic: 'abuse-pattern-and-severity', text: 'Have they done or said sexual things that hurt you or made you feel degraded, or done so to someone else?' },
  { number: 17, code: 'another-person-threatening', topic: 'abuse-pattern-and-severity', text: 'Is there someone else who has threatened you, or who you are afraid of?' },
  { number: 18, code: 'hurt-others', topic: 'abuse-pattern-and-severity', text: 'Do you know if they have hurt anyone else?' },
  { number: 19, code: 'hurt-animals', topic: 'abuse-pattern-and-severity', text: 'Have they ever hurt or been cruel to an animal or a pet?' },
  { number: 20, code: 'financial-issues', topic: 'perpetrator-circumstances-and-history', text: 'Are there money problems, for example do you depend on them for money, or have they recently lost their job?' },
  { number: 21, code: 'drugs-alcohol-mental-health', topic: 'perpetrator-circumstances-and-history', text: 'In the last year, have they had problems with drugs, alcohol or their mental health that got in the way of everyday life?' },
  { number: 22, code: 'threatened-or-attempted-suicide', topic: 'perpetrator-circumstances-and-history', text: 'Have they ever threatened or tried to take their own life?' },
  { number: 23, code: 'broken-bail-or-orders', topic: 'perpetrator-circumstances-and-history', text: 'Have they broken bail conditions, a court order, or an agreement about contact with you or the children?' },
  { number: 24, code: 'criminal-history', topic: 'perpetrator-circumstances-and-history', text: 'Do you know if they have a criminal record or have been in trouble with the police?' },
] as const satisfies readonly { number: number; code: string; topic: DashTopic; text: string }[]

export type DashQuestion = (typeof dashQuestions)[number]
export type DashQuestionCode = DashQuestion['code']
export type DashQuestionNumber = DashQuestion['number']

export const dashQuestionCodes = dashQuestions.map(question => question.code) as readonly DashQuestionCode[]

/** Answers keyed by question code. A question left out has not been answered (it scores nothing). */
export type DashAnswers = Partial<Record<DashQuestionCode, DashAnswer>>

/** zod schema for a set of answers (for forms and imports): known codes only, known answers only. */
export const dashAnswersSchema = z.partialRecord(
  z.enum(dashQuestionCodes as unknown as [DashQuestionCode, ...DashQuestionCode[]]),
  z.enum(dashAnswerValues),
)
