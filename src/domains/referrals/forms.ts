/**
 * Small helpers for GOV.UK forms posted as application/x-www-form-urlencoded: reading fields, GOV.UK date
 * inputs (day, month, year), and building the item lists the GOV.UK Nunjucks macros take.
 */
import { isIsoDate } from '../partnership/effectiveDated.ts'
import { asArray, type FieldProblem } from '../../web/forms.ts'

export type Body = Record<string, unknown>

export const str = (body: Body, key: string): string => (typeof body[key] === 'string' ? (body[key] as string).trim() : '')
export const list = (body: Body, key: string): string[] => asArray(body[key]).map(v => v.trim()).filter(Boolean)
export const yesNo = (body: Body, key: string): boolean | undefined => (str(body, key) === 'yes' ? true : str(body, key) === 'no' ? false : undefined)

export type DateParts = { day: string; month: string; year: string }

/** The parts of a GOV.UK date input named `prefix` (prefix-day, prefix-month, prefix-year). */
export const dateParts = (body: Body, prefix: string): DateParts => ({
  day: str(body, `${prefix}-day`),
  month: str(body, `${prefix}-month`),
  year: str(body, `${prefix}-year`),
})

export const partsOf = (iso: string | null | undefined): DateParts => {
  if (!iso) return { day: '', month: '', year: '' }
  const [year, month, day] = iso.slice(0, 10).split('-')
  return { day: String(Number(day)), month: String(Number(month)), year: year ?? '' }
}

/**
 * Reads a GOV.UK date input. Empty is undefined (or a problem when required); otherwise a real date or a
 * problem in GOV.UK's words ("Date of birth must be a real date").
 */
export function readDate(body: Body, prefix: string, label: string, options: { required?: boolean } = {}): { value?: string; problem?: FieldProblem } {
  const p = dateParts(body, prefix)
  if (!p.day && !p.month && !p.year) {
    return options.required ? { problem: { field: `${prefix}-day`, message: `Enter the ${label.toLowerCase()}` } } : {}
  }
  const missing = (['day', 'month', 'year'] as const).filter(k => !p[k])
  if (missing.length) {
    return { problem: { field: `${prefix}-${missing[0]}`, message: `${label} must include a ${missing.join(' and ')}` } }
  }
  if (!/^\d{4}$/.test(p.year)) return { problem: { field: `${prefix}-year`, message: `${label} year must include 4 numbers` } }
  const iso = `${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}`
  if (!/^\d{1,2}$/.test(p.day) || !/^\d{1,2}$/.test(p.month) || !isIsoDate(iso)) {
    return { problem: { field: `${prefix}-day`, message: `${label} must be a real date` } }
  }
  return { value: iso }
}

/** Items for govukDateInput, marking the parts in error. */
export const dateItems = (parts: DateParts, error: boolean) => [
  { name: 'day', label: 'Day', classes: `govuk-input--width-2${error ? ' govuk-input--error' : ''}`, value: parts.day },
  { name: 'month', label: 'Month', classes: `govuk-input--width-2${error ? ' govuk-input--error' : ''}`, value: parts.month },
  { name: 'year', label: 'Year', classes: `govuk-input--width-4${error ? ' govuk-input--error' : ''}`, value: parts.year },
]

export type Option = { value: string; text: string; hint?: string }

export const radioItems = (options: readonly Option[], selected: string | null | undefined) =>
  options.map(o => ({ value: o.value, text: o.text, checked: o.value === selected, ...(o.hint ? { hint: { text: o.hint } } : {}) }))

export const selectItems = (options: readonly Option[], selected: string | null | undefined, placeholder = 'Select one') => [
  { value: '', text: placeholder, selected: !selected },
  ...options.map(o => ({ value: o.value, text: o.text, selected: o.value === selected })),
]

export const checkboxItems = (options: readonly Option[], selected: readonly string[] | null | undefined) =>
  options.map(o => ({ value: o.value, text: o.text, checked: (selected ?? []).includes(o.value) }))

export const yesNoItems = (value: boolean | null | undefined) => [
  { value: 'yes', text: 'Yes', checked: value === true },
  { value: 'no', text: 'No', checked: value === false },
]

export const labelFrom = (options: readonly Option[], value: string | null | undefined, fallback = 'Not given'): string =>
  (value && options.find(o => o.value === value)?.text) || (value ? value : fallback)

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
