import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { isPlainObject, parseJsonExact } from '../../common/json/exact-json';
import { BudgetExhaustedError, ZohoApiError } from './zoho-errors';
import { ZohoApiUsageRepository } from './zoho-api-usage.repository';
import { ZohoTokenService } from './zoho-token.service';

/** A Zoho answer: the exact bytes (what is enqueued) and the document parsed exactly (numbers keep their digits). */
export interface ZohoAnswer {
  body: Buffer;
  text: string;
  document: Record<string, unknown>;
}

/** The requests one run may still make (its share of the day's budget), counted as they are sent. */
export interface RequestAllowance {
  limit: number;
  used: number;
  /** The limit is all that is left of the day's budget (a manual run): reaching it means the day's is spent. */
  dayBound?: boolean;
}

/** Tries of one request when Zoho answers 429 or 5xx (each try takes one request from the budget). */
const MAX_TRIES = 5;
const MAX_BACKOFF_MS = 60_000;

/** Backoff before try `attempt + 1`: base × 2^(attempt−1), capped, with full jitter over its upper half. */
export function backoffWithJitter(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * GET requests to Zoho Books / Inventory: every request takes one unit of the shared budget first (per minute: wait
 * for the next minute; per day or per run: stop), carries the shared access token (a 401 refreshes it once), and
 * backs off with jitter on 429 and 5xx. Answers are parsed with the exact JSON reader used for webhooks.
 */
@Injectable()
export class ZohoApiClient {
  private readonly logger = new Logger(ZohoApiClient.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly tokens: ZohoTokenService,
    private readonly usage: ZohoApiUsageRepository,
  ) {}

  /** `{api_domain}/books/v3` or `{api_domain}/inventory/v1`, per ZOHO_API and ZOHO_API_MODULES. */
  basePath(module: string): string {
    const api = this.config.reconcile.moduleApis[module] ?? this.config.reconcile.api;
    return api === 'inventory' ? '/inventory/v1' : '/books/v3';
  }

  async get(
    module: string,
    path: string,
    params: Record<string, string>,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<ZohoAnswer> {
    const c = this.config.reconcile;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      // The token first: a failing accounts server must not spend API budget.
      const token = await this.tokens.token();
      await this.takeBudget(allowance, signal);
      const url = new URL(`${token.apiDomain}${this.basePath(module)}${path}`);
      url.searchParams.set('organization_id', c.organizationId);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const where = `${module}${path}`;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { Authorization: `Zoho-oauthtoken ${token.accessToken}`, Accept: 'application/json' },
          signal: AbortSignal.any([signal, AbortSignal.timeout(c.timeoutMs)]),
        });
      } catch (err) {
        signal.throwIfAborted();
        if (attempt >= MAX_TRIES) throw new ZohoApiError(`GET ${where}: no answer after ${attempt} tries (${(err as Error).message})`);
        await sleep(backoffWithJitter(attempt, c.backoffBaseMs), undefined, { signal });
        continue;
      }
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status === 401 && !refreshed) {
        // The token was revoked or expired early (Zoho keeps 10 live tokens per refresh token): one refresh, shared.
        refreshed = true;
        await this.tokens.refresh(token.accessToken);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        if (attempt >= MAX_TRIES) throw new ZohoApiError(`GET ${where}: HTTP ${res.status} after ${attempt} tries`, res.status);
        const wait = backoffWithJitter(attempt, c.backoffBaseMs);
        this.logger.warn(`Zoho GET ${where}: HTTP ${res.status}, retrying in ${wait} ms`);
        await sleep(wait, undefined, { signal });
        continue;
      }
      return this.read(where, res.status, body);
    }
  }

  private read(where: string, status: number, body: Buffer): ZohoAnswer {
    const text = body.toString('utf8');
    let document: unknown;
    try {
      document = parseJsonExact(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (err) {
      throw new ZohoApiError(`GET ${where}: HTTP ${status}, the answer is not JSON (${(err as Error).message})`, status);
    }
    const code = isPlainObject(document) ? document.code : undefined;
    const message = isPlainObject(document) && typeof document.message === 'string' ? document.message.slice(0, 200) : '';
    if (status < 200 || status >= 300 || !isPlainObject(document) || (code !== undefined && code !== '0')) {
      throw new ZohoApiError(
        `GET ${where}: HTTP ${status}, Zoho code ${String(code)}${message ? `: ${message}` : ''}`,
        status,
        String(code),
      );
    }
    return { body, text, document };
  }

  /** One unit of the shared budget: waits for the next minute when the minute's is spent; stops when the day's or the run's is. */
  private async takeBudget(allowance: RequestAllowance, signal: AbortSignal): Promise<void> {
    const c = this.config.reconcile;
    for (;;) {
      signal.throwIfAborted();
      if (allowance.used >= allowance.limit) throw new BudgetExhaustedError(allowance.dayBound ? 'day' : 'run');
      const take = await this.usage.take(c.maxRequestsPerMinute, c.dailyBudget);
      if (take.ok) {
        allowance.used++;
        return;
      }
      if (take.window === 'day') throw new BudgetExhaustedError('day');
      await sleep(take.waitMs + Math.round(Math.random() * 250), undefined, { signal });
    }
  }
}
