// Per-stage CPU breakdown of a V8 CPU profile of the service under webhook load (issue 15).
// Each sample is given to the first stage that one of its frames matches, walking from the leaf towards the root:
// the deepest recognisable frame wins, so a native write under pg's query submit counts as "database", the same
// write under Fastify's reply as "answer". Startup (everything before the first webhook, and module loading or
// compilation after it) is left out.
import { readFileSync } from 'node:fs';

const pkg = (url) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
const src = (url) => /\/(?:dist|\.build)\/src\/(.+)\.js$/.exec(url)?.[1];
/** A named function of the bare Fastify baseline (bench/lib/baseline-server.mjs), profiled for the comparison. */
const baseline = (f, u, names) => /bench\/lib\/baseline-server\.mjs$/.test(u) && names.test(f);

/** [stage, test(functionName, url)] in priority order for one frame; the first match names the frame's stage. */
const FRAME_RULES = [
  [
    'startup (not counted)',
    (f, u) =>
      /^(wrapSafe|compileSourceTextModule|Module\._load|Module\._compile|internalModuleStat|readFileUtf8|loadESM|require)$/.test(f) ||
      /node:internal\/modules\//.test(u),
  ],
  [
    'JSON parse (native, exact digits where read)',
    (f, u) =>
      /common\/json\//.test(src(u) ?? '') ||
      /^(parseZohoBody|parseJsonText|decodeUtf8Strict|refuseNulKeys)$/.test(f) ||
      baseline(f, u, /^parseWebhookBody$/),
  ],
  [
    'authentication (key, HMAC)',
    (f, u) =>
      /webhook-auth\.service|webhook-preauth|common\/crypto\//.test(src(u) ?? '') ||
      (/^(Hmac|createHmac|timingSafeEqual|digest|update)$/.test(f) && /node:internal\/crypto/.test(u)),
  ],
  ['rate limiter', (f, u) => /webhook-rate-limit/.test(src(u) ?? '')],
  [
    'batching + database (pg)',
    (f, u) =>
      ['pg', 'pg-pool', 'pg-protocol', 'pg-types', 'postgres-array', 'pgpass'].includes(pkg(u)) ||
      /ingest-batcher|event\.repository|database\//.test(src(u) ?? '') ||
      baseline(f, u, /^(flushBatch|enqueueRow)$/),
  ],
  ['metrics (prom-client)', (f, u) => pkg(u) === 'prom-client' || /modules\/metrics\//.test(src(u) ?? '')],
  [
    'logging (pino)',
    (f, u) =>
      /^(pino|pino-http|nestjs-pino|sonic-boom|pino-std-serializers|fast-redact|thread-stream)$/.test(pkg(u) ?? '') ||
      /common\/logging\//.test(src(u) ?? ''),
  ],
  ['health checks', (f, u) => pkg(u) === '@nestjs/terminus' || /modules\/health\//.test(src(u) ?? '')],
  ['envelope, dedup key, answer DTO', (f, u) => /modules\/webhooks\/|common\/zoho\/|modules\/sync\//.test(src(u) ?? '')],
  ['errors (filter)', (f, u) => /common\/errors\//.test(src(u) ?? '')],
  [
    'Nest layers (router, guards, interceptors, pipes)',
    (f, u) => /^@nestjs\//.test(pkg(u) ?? '') || pkg(u) === 'rxjs' || pkg(u) === 'reflect-metadata',
  ],
  ['middleware (middie)', (f, u) => pkg(u) === '@fastify/middie' || pkg(u) === 'path-to-regexp'],
  [
    'answer (serialise, write)',
    (f, u) =>
      (/^(writePayload|onSendEnd|serialize|send|onSendHook|wrapOnSendEnd)$/.test(f) && pkg(u) === 'fastify') ||
      (/^(end|_writeRaw|_send|writeHead)$/.test(f) && /node:_http_(outgoing|server)/.test(u)) ||
      pkg(u) === 'fast-json-stringify',
  ],
  [
    'body reading',
    (f, u) =>
      /contentTypeParser|content-type-parser|rawBody/.test(u) ||
      (/^(rawBody|onData|onEnd|addListener)$/.test(f) && pkg(u) === 'fastify') ||
      /^(getBody|parseRequestBody)$/.test(f),
  ],
  [
    'routing + Fastify hooks',
    (f, u) =>
      [
        'fastify',
        'find-my-way',
        'avvio',
        'light-my-request',
        '@fastify/error',
        'fastq',
        'toad-cache',
        'abstract-logging',
        'process-warning',
        'secure-json-parse',
        'fast-querystring',
        'fast-decode-uri-component',
        'safe-regex2',
        'ret',
      ].includes(pkg(u)) || /app\.factory|common\/http\//.test(src(u) ?? ''),
  ],
];

/** Node's own HTTP and socket frames: a sample is theirs only when no frame above matched a stage. */
const FALLBACK_RULES = [
  [
    'HTTP parsing + sockets (node)',
    (f, u) =>
      /node:(_http_common|_http_server|_http_incoming|net|internal\/stream_base_commons|internal\/streams|events|internal\/http)/.test(u) ||
      /^(parserOnIncoming|parserOnHeadersComplete|parserOnBody|parserOnMessageComplete)$/.test(f),
  ],
];

const SPECIAL = { '(idle)': 'idle', '(garbage collector)': 'garbage collector', '(program)': 'V8 (program)' };

export function stageBreakdown(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map();
  const classify = (id) => {
    if (stageOf.has(id)) return stageOf.get(id);
    const cf = byId.get(id).callFrame;
    let stage = Object.hasOwn(SPECIAL, cf.functionName) ? SPECIAL[cf.functionName] : undefined;
    for (const rules of [FRAME_RULES, FALLBACK_RULES]) {
      for (let cur = id; cur !== undefined && !stage; cur = parent.get(cur)) {
        const f = byId.get(cur).callFrame;
        stage = rules.find(([, test]) => test(f.functionName, f.url))?.[0];
      }
    }
    stage ??= 'other (microtasks, timers, V8)';
    stageOf.set(id, stage);
    return stage;
  };
  // Start-up ends with the first webhook: samples before it (module code run at load time, Nest's bootstrap, the
  // readiness probe) are not the route's, whatever their frames.
  const webhookNode = new Map();
  const inWebhook = (id) => {
    if (webhookNode.has(id)) return webhookNode.get(id);
    const cf = byId.get(id).callFrame;
    const up = parent.get(id);
    const yes =
      /modules\/webhooks\//.test(src(cf.url) ?? '') ||
      baseline(cf.functionName, cf.url, /^(webhookRoute|parseWebhookBody)$/) ||
      (up !== undefined && inWebhook(up));
    webhookNode.set(id, yes);
    return yes;
  };
  let first = p.samples.findIndex((id) => inWebhook(id));
  if (first < 0) first = p.samples.length;
  const us = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const stage = i < first ? 'startup (not counted)' : classify(p.samples[i]);
    us.set(stage, (us.get(stage) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  return us;
}

/**
 * Stage → µs of CPU per request: each stage's share of the busy (not idle, not startup) main-thread time times the
 * measured CPU per request of an unprofiled run (the profiler's own overhead is thereby not counted).
 */
export function stagesPerRequest(files, cpuUsPerRequest) {
  const total = new Map();
  for (const f of files) for (const [k, v] of stageBreakdown(f)) total.set(k, (total.get(k) ?? 0) + v);
  const busy = [...total].filter(([k]) => k !== 'idle' && k !== 'startup (not counted)').reduce((a, [, v]) => a + v, 0);
  const rows = [...total]
    .filter(([k]) => k !== 'idle' && k !== 'startup (not counted)')
    .map(([stage, v]) => ({ stage, share: v / busy, usPerRequest: (v / busy) * cpuUsPerRequest }))
    .sort((a, b) => b.share - a.share);
  return rows;
}
