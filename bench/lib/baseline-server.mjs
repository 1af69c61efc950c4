// Child process: the ingest baselines, a bare Fastify 5 server (the one Nest's platform-fastify uses) with
//   mode "nodb":   POST /webhooks/:entity parses the JSON body and answers 202, no database;
//   mode "insert": the same, plus one INSERT of the body per request (pg Pool of 10) into a scratch table;
//   mode "batch":  the same, with concurrent INSERTs micro-batched (one multi-row INSERT per 2 ms or 100 rows).
// Started by ingest.mjs with fork(); reports { port } over IPC once listening, stops on SIGTERM.
import Fastify from 'fastify';
import pg from 'pg';

const mode = process.env.BASELINE_MODE ?? 'nodb';
const port = Number(process.env.BASELINE_PORT ?? 0);
const databaseUrl = process.env.BASELINE_DATABASE_URL;

const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, keepAliveTimeout: 65_000 });
// Keep the raw text (what a webhook receiver stores) and parse it, as the service has to.
// Named functions: the per-stage breakdown (bench/lib/profile-stages.mjs) sorts this server's samples by them.
app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseWebhookBody(_req, body, done) {
  try {
    done(null, { raw: body, json: JSON.parse(body) });
  } catch (err) {
    err.statusCode = 400;
    done(err);
  }
});

let pool;
if (mode === 'insert') {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_ingest (
      id          bigserial PRIMARY KEY,
      entity_type text NOT NULL,
      body        jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
  app.post('/webhooks/:entity', async function webhookRoute(req, reply) {
    const { rows } = await pool.query('INSERT INTO bench_ingest (entity_type, body) VALUES ($1, $2) RETURNING id', [
      req.params.entity,
      req.body.raw,
    ]);
    reply.code(202);
    return { eventId: rows[0].id, status: 'queued' };
  });
} else if (mode === 'batch') {
  // Micro-batching: requests arriving together share one multi-row INSERT (flushed after 2 ms or 100 rows), each
  // answered once its batch is committed: the ceiling for anything that commits before answering (../shared/STACK.md).
  pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_ingest (
      id          bigserial PRIMARY KEY,
      entity_type text NOT NULL,
      body        jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
  let pending = [];
  let timer;
  const flush = async function flushBatch() {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    const params = batch.flatMap((p) => [p.entity, p.raw]);
    const values = batch.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
    try {
      const { rows } = await pool.query(`INSERT INTO bench_ingest (entity_type, body) VALUES ${values} RETURNING id`, params);
      batch.forEach((p, i) => p.resolve(rows[i].id));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  app.post('/webhooks/:entity', async function webhookRoute(req, reply) {
    const id = await new Promise(function enqueueRow(resolve, reject) {
      pending.push({ entity: req.params.entity, raw: req.body.raw, resolve, reject });
      if (pending.length >= 100) void flush();
      else timer ??= setTimeout(flush, 2);
    });
    reply.code(202);
    return { eventId: id, status: 'queued' };
  });
} else {
  let n = 0;
  app.post('/webhooks/:entity', async function webhookRoute(_req, reply) {
    reply.code(202);
    return { eventId: String(++n), status: 'queued' };
  });
}
app.get('/health', async () => ({ status: 'ok' }));

await app.listen({ port, host: '127.0.0.1' });
process.send?.({ port: app.server.address().port });

const stop = async () => {
  await app.close();
  if (pool) await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
