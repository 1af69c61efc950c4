import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/modules/metrics/metrics.service';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'metrics-e2e-webhook-key';
const ADMIN = 'metrics-admin-key-0123456789';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format 0.0.4: every line is a comment or a well-formed sample. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
    let consumed = 0;
    for (let l = re.exec(labelText); l; l = re.exec(labelText)) {
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed = re.lastIndex;
    }
    if (consumed !== labelText.length) throw new Error(`bad labels in: ${line}`);
    samples.push({ name: m[1], labels, value: /^nan$/i.test(m[3]) ? NaN : Number(m[3].replace('+Inf', 'Infinity')) });
  }
  return { samples, types };
}

const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

describe('GET /metrics: Prometheus (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const scrape = async () => {
    const res = await request(t.server).get('/metrics').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.text);
  };
  const post = (path: string, body: string, key = KEY) =>
    request(t.server).post(path).set('Content-Type', 'application/json').set('X-Webhook-Key', key).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ADMIN_API_KEYS: `prometheus:${ADMIN}`, METRICS_IP_ALLOWLIST: '10.9.8.0/24' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('needs the admin key outside METRICS_IP_ALLOWLIST (401 / 403)', async () => {
    expect((await request(t.server).get('/metrics')).status).toBe(401);
    expect((await request(t.server).get('/metrics').set('X-API-Key', 'wrong')).status).toBe(403);
  });

  it('parses as Prometheus text and moves as webhooks arrive and events are applied', async () => {
    const before = await scrape();
    expect(before.types.get('tds_webhooks_received_total')).toBe('counter');
    expect(before.types.get('tds_queue_backlog_events')).toBe('gauge');
    expect(before.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(sum(before.samples, 'tds_queue_backlog_events')).toBe(0);

    const ts = '2026-11-30T10:00:00+0300';
    await post('/webhooks/contacts', `{"contact":{"contact_id":"7001","contact_name":"A","last_modified_time":"${ts}"}}`).expect(202);
    await post('/webhooks/contacts', `{"contact":{"contact_id":"7001","contact_name":"A","last_modified_time":"${ts}"}}`).expect(202); // duplicate
    await post(
      '/webhooks/invoices',
      '{"invoice":{"invoice_id":"7002","total":"oops","last_modified_time":"2026-11-30T10:00:00+0300"}}',
    ).expect(202);
    await post('/webhooks/contacts', '{"contact":{}}').expect(422);
    await post('/webhooks/contacts', '{}', 'wrong-key').expect(401);

    const queued = await scrape();
    expect(sum(queued.samples, 'tds_webhooks_received_total', { entity: 'contact', outcome: 'queued' })).toBe(1);
    expect(sum(queued.samples, 'tds_webhooks_received_total', { entity: 'contact', outcome: 'duplicate' })).toBe(1);
    expect(sum(queued.samples, 'tds_webhooks_received_total', { entity: 'invoice', outcome: 'queued' })).toBe(1);
    expect(sum(queued.samples, 'tds_webhooks_rejected_total', { entity: 'contact', reason: 'invalid_envelope' })).toBe(1);
    expect(sum(queued.samples, 'tds_webhooks_rejected_total', { entity: 'contact', reason: 'webhook_auth_failed' })).toBe(1);
    expect(sum(queued.samples, 'tds_webhook_ingest_seconds_count', { entity: 'contact' })).toBe(2);
    expect(sum(queued.samples, 'tds_queue_backlog_events')).toBe(2);
    expect(sum(queued.samples, 'tds_queue_events', { status: 'pending', entity: 'contact' })).toBe(1);
    expect(sum(queued.samples, 'tds_queue_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);

    await t.app.get(QueueWorker).drainOnce();
    const applied = await scrape();
    expect(sum(applied.samples, 'tds_events_processed_total', { entity: 'contact', outcome: 'applied' })).toBe(1);
    expect(sum(applied.samples, 'tds_events_processed_total', { entity: 'invoice', outcome: 'dead_letter' })).toBe(1);
    expect(sum(applied.samples, 'tds_event_processing_seconds_count', { entity: 'contact' })).toBe(1);
    expect(sum(applied.samples, 'tds_queue_backlog_events')).toBe(0);
    expect(sum(applied.samples, 'tds_dead_letter_events')).toBe(1);
    // Freshness and open alerts come from the newest monitoring snapshot.
    expect(applied.types.has('tds_alerts_open')).toBe(false);
    await t.app.get(MonitoringService).runOnce();
    const monitored = await scrape();
    const lastApplied = sum(monitored.samples, 'tds_entity_last_applied_timestamp_seconds', { entity: 'contact' });
    expect(Math.abs(lastApplied - Date.now() / 1000)).toBeLessThan(120);
    expect(
      monitored.samples
        .filter((x) => x.name === 'tds_alerts_open')
        .map((x) => x.labels.severity)
        .sort(),
    ).toEqual(['critical', 'info', 'warning']);
    // Every tds_* counter sample names the process it comes from.
    for (const s of applied.samples.filter((x) => x.name.startsWith('tds_events_processed'))) expect(s.labels.process).toMatch(/:/);
  });

  it('shows the counters of the other processes from their published rows, each under its own process label', async () => {
    const metrics = t.app.get(MetricsService);
    await metrics.publish();
    // A second process (e.g. a worker-only one, which serves no HTTP) published its own counters.
    const [{ metrics: own }] = await db.query<{ metrics: unknown }>(`SELECT metrics FROM tds.workers WHERE metrics IS NOT NULL`);
    await db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version, metrics, metrics_at) VALUES ('host-b:42:peer', 'worker', 'host-b', 42, 't', $1, now())`,
      [JSON.stringify(own)],
    );
    const both = await scrape();
    const processes = new Set(both.samples.filter((s) => s.name === 'tds_events_processed_total').map((s) => s.labels.process));
    expect(processes.size).toBe(2);
    expect(processes.has('host-b:42:peer')).toBe(true);
    expect(sum(both.samples, 'tds_events_processed_total', { entity: 'contact', outcome: 'applied' })).toBe(2);
    expect(sum(both.samples, 'tds_processes_publishing')).toBe(2);
    // A stopped process's series go away.
    await db.query(`UPDATE tds.workers SET stopped_at = now() WHERE worker_id = 'host-b:42:peer'`);
    expect(sum((await scrape()).samples, 'tds_processes_publishing')).toBe(1);
  });
});

describe('METRICS_IP_ALLOWLIST and ADMIN_IP_ALLOWLIST (e2e)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a Prometheus server in METRICS_IP_ALLOWLIST needs no key; an admin route from outside ADMIN_IP_ALLOWLIST is refused even with the key', async () => {
    const t = await startTestApp(db.url, {
      ADMIN_API_KEYS: ADMIN,
      METRICS_IP_ALLOWLIST: '127.0.0.0/8, ::1',
      ADMIN_IP_ALLOWLIST: '10.0.0.0/8',
    });
    try {
      const open = await request(t.server).get('/metrics');
      expect(open.status).toBe(200);
      expect(open.text).toMatch(/^# HELP /);
      const refused = await request(t.server).get('/dashboard/queue-stats').set('X-Admin-Key', ADMIN);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'ADMIN_IP_NOT_ALLOWED', message: expect.stringMatching(/ADMIN_IP_ALLOWLIST/) });
    } finally {
      await t.close();
    }
    const inside = await startTestApp(db.url, { ADMIN_API_KEYS: ADMIN, ADMIN_IP_ALLOWLIST: '127.0.0.0/8,::1' });
    try {
      await request(inside.server).get('/dashboard/queue-stats').set('X-Admin-Key', ADMIN).expect(200);
      // Outside METRICS_IP_ALLOWLIST (unset), /metrics is an admin route like the others.
      expect((await request(inside.server).get('/metrics')).status).toBe(401);
      await request(inside.server).get('/metrics').set('X-Admin-Key', ADMIN).expect(200);
    } finally {
      await inside.close();
    }
  });

  it('a malformed allowlist stops the start, naming the variable', async () => {
    await expect(startTestApp(db.url, { ADMIN_IP_ALLOWLIST: '10.0.0.0/40' })).rejects.toThrow(/ADMIN_IP_ALLOWLIST: "10.0.0.0\/40"/);
  });
});

describe('GET /metrics while the database is unreachable (e2e)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await TcpProxy.start(db.url);
    t = await startTestApp(proxy.url, { ADMIN_API_KEYS: `prometheus:${ADMIN}` });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('answers 503 DATABASE_UNAVAILABLE in the one JSON error shape (not the Prometheus content type), and recovers', async () => {
    const scrape = () => request(t.server).get('/metrics').set('Authorization', `Bearer ${ADMIN}`);
    await scrape().expect(200);
    proxy.cut();
    try {
      // The figures read at scrape time may be shared for a moment: wait for a scrape that reaches the database.
      await expect.poll(async () => (await scrape()).status, { timeout: 15_000, interval: 200 }).not.toBe(200);
      const down = await scrape();
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toMatch(/^application\/json/);
      expect(down.headers['retry-after']).toBeTruthy();
      expect(down.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'DATABASE_UNAVAILABLE',
        requestId: expect.any(String),
      });
    } finally {
      proxy.restore();
    }
    await expect.poll(async () => (await scrape()).status, { timeout: 15_000 }).toBe(200);
    expect((await scrape()).headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
