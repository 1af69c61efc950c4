import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';
import { zohoSignature } from '../support/zoho-signature';
import { freePort } from '../../src/common/net/free-port';
import { EnvironmentVariables } from '../../src/config/env.validation';

/**
 * The real nginx (Debian package) with deploy/nginx/tds-core.conf in front of the service, on loopback, TLS with a
 * throwaway certificate. The shipped file is copied with only its host-specific values replaced (ports, certificate
 * and log paths); every replacement is checked to have happened, so the test follows the file.
 * The client connects from 127.0.0.2: nginx reaches the service from 127.0.0.1 (TRUSTED_PROXIES), so an address the
 * service records as 127.0.0.2 can only have come from X-Forwarded-For.
 */
const ROOT = resolve(__dirname, '../..');
const CONF = join(ROOT, 'deploy/nginx/tds-core.conf');
const HOST = 'tds.example.com';
const SECRET = 'nginx-test-zoho-secret-5150';

const nginxBin = ['nginx', '/usr/sbin/nginx'].find((b) => spawnSync(b, ['-v']).status === 0);
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const requireTools = process.env.TDS_TEST_REQUIRE_TOOLS === '1';
const missing = [nginxBin ? '' : 'nginx (apt-get install nginx)', hasOpenssl ? '' : 'openssl (apt-get install openssl)'].filter(Boolean);
const skip = missing.length > 0 && !requireTools;
const needs = missing.length ? ` [skipped: ${missing.join(', ')} not installed]` : '';

/** Replaces `from` in `text`, failing when it is not there (the shipped file changed: update the test). */
function substitute(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`deploy/nginx/tds-core.conf no longer contains ${String(from)}`);
  return next;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe.skipIf(skip)(`nginx in front of the service (deploy/nginx/tds-core.conf)${needs}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tds-nginx-'));
  chmodSync(dir, 0o755);
  let db: TestDatabase;
  let svc: ServiceProcess;
  let nginx: ChildProcess | undefined;
  let nginxOut = '';
  let tlsPort = 0;
  let httpPort = 0;
  let cert = '';

  /** A request to nginx over TLS (the certificate checked against the throwaway CA), from 127.0.0.2. */
  function https(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
    return new Promise((done, fail) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: tlsPort,
          servername: HOST,
          ca: cert,
          localAddress: '127.0.0.2',
          method,
          path,
          headers: { Host: HOST, ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startService({
      DATABASE_URL: db.url,
      ENVIRONMENT: 'development', // docs open
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TDS_ROLE: 'api',
      HEALTH_REQUIRE_WORKER: 'false',
      API_BASE_PATH: '/tds',
      TRUSTED_PROXIES: '127.0.0.1',
      ZOHO_WEBHOOK_SECRETS: SECRET,
    });

    const certDir = join(dir, 'certs');
    const logDir = join(dir, 'logs');
    mkdirSync(certDir);
    mkdirSync(logDir);
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
      ].concat(['-keyout', join(certDir, 'privkey.pem'), '-out', join(certDir, 'fullchain.pem')]),
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    cert = readFileSync(join(certDir, 'fullchain.pem'), 'utf8');

    tlsPort = await freePort();
    httpPort = await freePort();
    let site = readFileSync(CONF, 'utf8');
    site = substitute(site, /^\s*listen \[::\]:80;\n/m, '');
    site = substitute(site, /^\s*listen \[::\]:443 ssl http2;\n/m, '');
    site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
    site = substitute(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl http2;`);
    site = substitute(site, 'server 127.0.0.1:8001;', `server 127.0.0.1:${svc.port};`);
    site = substitute(site, /\/etc\/letsencrypt\/live\/tds\.example\.com\//g, `${certDir}/`);
    site = substitute(site, /\/var\/log\/nginx\//g, `${logDir}/`);
    writeFileSync(join(dir, 'tds-core.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => {
      mkdirSync(join(dir, t));
      chmodSync(join(dir, t), 0o777);
      return `  ${t}_temp_path ${join(dir, t)};`;
    });
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        userInfo().uid === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(logDir, 'main-error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        ...temp,
        `  include ${join(dir, 'tds-core.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const check = spawnSync(nginxBin!, ['-t', '-p', dir, '-e', join(logDir, 'main-error.log'), '-c', join(dir, 'nginx.conf')], {
      encoding: 'utf8',
    });
    if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}`);
    nginx = spawn(nginxBin!, ['-p', dir, '-e', join(logDir, 'main-error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout!.on('data', (d) => (nginxOut += d.toString()));
    nginx.stderr!.on('data', (d) => (nginxOut += d.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const up = await new Promise<boolean>((r) => {
        const s = connect(tlsPort, '127.0.0.1', () => (s.destroy(), r(true)));
        s.on('error', () => r(false));
      });
      if (up) break;
      if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start:\n${nginxOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    await svc?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/tds/health and /tds/health/live answer through TLS; plain HTTP redirects to HTTPS', async () => {
    const health = await https('GET', '/tds/health');
    expect(health.status, health.body).toBe(200);
    expect((JSON.parse(health.body) as { status: string }).status).toBe('ok');
    expect((await https('GET', '/tds/health/live')).status).toBe(200);
    const plain = await new Promise<Answer>((done, fail) => {
      const req = httpRequest({ host: '127.0.0.1', port: httpPort, path: '/tds/health', headers: { Host: HOST } }, (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
      });
      req.on('error', fail);
      req.end();
    });
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe(`https://${HOST}/tds/health`);
  });

  it('/tds/docs (Swagger UI) and /tds/docs-json work under the prefix', async () => {
    const docs = await https('GET', '/tds/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger');
    const json = await https('GET', '/tds/docs-json');
    expect(json.status).toBe(200);
    expect(Object.keys((JSON.parse(json.body) as { paths: object }).paths)).toContain('/tds/webhooks/{entity}');
  });

  it('a signed Zoho webhook crosses the proxy byte for byte: 202, and the event is stored', async () => {
    const body = `{"contact":{"contact_id":"460000000099001","contact_name":"Via nginx","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}`;
    const params = { organization_id: '20099887766', event: 'created' };
    const res = await https(
      'POST',
      '/tds/webhooks/contacts?organization_id=20099887766&event=created',
      {
        'Content-Type': 'application/json',
        'X-Zoho-Webhook-Signature': zohoSignature(SECRET, params, body),
      },
      body,
    );
    expect(res.status, res.body).toBe(202);
    const rows = await db.query<{ body: string }>(
      `SELECT convert_from(body, 'UTF8') AS body FROM tds.events WHERE entity_id = '460000000099001'`,
    );
    expect(rows.map((r) => r.body)).toEqual([body]);
    const forged = await https(
      'POST',
      '/tds/webhooks/contacts?organization_id=20099887766&event=created',
      {
        'Content-Type': 'application/json',
        'X-Zoho-Webhook-Signature': zohoSignature('wrong-secret', params, body),
      },
      body,
    );
    expect(forged.status).toBe(401);
  });

  it('the client address the service records comes from X-Forwarded-For (nginx appends the real one to a forged one)', async () => {
    const probe = randomUUID();
    const res = await https('GET', `/tds?probe=${probe}`, { 'X-Forwarded-For': '203.0.113.9' });
    expect(res.status, res.body).toBe(200);
    const deadline = Date.now() + 10_000;
    let seen: string | undefined;
    while (!seen && Date.now() < deadline) {
      const line = svc
        .output()
        .split('\n')
        .find((l) => l.includes(probe) && l.includes('request completed'));
      seen = line ? (JSON.parse(line) as { req: { remoteAddress: string } }).req.remoteAddress : undefined;
      if (!seen) await new Promise((r) => setTimeout(r, 50));
    }
    // Not 127.0.0.1 (nginx, the TCP peer) and not the forged address: the client's, as nginx saw it.
    expect(seen, svc.output()).toBe('127.0.0.2');
  });

  it("health routes are not in nginx's access log; other routes are", async () => {
    await https('GET', '/tds/health/ready');
    await https('GET', '/tds/ping');
    const marker = randomUUID();
    await https('GET', `/tds/docs-json?m=${marker}`);
    const logFile = join(dir, 'logs', 'tds-core.access.log');
    const deadline = Date.now() + 5000;
    while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').includes(marker)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`/tds/docs-json?m=${marker}`);
    expect(log).toContain('/tds/docs ');
    expect(log).not.toMatch(/\/tds\/(health|ping)/);
  });

  it("the body limit matches the service's (WEBHOOK_MAX_BODY_BYTES): one byte more is refused by nginx with 413", async () => {
    const limit = /client_max_body_size (\d+)m;/.exec(readFileSync(CONF, 'utf8'));
    expect(Number(limit![1]) * 1024 * 1024).toBe(new EnvironmentVariables().WEBHOOK_MAX_BODY_BYTES);
    const tooBig = Buffer.alloc(new EnvironmentVariables().WEBHOOK_MAX_BODY_BYTES + 1, 0x20);
    const res = await https('POST', '/tds/webhooks/contacts?event=created', { 'Content-Type': 'application/json' }, tooBig);
    expect(res.status).toBe(413);
    expect(res.headers.server).toMatch(/^nginx/);
  });
});
