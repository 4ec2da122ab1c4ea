import pino, { type Logger } from 'pino'

/**
 * Structured logs. Personal data never goes in a log: request logs carry the route pattern,
 * never the URL (which may hold a name in a query string), and known sensitive keys are redacted.
 */
export const redactPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.email',
  '*.givenName',
  '*.familyName',
  '*.dateOfBirth',
  '*.postcode',
  '*.name',
]

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'hearth' } }, destination)
}
