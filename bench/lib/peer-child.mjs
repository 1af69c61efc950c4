// Child process for bench/peers.mjs: one peer drains N contact upserts into bench_contacts on a scratch database.
//   pgboss    pg-boss 12.38, batch handler (batchSize 100, localConcurrency 4, burstWhenBatchFull, transactional:
//             the upsert commits with the jobs' completion)
//   graphile  graphile-worker 0.18, one upsert per job, concurrency 32, localQueue 500, batched completions
//   ceiling   4 loops, one transaction each: claim 100 with FOR UPDATE SKIP LOCKED, one multi-row upsert of the
//             claimed records, delete them
// The queue is filled first (not timed) and ANALYZEd; the clock starts at the first handler call (the first claim
// for the ceiling) and stops when the database holds no unfinished job (polled every 25 ms).
// Protocol: parent sends { peer, databaseUrl, n, nonce, options }; child answers { result } or { error } and exits.
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { makeIds, contactJobData } from './payloads.mjs';
import { CEILING_CLAIM_APPLY, CREATE_CEILING_QUEUE, CREATE_SINK, UPSERT_BATCH, UPSERT_ONE } from './sink.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pollUntil(client, sql, { timeoutMs, label }) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const { rows } = await client.query(sql);
    if (!rows[0].busy) return performance.now();
    if (Date.now() > deadline) throw new Error(`${label}: jobs still unfinished after ${timeoutMs} ms`);
    await sleep(25);
  }
}

function jobsData(n, nonce) {
  const ids = makeIds(nonce);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = contactJobData(i, ids);
  return out;
}

async function runPgBoss({ databaseUrl, n, nonce, options, admin }) {
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: options.poolSize ?? 10,
    schedule: false,
    supervise: false,
    migrate: true,
  });
  boss.on('error', (err) => process.stderr.write(`pg-boss error: ${err.message}\n`));
  await boss.start();
  const queue = 'contacts';
  await boss.createQueue(queue);
  const data = jobsData(n, nonce);
  for (let i = 0; i < n; i += 5000)
    await boss.insert(
      queue,
      data.slice(i, i + 5000).map((d) => ({ data: d })),
    );
  await admin.query('ANALYZE');
  let first;
  let handled = 0;
  const workOptions = {
    batchSize: options.batchSize ?? 100,
    localConcurrency: options.localConcurrency ?? 4,
    pollingIntervalSeconds: 0.5, // the minimum; burstWhenBatchFull keeps fetching without a pause while batches come back full
    burstWhenBatchFull: true,
    includeMetadata: false,
    transactional: true,
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await boss.work(queue, workOptions, async (jobs, tx) => {
    first ??= performance.now();
    await tx.executeSql(UPSERT_BATCH, [JSON.stringify(jobs.map((j) => j.data))]);
    handled += jobs.length;
  });
  const done = await pollUntil(
    admin,
    `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = 'contacts' AND state IN ('created', 'retry', 'active')) AS busy`,
    { timeoutMs: options.timeoutMs, label: 'pg-boss' },
  );
  const cpu = process.cpuUsage(cpu0);
  const failed = (await admin.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'contacts' AND state = 'failed'`)).rows[0].n;
  await boss.stop({ graceful: true, close: true, timeout: 10_000 });
  return { first, done, started, handled, failed, cpu, workOptions };
}

async function runGraphile({ databaseUrl, n, nonce, options, admin }) {
  const { run, makeWorkerUtils } = await import('graphile-worker');
  const { Logger } = await import('graphile-worker');
  const logger = new Logger(() => (level, message) => {
    if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
  });
  const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger });
  await utils.migrate();
  const data = jobsData(n, nonce);
  for (let i = 0; i < n; i += 5000) {
    await utils.addJobs(data.slice(i, i + 5000).map((payload) => ({ identifier: 'upsert_contact', payload })));
  }
  await utils.release();
  await admin.query('ANALYZE');
  let first;
  let handled = 0;
  const concurrency = options.concurrency ?? 32;
  const preset = {
    worker: {
      localQueue: { size: options.localQueueSize ?? 500 },
      completeJobBatchDelay: options.completeJobBatchDelay ?? 0,
      failJobBatchDelay: 0,
    },
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const runner = await run({
    connectionString: databaseUrl,
    concurrency,
    maxPoolSize: options.poolSize ?? concurrency + 2,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
    preset,
    taskList: {
      upsert_contact: async (payload, helpers) => {
        first ??= performance.now();
        await helpers.withPgClient((client) => client.query(UPSERT_ONE, [JSON.stringify(payload)]));
        handled++;
      },
    },
  });
  const done = await pollUntil(admin, `SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE last_error IS NULL) AS busy`, {
    timeoutMs: options.timeoutMs,
    label: 'graphile-worker',
  });
  const cpu = process.cpuUsage(cpu0);
  const failed = (await admin.query(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`)).rows[0].n;
  await runner.stop();
  return { first, done, started, handled, failed, cpu, workOptions: { concurrency, ...preset.worker, pollInterval: 1000 } };
}

async function runCeiling({ databaseUrl, n, nonce, options, admin }) {
  await fillCeilingQueue(admin, n, nonce);
  const loops = options.loops ?? 4;
  const batch = options.batchSize ?? 100;
  const clients = [];
  for (let i = 0; i < loops; i++) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    clients.push(c);
  }
  let handled = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const first = started;
  // Like a real worker: the claimed records come to the application, which writes them back in one upsert.
  const claim = { name: 'claim', text: `SELECT id, data FROM bench_queue ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED` };
  await Promise.all(
    clients.map(async (c) => {
      while (true) {
        await c.query('BEGIN');
        const { rows } = await c.query(claim);
        if (rows.length === 0) {
          await c.query('COMMIT');
          break;
        }
        await c.query({ name: 'upsert', text: UPSERT_BATCH, values: [JSON.stringify(rows.map((r) => r.data))] });
        await c.query({ name: 'complete', text: 'DELETE FROM bench_queue WHERE id = ANY($1::bigint[])', values: [rows.map((r) => r.id)] });
        await c.query('COMMIT');
        handled += rows.length;
      }
    }),
  );
  const done = await pollUntil(admin, 'SELECT EXISTS (SELECT 1 FROM bench_queue) AS busy', {
    timeoutMs: options.timeoutMs,
    label: 'ceiling',
  });
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(clients.map((c) => c.end()));
  return { first, done, started, handled, failed: 0, cpu, workOptions: { loops, batch } };
}

/** Not a peer: everything in one SQL statement, the data never leaves PostgreSQL (BENCH_PEERS=ceiling_sql). */
async function runCeilingSql({ databaseUrl, n, nonce, options, admin }) {
  await fillCeilingQueue(admin, n, nonce);
  const loops = options.loops ?? 4;
  const sql = CEILING_CLAIM_APPLY(options.batchSize ?? 100);
  const clients = [];
  for (let i = 0; i < loops; i++) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    clients.push(c);
  }
  let handled = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    clients.map(async (c) => {
      while (true) {
        const { rows } = await c.query({ text: sql, name: 'claim_apply' });
        handled += rows[0].n;
        if (rows[0].n === 0) break;
      }
    }),
  );
  const done = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(clients.map((c) => c.end()));
  return { first: started, done, started, handled, failed: 0, cpu, workOptions: { loops } };
}

async function fillCeilingQueue(admin, n, nonce) {
  await admin.query(CREATE_CEILING_QUEUE);
  const data = jobsData(n, nonce);
  for (let i = 0; i < n; i += 5000) {
    await admin.query('INSERT INTO bench_queue (data) SELECT e FROM jsonb_array_elements($1::jsonb) AS e', [
      JSON.stringify(data.slice(i, i + 5000)),
    ]);
  }
  await admin.query('ANALYZE');
}

process.once('message', async (msg) => {
  const admin = new pg.Client({ connectionString: msg.databaseUrl });
  try {
    await admin.connect();
    await admin.query(CREATE_SINK);
    const args = { ...msg, options: { timeoutMs: 600_000, ...(msg.options ?? {}) }, admin };
    const impl = { pgboss: runPgBoss, graphile: runGraphile, ceiling: runCeiling, ceiling_sql: runCeilingSql }[msg.peer];
    if (!impl) throw new Error(`unknown peer ${msg.peer}`);
    const r = await impl(args);
    const elapsedMs = r.done - r.first;
    const result = {
      peer: msg.peer,
      n: msg.n,
      handled: r.handled,
      failed: r.failed,
      elapsedMs,
      startupMs: r.first - r.started,
      eventsPerS: msg.n / (elapsedMs / 1000),
      cpuUsPerEvent: (r.cpu.user + r.cpu.system) / msg.n,
      options: r.workOptions,
    };
    await admin.end();
    process.send({ result }, () => process.exit(0));
  } catch (err) {
    await admin.end().catch(() => undefined);
    process.send({ error: err.stack ?? String(err) }, () => process.exit(1));
  }
});
