/** The time, passed in everywhere so rules and tests never read the system clock themselves. */
export type Clock = () => Date
export const systemClock: Clock = () => new Date()
/** ISO date (YYYY-MM-DD) in Europe/London: the date a practitioner would write down. */
export const londonDate = (at: Date): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
