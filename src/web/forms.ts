import type { z } from 'zod'

/** A problem with one field, in GOV.UK's error summary shape. */
export type FieldProblem = { field: string; message: string }

export type FormErrors = {
  /** For govukErrorSummary: each links to its field. */
  summary: { text: string; href: string }[]
  /** For each component's errorMessage. */
  byField: Record<string, { text: string }>
}

export function formErrors(problems: FieldProblem[], fieldIds: Record<string, string> = {}): FormErrors {
  const byField: Record<string, { text: string }> = {}
  for (const p of problems) byField[p.field] ??= { text: p.message }
  return {
    summary: problems.map(p => ({ text: p.message, href: `#${fieldIds[p.field] ?? p.field}` })),
    byField,
  }
}

export const zodProblems = (error: z.ZodError): FieldProblem[] =>
  error.issues.map(i => ({ field: i.path.join('.') || 'form', message: i.message }))

/** Form bodies arrive as strings or arrays of strings; a checkbox group with one box ticked is a string. */
export const asArray = (value: unknown): string[] =>
  value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value.map(String) : [String(value)]
