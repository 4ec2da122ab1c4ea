import { createHash } from 'node:crypto'
import type pg from 'pg'

/**
 * Named prepared statements on the PostgreSQL server, so that the server plans each query once per connection.
 *
 * Why: row-level security makes planning expensive. A query that joins `person` expands that table's policy, which
 * looks through `referral`, whose policy looks through `support_case` and `marac_case`, and so on: planning the case
 * list took about 15 ms of server CPU against 2-8 ms to run it. A prepared statement keeps its plan; after five
 * executions PostgreSQL uses a generic plan when it is no worse than the custom ones (plan_cache_mode = auto), and
 * the policies' current_setting() calls are still evaluated on every execution, so the plan is valid for every
 * actor. PostgreSQL re-plans by itself when a table, index, policy or the current role changes.
 *
 * Kysely's pg driver calls client.query(text, values); this wraps the pool's clients so that data statements
 * (SELECT, INSERT, UPDATE, DELETE, WITH) are sent as named statements, named by a hash of their text. Utility
 * statements (SET, BEGIN, DDL) go as before. Statement texts that vary in shape (an IN list of every length, a
 * multi-row insert) would each become a statement: a connection prepares at most `limit` of them and sends the
 * rest unnamed, so server memory stays bounded.
 */
export type PreparingOptions = { limit?: number }

const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i
const patched = new WeakSet<pg.PoolClient>()

/** The name of the prepared statement for a text: stable across connections and restarts. */
export const statementName = (text: string) => `h_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`

export function prepareStatementsOn(client: pg.PoolClient, options: PreparingOptions = {}): pg.PoolClient {
  if (patched.has(client)) return client
  patched.add(client)
  const limit = options.limit ?? 500
  const names = new Set<string>()
  const original = client.query.bind(client) as (...args: unknown[]) => unknown
  const query = (...args: unknown[]) => {
    const [text, values] = args
    if (args.length <= 2 && typeof text === 'string' && DATA_STATEMENT.test(text) && (values === undefined || Array.isArray(values))) {
      const name = statementName(text)
      if (names.has(name) || names.size < limit) {
        names.add(name)
        return original({ name, text, values: values ?? [] })
      }
    }
    return original(...args)
  }
  client.query = query as typeof client.query
  return client
}

/** A pool for Kysely's PostgresDialect whose clients prepare data statements (see above). */
export function preparingPool(pool: pg.Pool, options: PreparingOptions = {}) {
  return {
    options: pool.options,
    async connect() {
      return prepareStatementsOn(await pool.connect(), options)
    },
    end: () => pool.end(),
  }
}
