import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { Queryable } from '../../database/queryable';

/** The cached access token (times as epoch milliseconds of PostgreSQL's clock, shared by every process). */
export interface ZohoTokenRow {
  access_token: string | null;
  api_domain: string | null;
  expires_ms: number | null;
  now_ms: number;
}

const ENSURE_ROW = `INSERT INTO tds.zoho_tokens (cache_key) VALUES ($1) ON CONFLICT (cache_key) DO NOTHING`;

const CURRENT = `
  SELECT access_token, api_domain, floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms,
         floor(extract(epoch FROM now()) * 1000)::float8 AS now_ms
  FROM tds.zoho_tokens WHERE cache_key = $1`;

// The refresh is serialised by this row lock: one process asks Zoho, the others wait here and then read its token.
const LOCK_CURRENT = `${CURRENT} FOR UPDATE`;

// Zoho allows 10 token requests per 10 minutes per refresh token (more blocks token creation for the window).
const RECENT_REQUESTS = `
  SELECT count(*)::int AS n FROM tds.zoho_token_requests
  WHERE cache_key = $1 AND requested_at > now() - interval '10 minutes'`;

const RECORD_REQUEST = `INSERT INTO tds.zoho_token_requests (cache_key, ok) VALUES ($1, $2)`;

const STORE = `
  UPDATE tds.zoho_tokens
  SET access_token = $2, api_domain = $3, expires_at = now() + make_interval(secs => $4), refreshed_at = now()
  WHERE cache_key = $1`;

const PRUNE_REQUESTS = `DELETE FROM tds.zoho_token_requests WHERE requested_at < now() - interval '1 day'`;

@Injectable()
export class ZohoTokenRepository {
  constructor(private readonly db: DatabaseService) {}

  async current(cacheKey: string): Promise<ZohoTokenRow | undefined> {
    return (await this.db.query<ZohoTokenRow>(CURRENT, [cacheKey]))[0];
  }

  /** Runs `fn` holding the token row's lock (the row is created when missing). */
  withLockedToken<T>(cacheKey: string, fn: (row: ZohoTokenRow, tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(ENSURE_ROW, [cacheKey]);
      const row = (await tx.query<ZohoTokenRow>(LOCK_CURRENT, [cacheKey])).rows[0];
      return fn(row, tx);
    });
  }

  async recentRequests(tx: Queryable, cacheKey: string): Promise<number> {
    return (await tx.query<{ n: number }>(RECENT_REQUESTS, [cacheKey])).rows[0].n;
  }

  async recordRequest(tx: Queryable, cacheKey: string, ok: boolean): Promise<void> {
    await tx.query(RECORD_REQUEST, [cacheKey, ok]);
    await tx.query(PRUNE_REQUESTS);
  }

  async store(tx: Queryable, cacheKey: string, accessToken: string, apiDomain: string | null, expiresInSeconds: number): Promise<void> {
    await tx.query(STORE, [cacheKey, accessToken, apiDomain, expiresInSeconds]);
  }
}
