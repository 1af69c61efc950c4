import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Json, Num, zohoBody } from '../factories/zoho-payloads';

/** A Zoho record the fake serves: the full record (detail), its id digits and last_modified_time. */
export interface FakeRecord {
  id: string;
  modified?: string;
  record: Json;
}

interface ModuleSpec {
  listKey: string;
  detailKey: string;
  records: FakeRecord[];
  /** Ignore the last_modified_time filter (Zoho silently does for some modules). */
  ignoreFilter?: boolean;
  /** Fields a list row carries (lists carry no line items); default: everything but line items. */
  listFields?: (r: Json) => Json;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  at: number;
}

/**
 * A fake Zoho on loopback: the OAuth token endpoint (refresh-token grant), lists with page_context and the
 * last_modified_time filter (or ignoring it), details, forced 429/5xx answers, token expiry and revocation, and a
 * count of every request (the tests' measure of the budget).
 */
export class FakeZoho {
  private server!: Server;
  url = '';
  readonly modules = new Map<string, ModuleSpec>();
  readonly apiRequests: FakeRequest[] = [];
  tokenRequests = 0;
  readonly validTokens = new Set<string>();
  /** Every access token handed out (to check none reaches a log). */
  readonly issuedTokens: string[] = [];
  expiresIn = 3600;
  /** Statuses to answer the next API requests with, in order (429, 500, …). */
  forcedStatuses: number[] = [];
  /** List requests answered normally before every later one gets 500. */
  failListsAfter = Infinity;
  /** Revoke every live token after this many API requests (a token expiring mid-pass). */
  revokeTokensAfter = Infinity;
  /** Delay of the token answer (two processes refreshing at once). */
  tokenDelayMs = 0;
  refreshToken = 'fake-refresh-token';
  /** Delay of every detail answer (a pass in progress when the process stops). */
  detailDelayMs = 0;
  /** Ids listed but answering 404 on their detail (deleted between the list and the detail). */
  readonly goneIds = new Set<string>();
  /** Page size the fake uses whatever per_page asks (small pages without hundreds of records). */
  pageSize: number | undefined;
  /** List requests answered so far (failListsAfter counts these). */
  listCount = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  module(name: string, spec: Omit<ModuleSpec, 'records'> & { records?: FakeRecord[] }): ModuleSpec {
    const m = { records: [], ...spec };
    this.modules.set(name, m);
    return m;
  }

  /** API requests whose path starts with `prefix`. */
  requests(prefix = ''): FakeRequest[] {
    return this.apiRequests.filter((r) => r.path.startsWith(prefix));
  }

  private send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (u.pathname === '/oauth/v2/token') return this.token(req, Buffer.concat(chunks).toString(), res);
    this.apiRequests.push({ method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, at: Date.now() });
    if (this.apiRequests.length > this.revokeTokensAfter) {
      this.validTokens.clear();
      this.revokeTokensAfter = Infinity;
    }
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Zoho-oauthtoken ') ? auth.slice(16) : '';
    if (!this.validTokens.has(token))
      return this.send(res, 401, '{"code":57,"message":"You are not authorized to perform this operation"}');
    const forced = this.forcedStatuses.shift();
    if (forced) return this.send(res, forced, `{"code":${forced === 429 ? 44 : 9999},"message":"forced ${forced}"}`);
    const m = /^\/(books\/v3|inventory\/v1)\/([a-z_]+)(?:\/(\d+))?$/.exec(u.pathname);
    const spec = m ? this.modules.get(m[2]) : undefined;
    if (!m || !spec) return this.send(res, 404, '{"code":5,"message":"Invalid URL Passed"}');
    if (m[3]) {
      if (this.detailDelayMs) await new Promise((r) => setTimeout(r, this.detailDelayMs));
      const rec = this.goneIds.has(m[3]) ? undefined : spec.records.find((r) => r.id === m[3]);
      if (!rec) return this.send(res, 404, '{"code":1002,"message":"Record does not exist"}');
      return this.send(res, 200, `{"code":0,"message":"success",${zohoBody(spec.detailKey, rec.record).slice(1)}`);
    }
    if (++this.listCount > this.failListsAfter) return this.send(res, 500, '{"code":9999,"message":"internal error"}');
    const page = Number(u.searchParams.get('page') ?? '1');
    const perPage = this.pageSize ?? Number(u.searchParams.get('per_page') ?? '200');
    const filter = u.searchParams.get('last_modified_time');
    let rows = [...spec.records].sort((a, b) => Date.parse(iso(b.modified)) - Date.parse(iso(a.modified)));
    if (filter && !spec.ignoreFilter) rows = rows.filter((r) => Date.parse(iso(r.modified)) >= Date.parse(iso(filter)));
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    const listFields = spec.listFields ?? ((r: Json) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'line_items')));
    const items = slice.map((r) => zohoBody('x', listFields(r.record)).slice(5, -1)).join(',');
    const more = page * perPage < rows.length;
    this.send(
      res,
      200,
      `{"code":0,"message":"success","${spec.listKey}":[${items}],"page_context":{"page":${page},"per_page":${perPage},"has_more_page":${more}}}`,
    );
  }

  private async token(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    this.tokenRequests++;
    const form = new URLSearchParams(body);
    if (req.method !== 'POST' || form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== this.refreshToken) {
      return this.send(res, 200, '{"error":"invalid_code"}');
    }
    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const token = `1000.fake${this.tokenRequests}.${Math.random().toString(36).slice(2)}`;
    this.validTokens.add(token);
    this.issuedTokens.push(token);
    this.send(res, 200, JSON.stringify({ access_token: token, api_domain: this.url, token_type: 'Bearer', expires_in: this.expiresIn }));
  }
}

/** Zoho's timestamp (`2026-11-30T10:00:00+0300`) as something Date.parse reads. */
function iso(t: string | undefined): string {
  if (!t) return '1970-01-01T00:00:00Z';
  return t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

/** A Zoho time `minutesAgo` before now, in Zoho's format (offset without colon). */
export function zohoTime(minutesAgo: number, offset = '+0300'): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const offMin = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  const d = new Date(Math.floor(Date.now() / 1000) * 1000 - minutesAgo * 60_000 + offMin * 60_000);
  return `${d.toISOString().slice(0, 19)}${offset}`;
}

export { Num };
