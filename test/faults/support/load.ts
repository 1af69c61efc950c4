import { Agent, request as httpRequest } from 'node:http';

/**
 * Bounded HTTP load sender: a fixed number of requests and/or a time limit, N concurrent, keep-alive.
 * Every request has an id; every outcome (status, headers, body, timing, network error) is recorded per id.
 * Talks to 127.0.0.1 only.
 */

export interface LoadRequest {
  /** Caller's id for this request (also sent as X-Request-Id). */
  id: string;
  method?: string;
  /** Path with query, e.g. /webhooks/contacts?event=updated */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Index into baseUrls; default round robin. */
  target?: number;
}

export interface LoadResult {
  id: string;
  seq: number;
  target: number;
  /** HTTP status; 0 = network error or timeout. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body when the response was JSON. */
  json?: Record<string, unknown>;
  error?: string;
  startedAt: number;
  endedAt: number;
}

export interface LoadOptions {
  baseUrls: string[];
  /** The i-th request (0-based); return undefined to stop early. */
  next: (seq: number) => LoadRequest | undefined;
  /** Hard upper bound on requests sent. */
  count: number;
  concurrency: number;
  /** Stop starting new requests after this long (in-flight requests still finish). */
  durationMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Optional pause between requests of one lane (rate limiting). */
  pauseMs?: number;
  onResult?: (r: LoadResult) => void;
  /** Stop early when this returns true (checked before each request). */
  stop?: () => boolean;
}

export interface LoadReport {
  results: LoadResult[];
  byStatus: Record<string, number>;
  elapsedMs: number;
  sent: number;
}

export function requestOnce(
  baseUrl: string,
  req: Omit<LoadRequest, 'target'>,
  agent?: Agent,
  timeoutMs = 15_000,
): Promise<Omit<LoadResult, 'seq' | 'target'>> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`load sender talks to 127.0.0.1 only, not ${url.hostname}`);
  const startedAt = Date.now();
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string | number> = { 'X-Request-Id': req.id, ...req.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['Content-Length'] = body.length;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<LoadResult, 'seq' | 'target'>) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const fail = (error: string) => done({ id: req.id, status: 0, headers: {}, text: '', error, startedAt, endedAt: Date.now() });
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(url.port),
        method: req.method ?? 'POST',
        path: `${url.pathname.replace(/\/$/, '')}${req.path}`,
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(`response: ${e.message}`));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          if (String(res.headers['content-type'] ?? '').includes('json')) {
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              /* not JSON after all */
            }
          }
          done({ id: req.id, status: res.statusCode ?? 0, headers: res.headers, text, json, startedAt, endedAt: Date.now() });
        });
      },
    );
    r.setTimeout(timeoutMs, () => {
      r.destroy(new Error(`timeout after ${timeoutMs} ms`));
    });
    r.on('error', (e) => fail(e.message));
    if (body !== undefined) r.end(body);
    else r.end();
  });
}

export async function sendLoad(o: LoadOptions): Promise<LoadReport> {
  const agents = o.baseUrls.map(() => new Agent({ keepAlive: true, maxSockets: o.concurrency }));
  const results: LoadResult[] = [];
  const started = Date.now();
  const deadline = o.durationMs !== undefined ? started + o.durationMs : Infinity;
  let seq = 0;
  let exhausted = false;
  const lane = async () => {
    while (!exhausted) {
      if (seq >= o.count || Date.now() >= deadline || o.stop?.()) return;
      const mySeq = seq++;
      const req = o.next(mySeq);
      if (!req) {
        exhausted = true;
        return;
      }
      const target = req.target ?? mySeq % o.baseUrls.length;
      const r = await requestOnce(o.baseUrls[target], req, agents[target], o.timeoutMs ?? 15_000);
      const full: LoadResult = { ...r, seq: mySeq, target };
      results.push(full);
      o.onResult?.(full);
      if (o.pauseMs) await new Promise((res) => setTimeout(res, o.pauseMs));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, lane));
  } finally {
    for (const a of agents) a.destroy();
  }
  const byStatus: Record<string, number> = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return { results, byStatus, elapsedMs: Date.now() - started, sent: results.length };
}

/** A compact description of unexpected results for assertion messages. */
export function sampleOf(results: LoadResult[], n = 5): string {
  return results
    .slice(0, n)
    .map((r) => `#${r.seq} ${r.id} → ${r.status}${r.error ? ` (${r.error})` : ''} ${r.text.slice(0, 300)}`)
    .join('\n');
}
