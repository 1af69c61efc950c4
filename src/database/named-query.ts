import { createHash } from 'node:crypto';
import type { QueryResult } from 'pg';
import type { Queryable } from './queryable';

const names = new Map<string, string>();

/** A stable statement name per SQL text: the same text always gets the same name, different texts never share one. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `tds_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`));
  return name;
}

/**
 * Runs a hot-path statement as a named prepared statement: PostgreSQL parses and plans it once per connection
 * instead of on every call (planning the claim alone cost ~2 ms per batch; docs/PERFORMANCE.md). Only for SQL whose
 * text is fixed (values always parameters). Not compatible with a transaction-pooling PgBouncer in front of PostgreSQL.
 */
export function namedQuery<R = Record<string, unknown>>(
  q: Queryable,
  text: string,
  values: unknown[],
  /** The client stops waiting after this long ('Query read timeout'; a pooled connection is then discarded). */
  queryTimeoutMs?: number,
): Promise<QueryResult<R & object>> {
  type Config = { name: string; text: string; values: unknown[]; query_timeout?: number };
  return (q as unknown as { query: (c: Config) => Promise<QueryResult<R & object>> }).query({
    name: statementName(text),
    text,
    values,
    ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}),
  });
}
