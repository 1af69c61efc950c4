import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { n, zohoInvoice } from '../factories/zoho-payloads';
import { FakeZoho, zohoTime } from '../support/fake-zoho';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';

const SECRET = 'Client-Secret-Never-Logged-4471';
const ADMIN = 'admin-key-recon-e2e';

/** The service as a child process with debug logs: Zoho's client secret, refresh token and access tokens never appear. */
describe('reconciliation logs no Zoho secret or token (child process, e2e)', () => {
  let db: TestDatabase;
  let fake: FakeZoho;
  let svc: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = new FakeZoho();
    fake.refreshToken = '1000.Refresh-Token-Never-Logged-9902';
    await fake.start();
    fake.module('invoices', { listKey: 'invoices', detailKey: 'invoice' });
    const modified = zohoTime(5);
    fake.modules.get('invoices')!.records.push({
      id: '460000000099001',
      modified,
      record: zohoInvoice({ invoice_id: n('460000000099001'), last_modified_time: modified }, 1),
    });
    svc = await startService({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: 'recon-e2e-webhook-key',
      ADMIN_API_KEYS: `ops:${ADMIN}`,
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      TDS_ROLE: 'all',
      HEALTH_REQUIRE_WORKER: 'false',
      ZOHO_CLIENT_ID: '1000.CLIENTID',
      ZOHO_CLIENT_SECRET: SECRET,
      ZOHO_REFRESH_TOKEN: fake.refreshToken,
      ZOHO_ORGANIZATION_ID: '20099887766',
      ZOHO_ACCOUNTS_URL: fake.url,
      ZOHO_API_BACKOFF_BASE_MS: '1',
      TDS_RECONCILE_CRON: '0 0 1 1 *',
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.stop();
    await db?.drop();
  });

  it('a pass with a token refused mid-way and a 500: the log names what happened, never a secret', async () => {
    fake.forcedStatuses = [500]; // the first list request fails (retried after a backoff) …
    fake.revokeTokensAfter = 1; // … and then the token dies: a 401 and one refresh
    const res = await fetch(`${svc.baseUrl}/dashboard/sync/reconcile`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Admin-Key': ADMIN },
      body: JSON.stringify({ entityType: 'invoice' }),
    });
    const body = (await res.json()) as { passes: { status: string; enqueued: number }[] };
    expect(res.status).toBe(200);
    expect(body.passes[0]).toMatchObject({ status: 'completed', enqueued: 1 });
    expect(fake.tokenRequests).toBe(2);
    await new Promise((r) => setTimeout(r, 500)); // pino flushes asynchronously
    const out = svc.output();
    expect(out).toMatch(/Zoho access token refreshed/);
    expect(out).toMatch(/HTTP 500, retrying/);
    expect(out).toMatch(/reconcile invoice pass=\d+ completed/);
    for (const secret of [SECRET, fake.refreshToken, ...fake.issuedTokens]) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/1000\.fake/);
  });
});
