/**
 * The languages the survivor survey is offered in. To add one (Lithuanian, say): copy `pl.ts` to
 * `lt.ts`, translate every value (the type checker refuses a missing key), and add it to `languages`
 * below with its name in its own language. Nothing else changes: pages, answers and results are the same
 * in every language, because answers are stored as codes, never as the words shown.
 */
import type { Audience } from '../questionBank.ts'
import { en, type MessageKey, type Messages } from './en.ts'
import { pl } from './pl.ts'

export type Language = { code: string; name: string; messages: Messages }

export const languages: readonly Language[] = [
  { code: 'en', name: 'English', messages: en },
  { code: 'pl', name: 'Polski', messages: pl },
]

export const DEFAULT_LANGUAGE = 'en'

export const isLanguage = (code: unknown): code is string => typeof code === 'string' && languages.some(l => l.code === code)

export const languageName = (code: string): string => languages.find(l => l.code === code)?.name ?? code

/** The first language in an Accept-Language header that the survey is offered in, else English. */
export function negotiateLanguage(header: string | undefined): string {
  if (!header) return DEFAULT_LANGUAGE
  const wanted = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map(p => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean)
      return { code: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index }
    })
    .filter(w => w.code && w.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return wanted.find(w => isLanguage(w.code))?.code ?? DEFAULT_LANGUAGE
}

export type Translate = (key: MessageKey | string, values?: Record<string, string | number>) => string

/**
 * A translator for one language and audience. For the young people's survey a key's `.young` wording
 * is used when there is one. An unknown key is returned as it is, so a mistake shows rather than hides.
 */
export function translator(code: string, audience: Audience = 'adult'): Translate {
  const messages: Record<string, string> = (languages.find(l => l.code === code) ?? languages[0]!).messages
  return (key, values = {}) => {
    const text = (audience === 'young-person' ? messages[`${key}.young`] : undefined) ?? messages[key] ?? key
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole))
  }
}

export type { MessageKey, Messages }
