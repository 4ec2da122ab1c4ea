/** Check your answers: the draft as GOV.UK summary lists, one card per question page, each with a Change link. */
import { labelOf } from '../../standard/codeLists.ts'
import type { PartnershipProfile, Relationship } from '../partnership/profile.ts'
import { dashQuestions } from '../risk/dash.ts'
import { consentValues, lawfulBases, relationshipLabels } from './input.ts'
import type { DraftAnswers, Step } from './steps.ts'

type Row = { key: { text: string }; value: { text?: string; html?: string } }
export type SummaryCard = { step: Step; title: string; rows: Row[]; complete: boolean }

const row = (key: string, text: string | null | undefined): Row => ({ key: { text: key }, value: { text: text || 'Not given' } })
const code = (field: Parameters<typeof labelOf>[0], value: string | null | undefined) => (value ? (labelOf(field, value) ?? value) : 'Not recorded')
const ukDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
export const formatDate = (value: string | null | undefined) => (value ? ukDate.format(new Date(`${value.slice(0, 10)}T12:00:00Z`)) : '')
const date = (value: string | null | undefined) => (value ? formatDate(value) : 'Not known')
const yes = (value: boolean | undefined) => (value === undefined ? 'Not given' : value ? 'Yes' : 'No')
const name = (p: { givenName?: string | undefined; familyName?: string | undefined }) => [p.givenName, p.familyName].filter(Boolean).join(' ') || 'Name not known'

export function checkAnswers(answers: DraftAnswers, profile: PartnershipProfile): SummaryCard[] {
  const v = answers.victim
  const about = answers.about
  const cards: SummaryCard[] = []
  cards.push({
    step: 'victim', title: 'About the victim', complete: Boolean(v),
    rows: v ? [
      row('Name', name(v)),
      row('Date of birth', date(v.dateOfBirth)),
      row('Sex', code('sex', v.sex)),
      row('Gender identity', code('gender_identity', v.genderIdentity)),
      row('Postcode', v.postcode),
      row('District', profile.districts.find(d => d.code === v.districtCode)?.name ?? 'Not known'),
      row('Known to the partnership', answers.victimMatch?.linkToPersonId ? `Linked to ${answers.victimMatch.linkedName ?? 'a known person'}` : 'Recorded as a new person'),
    ] : [],
  })
  cards.push({
    step: 'about-victim', title: 'Equality and diversity information', complete: Boolean(about),
    rows: about ? [
      row('Ethnic group', code('ethnicity', about.ethnicity)),
      row('Nationality', code('nationality', about.nationality)),
      row('Main language', code('main_language', about.mainLanguage)),
      row('Disability', about.disability.length ? about.disability.map(d => code('disability', d)).join(', ') : 'Not recorded'),
      row('Sexual orientation', code('sexual_orientation', about.sexualOrientation)),
      row('Trans', code('trans', about.trans)),
      row('Needs an interpreter', code('interpreter_needed', about.interpreterNeeded)),
      row('No recourse to public funds', code('nrpf', about.nrpf)),
      row('Marital status', code('marital_status', about.maritalStatus)),
      row('Employment', code('employment_status', about.employmentStatus)),
      row('Additional needs', yes(about.additionalNeeds)),
    ] : [],
  })
  const perps = answers.perpetrators ?? []
  cards.push({
    step: 'perpetrators', title: 'The person or people causing harm', complete: Boolean(answers.perpetratorsDone),
    rows: perps.length
      ? perps.map((p, i) => row(`Person ${i + 1}`, `${name(p)}, ${relationshipLabels[p.relationship as Relationship] ?? p.relationship}` +
          `${p.dateOfBirth ? `, born ${date(p.dateOfBirth)}` : ''}${p.match?.linkToPersonId ? ` (linked to ${p.match.linkedName ?? 'a known person'})` : ''}`))
      : answers.perpetratorsDone ? [row('People causing harm', 'None recorded')] : [],
  })
  const children = answers.children ?? []
  cards.push({
    step: 'children', title: 'Children', complete: Boolean(answers.childrenDone),
    rows: children.length
      ? children.map((c, i) => row(`Child ${i + 1}`, `${c.givenName ?? 'Name not given'}, ${c.unborn ? `expected ${date(c.dateOfBirth)}` : `born ${date(c.dateOfBirth)}`}, ` +
          `${c.sex === 'not-known' ? 'sex not known' : c.sex}, ${c.livesInHousehold ? 'lives in the household' : 'does not live in the household'}`))
      : answers.childrenDone ? [row('Children', 'None')] : [],
  })
  const h = answers.household
  cards.push({
    step: 'household', title: 'Household', complete: Boolean(h),
    rows: h ? [
      row('Household', code('household_type', h.householdType)),
      row('Lives with the person causing harm', h.livesWithPerpetrator === 'not-known' ? 'Not known' : h.livesWithPerpetrator === 'yes' ? 'Yes' : h.livesWithPerpetrator === 'no' ? 'No' : 'Not given'),
      row('Notes', h.notes),
    ] : [],
  })
  const d = answers.details
  cards.push({
    step: 'details', title: 'About the referral', complete: Boolean(d),
    rows: d ? [
      row('Referral date', date(d.referralDate)),
      row('Referred by', code('referral_source', d.referralSource)),
      row('Stalking or harassment', yes(d.stalking)),
      row('Consent', consentValues.find(c => c.code === d.consent)?.label),
      row('Lawful basis for sharing', lawfulBases.find(b => b.code === d.lawfulBasis)?.label),
    ] : [],
  })
  const s = answers.safeContact
  cards.push({
    step: 'safe-contact', title: 'Safe contact details (sealed)', complete: Boolean(s),
    rows: s ? [
      row('Safe way to make contact', s.held ? 'Yes' : 'No'),
      ...(s.held ? [row('Safe number', s.safeNumber), row('Safe times', s.safeTimes), row('Other safe contact', s.notes)] : []),
      row('Rules', [s.noVoicemail ? 'No voicemail' : '', s.neverWriteHome ? 'Never write to the home address' : ''].filter(Boolean).join('; ') || 'None'),
    ] : [],
  })
  const r = answers.risk
  if (r) {
    const yesCount = Object.values(r.answers).filter(a => a === 'yes').length
    const yesQuestions = dashQuestions.filter(q => r.answers[q.code] === 'yes').map(q => q.number)
    cards.push({
      step: 'risk', title: 'DASH risk checklist', complete: true,
      rows: [
        row('Date of the assessment', date(r.assessedOn)),
        row('Questions answered yes', `${yesCount} of 24${yesQuestions.length ? ` (questions ${yesQuestions.join(', ')})` : ''}`),
        row('Professional judgement', r.professionalJudgementReason ?? 'None'),
        row('Police call-outs in the last 12 months', r.policeCallOuts12Months === undefined ? 'Not known' : String(r.policeCallOuts12Months)),
        row('Escalation', r.escalationReason),
      ],
    })
  } else {
    cards.push({ step: 'risk', title: 'DASH risk checklist', complete: false, rows: [] })
  }
  return cards
}
