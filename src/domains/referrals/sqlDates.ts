import { type RawBuilder, sql } from 'kysely'

/**
 * A date column as an ISO string (YYYY-MM-DD), whichever engine runs. The pg driver is told to keep dates as
 * strings, but PGlite (0.5, through Kysely) hands back JS Date objects at UTC midnight; casting in SQL makes
 * both engines agree.
 */
export const dateText = (ref: string): RawBuilder<string> => sql<string>`${sql.ref(ref)}::text`
export const nullableDateText = (ref: string): RawBuilder<string | null> => sql<string | null>`${sql.ref(ref)}::text`

/** The same for a value already read: a Date at UTC midnight or an ISO string becomes YYYY-MM-DD. */
export const isoDateOf = (value: unknown): string | null =>
  value === null || value === undefined ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10)
