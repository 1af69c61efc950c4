import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { isPlainObject, parseJsonExact } from '../../common/json/exact-json';
import { ZohoApiError } from './zoho-errors';
import { ZohoTokenRepository, ZohoTokenRow } from './zoho-token.repository';

export interface ZohoAccessToken {
  accessToken: string;
  /** Where to call (ZOHO_API_DOMAIN, else the token answer's api_domain). */
  apiDomain: string;
}

/** A token is refreshed this long before it expires (a request must not start with a token about to die). */
const EXPIRY_MARGIN_MS = 120_000;
/** Zoho: at most 10 token requests per 10 minutes per refresh token; we stop short of it. */
const TOKEN_REQUESTS_PER_10_MIN = 8;
const TOKEN_TIMEOUT_MS = 15_000;
/** https anywhere, http only to a loopback host (the same rule as ZOHO_ACCOUNTS_URL / ZOHO_API_DOMAIN). */
const SAFE_ORIGIN = /^(https:\/\/[^\s/?#]+|http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?)\/?$/;

/**
 * The OAuth access token for the Zoho API (refresh-token grant), cached in tds.zoho_tokens and shared by every
 * process: a refresh happens under the row's lock, so however many processes find the token expired (or refused)
 * at once, Zoho is asked once and the others read the answer. Neither the token nor a secret is ever logged.
 */
@Injectable()
export class ZohoTokenService {
  private readonly logger = new Logger(ZohoTokenService.name);
  private readonly cacheKey: string;
  private inFlight: Promise<ZohoAccessToken> | undefined;

  constructor(
    private readonly tokens: ZohoTokenRepository,
    private readonly config: AppConfigService,
  ) {
    const c = config.reconcile;
    this.cacheKey = createHash('sha256').update(`${c.accountsUrl}\n${c.clientId}\n${c.refreshToken}`).digest('hex');
  }

  /** A token valid for at least a couple of minutes. */
  async token(): Promise<ZohoAccessToken> {
    const row = await this.tokens.current(this.cacheKey);
    if (row && this.usable(row)) return this.toToken(row);
    return this.refresh(row?.access_token ?? null);
  }

  /**
   * A new token, unless the cached one is already another than `stale` (another process or request refreshed it
   * meanwhile). One refresh in flight per process; one per database thanks to the row lock.
   */
  refresh(stale: string | null): Promise<ZohoAccessToken> {
    this.inFlight ??= this.refreshLocked(stale).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private usable(row: ZohoTokenRow): boolean {
    return !!row.access_token && row.expires_ms !== null && row.expires_ms - row.now_ms > EXPIRY_MARGIN_MS;
  }

  private toToken(row: ZohoTokenRow): ZohoAccessToken {
    const apiDomain = this.config.reconcile.apiDomain ?? row.api_domain;
    if (!apiDomain) throw new ZohoApiError('Zoho gave no api_domain: set ZOHO_API_DOMAIN');
    return { accessToken: row.access_token as string, apiDomain };
  }

  private async refreshLocked(stale: string | null): Promise<ZohoAccessToken> {
    let failure: ZohoApiError | undefined;
    const token = await this.tokens.withLockedToken(this.cacheKey, async (row, tx) => {
      if (row.access_token && row.access_token !== stale && this.usable(row)) return this.toToken(row);
      if ((await this.tokens.recentRequests(tx, this.cacheKey)) >= TOKEN_REQUESTS_PER_10_MIN) {
        failure = new ZohoApiError(`Zoho token requests are limited to 10 per 10 minutes; ${TOKEN_REQUESTS_PER_10_MIN} were made: waiting`);
        return undefined;
      }
      try {
        const answer = await this.requestToken();
        await this.tokens.recordRequest(tx, this.cacheKey, true);
        await this.tokens.store(tx, this.cacheKey, answer.accessToken, answer.apiDomain, answer.expiresIn);
        this.logger.log(`Zoho access token refreshed (valid ${answer.expiresIn} s)`);
        return this.toToken({ access_token: answer.accessToken, api_domain: answer.apiDomain, expires_ms: null, now_ms: 0 });
      } catch (err) {
        // The request counts against Zoho's limit even when it failed: recorded, committed, then reported.
        await this.tokens.recordRequest(tx, this.cacheKey, false);
        failure = err instanceof ZohoApiError ? err : new ZohoApiError(`Zoho token request failed: ${(err as Error).message}`);
        return undefined;
      }
    });
    if (failure || !token) throw failure ?? new ZohoApiError('Zoho token request failed');
    return token;
  }

  /** POST {accounts}/oauth/v2/token, grant_type=refresh_token; the secrets go in the form body, never in a URL. */
  private async requestToken(): Promise<{ accessToken: string; apiDomain: string | null; expiresIn: number }> {
    const c = this.config.reconcile;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      refresh_token: c.refreshToken,
    });
    let res: Response;
    try {
      res = await fetch(`${c.accountsUrl}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(Math.min(TOKEN_TIMEOUT_MS, c.timeoutMs)),
      });
    } catch (err) {
      throw new ZohoApiError(`Zoho accounts server ${c.accountsUrl} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let doc: unknown;
    try {
      doc = parseJsonExact(text);
    } catch {
      throw new ZohoApiError(`Zoho token answer (HTTP ${res.status}) is not JSON`, res.status);
    }
    if (!isPlainObject(doc) || typeof doc.access_token !== 'string' || doc.access_token === '') {
      // Zoho answers 200 with {"error": "invalid_code"} for a revoked or wrong refresh token.
      const error = isPlainObject(doc) && typeof doc.error === 'string' ? doc.error.slice(0, 100) : 'no access_token';
      throw new ZohoApiError(`Zoho refused the token request (HTTP ${res.status}): ${error}`, res.status, error);
    }
    const apiDomain = typeof doc.api_domain === 'string' ? doc.api_domain.replace(/\/+$/, '') : null;
    if (apiDomain && !SAFE_ORIGIN.test(apiDomain) && !c.apiDomain) {
      throw new ZohoApiError('Zoho token answer names an api_domain that is not https: set ZOHO_API_DOMAIN');
    }
    const expiresIn = Number(doc.expires_in ?? doc.expires_in_sec ?? 3600);
    return { accessToken: doc.access_token, apiDomain, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600 };
  }
}
