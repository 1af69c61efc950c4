import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

/** What taking one request from the shared budget gave. */
export type BudgetTake = { ok: true } | { ok: false; window: 'minute'; waitMs: number } | { ok: false; window: 'day' };

export interface BudgetUsageRow {
  minute_used: number;
  day_used: number;
  /** Milliseconds left in the current UTC day (PostgreSQL's clock). */
  day_left_ms: number;
}

// Every process takes from the same two counters; the transaction-scoped advisory lock makes check-and-increment
// atomic across processes (a request a minute or a day over its limit is never sent).
const LOCK_BUDGET = `SELECT pg_advisory_xact_lock(hashtext('tds.zoho_api_usage'))`;

const USAGE = `
  SELECT coalesce((SELECT used FROM tds.zoho_api_usage WHERE window_kind = 'minute' AND window_start = date_trunc('minute', now())), 0) AS minute_used,
         coalesce((SELECT used FROM tds.zoho_api_usage
                   WHERE window_kind = 'day' AND window_start = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0) AS day_used,
         extract(epoch FROM (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' - now())::float8 * 1000
           AS day_left_ms`;

const MS_TO_NEXT_MINUTE = `SELECT extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now())::float8 * 1000 AS ms`;

const TAKE_ONE = `
  INSERT INTO tds.zoho_api_usage AS u (window_kind, window_start, used)
  VALUES ('minute', date_trunc('minute', now()), 1),
         ('day', date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 1)
  ON CONFLICT (window_kind, window_start) DO UPDATE SET used = u.used + 1`;

const PRUNE = `DELETE FROM tds.zoho_api_usage WHERE window_start < now() - interval '8 days'`;

@Injectable()
export class ZohoApiUsageRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Takes one request from the minute and day windows, unless either is spent. */
  take(perMinute: number, perDay: number): Promise<BudgetTake> {
    return this.db.transaction(async (tx) => {
      await tx.query(LOCK_BUDGET);
      const usage = (await tx.query<BudgetUsageRow>(USAGE)).rows[0];
      if (usage.day_used >= perDay) return { ok: false, window: 'day' } as const;
      if (usage.minute_used >= perMinute) {
        const wait = (await tx.query<{ ms: number }>(MS_TO_NEXT_MINUTE)).rows[0].ms;
        return { ok: false, window: 'minute', waitMs: Math.max(1, Math.ceil(wait)) } as const;
      }
      await tx.query(TAKE_ONE);
      if (usage.minute_used === 0) await tx.query(PRUNE);
      return { ok: true } as const;
    });
  }

  async usage(): Promise<BudgetUsageRow> {
    return (await this.db.query<BudgetUsageRow>(USAGE))[0];
  }
}
