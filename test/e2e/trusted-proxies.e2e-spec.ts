import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';

/** The client address in the access log line of the request to `/?probe=<probe>` (waits for pino's flush). */
async function loggedClientAddress(svc: ServiceProcess, probe: string): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const line of svc.output().split('\n')) {
      if (!line.includes(probe)) continue;
      const entry = JSON.parse(line) as { req?: { url?: string; remoteAddress?: string }; msg?: string };
      if (entry.req?.url?.includes(probe) && entry.msg === 'request completed') return entry.req.remoteAddress;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** X-Forwarded-For counts only from a configured proxy (TRUSTED_PROXIES); real sockets on loopback. */
describe('TRUSTED_PROXIES: whose X-Forwarded-For the service believes (child process, e2e)', () => {
  let db: TestDatabase;
  const running: ServiceProcess[] = [];
  const base = { TDS_ROLE: 'api', HEALTH_REQUIRE_WORKER: 'false', LOG_LEVEL: 'info', LOG_FORMAT: 'json', WEBHOOK_API_KEYS: 'k' };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    await db?.drop();
  });

  async function service(extra: Record<string, string>): Promise<ServiceProcess> {
    const svc = await startService({ ...base, DATABASE_URL: db.url, ...extra });
    running.push(svc);
    return svc;
  }

  async function clientAddressSeen(svc: ServiceProcess, forwardedFor: string): Promise<string | undefined> {
    const probe = randomUUID();
    const res = await fetch(`${svc.baseUrl}/?probe=${probe}`, { headers: { 'X-Forwarded-For': forwardedFor } });
    expect(res.status).toBe(200);
    return loggedClientAddress(svc, probe);
  }

  it('unset: the peer (127.0.0.1) is the client; a forged X-Forwarded-For is ignored', async () => {
    const svc = await service({});
    expect(await clientAddressSeen(svc, '203.0.113.7')).toBe('127.0.0.1');
    expect(await clientAddressSeen(svc, '127.0.0.9, 203.0.113.7')).toBe('127.0.0.1');
  });

  it('the peer is in a trusted range: the client is the right-most X-Forwarded-For address that is not trusted', async () => {
    const svc = await service({ TRUSTED_PROXIES: '10.0.0.1, 127.0.0.0/8' });
    expect(await clientAddressSeen(svc, '203.0.113.7')).toBe('203.0.113.7');
    // 198.51.100.9 forged by the client, 203.0.113.7 added by an untrusted hop, then our proxy (the peer).
    expect(await clientAddressSeen(svc, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
    // A trusted hop in between (127.0.0.5) is skipped.
    expect(await clientAddressSeen(svc, '203.0.113.7, 127.0.0.5')).toBe('203.0.113.7');
  });
});
