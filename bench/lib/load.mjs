// autocannon wrappers: a signed-webhook load (unique body per request) and a low-rate GET prober run in a child
// process, so its latencies are not distorted by the load generator's own busy event loop.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bodyFactory, makeIds, queryString, webhookQuery, zohoSignature, ENTITY_ROUTE } from './payloads.mjs';
import { ORGANIZATION_ID, WEBHOOK_KEY, ZOHO_SECRET } from './service.mjs';

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    // autocannon keeps running if the process gets SIGINT; stop it with us.
    const onSig = () => instance.stop();
    process.once('SIGINT', onSig);
    instance.once('done', () => process.removeListener('SIGINT', onSig));
  });
}

/** The figures the benchmarks report from one autocannon result. */
export function digest(result) {
  const seconds = result.duration || 1;
  const codes = result.statusCodeStats ?? {};
  return {
    durationS: seconds,
    requests: result.requests.total,
    accepted: result['2xx'],
    acceptedPerS: result['2xx'] / seconds,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.count])),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
  };
}

/**
 * Sends signed Zoho webhooks with a fresh id in every body.
 * target: base URL; kind: contact | invoice; duration (s) or amount (requests); auth: 'signature' | 'key'.
 * Returns { digest, sent } where sent counts the bodies generated.
 */
export async function webhookLoad({
  target,
  kind = 'invoice',
  connections = 64,
  duration,
  amount,
  auth = 'signature',
  ids = makeIds(),
  startSeq = 0,
  event = 'created',
  path = `/webhooks/${ENTITY_ROUTE[kind]}`,
  timeout = 30,
  firstResponse,
  overallRate,
  lineCount,
}) {
  const factory = bodyFactory(kind, { ids, ...(lineCount ? { lineCount } : {}) });
  const params = webhookQuery(event, ORGANIZATION_ID);
  const fullPath = `${path}?${queryString(params)}`;
  let seq = startSeq;
  const setupRequest = (req) => {
    const { body } = factory.body(seq++);
    req.body = body;
    req.headers = {
      'content-type': 'application/json',
      ...(auth === 'signature'
        ? { 'x-zoho-webhook-signature': zohoSignature(ZOHO_SECRET, params, body) }
        : { 'x-webhook-key': WEBHOOK_KEY }),
    };
    return req;
  };
  const result = await runAutocannon({
    url: target,
    connections,
    ...(amount ? { amount } : { duration }),
    ...(overallRate ? { overallRate } : {}),
    timeout,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path: fullPath,
        setupRequest,
        onResponse: firstResponse
          ? (status, body) => {
              if (firstResponse.status === undefined) Object.assign(firstResponse, { status, body });
            }
          : undefined,
      },
    ],
  });
  return { digest: digest(result), sent: seq - startSeq, nextSeq: seq };
}

const PROBE_CHILD = fileURLToPath(new URL('./probe-child.mjs', import.meta.url));

/**
 * Starts a GET prober (1 connection, `rate` req/s) in a child process; returns { done: Promise<digest> }.
 * Call it right before the main load so both cover the same window.
 */
export function startProbe({ url, durationS, rate = Number(process.env.BENCH_HEALTH_RATE ?? 50) }) {
  const child = fork(PROBE_CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const done = new Promise((resolve, reject) => {
    child.once('message', (msg) => (msg.error ? reject(new Error(msg.error)) : resolve(msg.digest)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`probe exited with ${code}`)));
  });
  child.send({ url, durationS, rate });
  return { done, child };
}

export { runAutocannon };
