/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import {
  n,
  zohoBill,
  zohoBody,
  zohoCreditNote,
  zohoInventoryAdjustment,
  zohoItem,
  zohoPriceBook,
  zohoSalesOrder,
} from '../factories/zoho-payloads';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The operator web UI, built (ui/dist, by the global setup's scripts/build.mjs) and served by the real service on
 * a loopback port, driven in headless Chromium (Debian's package; playwright-core never downloads a browser) against
 * real PostgreSQL: log in, figures that match the API, an event found by its Zoho id and opened, a dead letter
 * retried, an alert acknowledged with a note, a test notification, the audit log. Screenshots (desktop 1280×800 and
 * phone 390×844) go to reports/ui/, or to docs/ui/ for docs/DASHBOARD_UI_GUIDE.md with `npm run docs:ui-screenshots`.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRE_TOOLS = process.env.TDS_TEST_REQUIRE_TOOLS === '1';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ROOT = resolve(__dirname, '../..');
// Screenshots go to reports/ui (ignored by git) on an ordinary run; `npm run docs:ui-screenshots` writes them to
// docs/ui for the guide (TDS_UI_SCREENSHOTS_DIR), so a test run does not rewrite committed pictures.
const SHOTS = resolve(ROOT, process.env.TDS_UI_SCREENSHOTS_DIR || join('reports', 'ui'));
// Pictures of the layout checks (not in the guide): always reports/ui.
const LAYOUT_SHOTS = resolve(ROOT, 'reports', 'ui');
const HOOK = 'ui-webhook-key';
const OPS = 'ui-ops-key-0123456789';
const BASE = '/tds';

const invoice = (id: string, total: string, customer: string) =>
  `{"invoice":{"invoice_id":"${id}","invoice_number":"INV-${id.slice(-4)}","customer_name":"${customer}","total":${total},"last_modified_time":"2026-11-28T10:00:00+0300"}}`;
const contact = (id: string, name: string) =>
  `{"contact":{"contact_id":"${id}","contact_name":"${name}","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}`;

const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !REQUIRE_TOOLS) {
  describe.skip(`operator web UI in Chromium (e2e): skipped, Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`, () => {
    it('needs Chromium', () => undefined);
  });
} else {
  describe('operator web UI in Chromium (e2e, real PostgreSQL)', () => {
    let db: TestDatabase;
    let t: TestApp;
    let receiver: HttpReceiver;
    let browser: Browser;
    let origin: string;
    const api = (path: string) => request(t.server).get(`${BASE}${path}`).set('Authorization', `Bearer ${OPS}`);
    const hook = (body: string, entity: string) =>
      request(t.server)
        .post(`${BASE}/webhooks/${entity}`)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', HOOK)
        .send(body)
        .expect(202);
    const drain = () => t.app.get(QueueWorker).drainOnce();

    beforeAll(async () => {
      if (!haveChromium) throw new Error(`Chromium not found at ${CHROMIUM} (TDS_TEST_REQUIRE_TOOLS=1): apt-get install chromium`);
      if (!existsSync(join(ROOT, 'ui', 'dist', 'index.html')))
        throw new Error('ui/dist is not built (the global setup runs scripts/build.mjs)');
      mkdirSync(SHOTS, { recursive: true });
      receiver = await startHttpReceiver();
      db = await createTestDatabase();
      t = await startTestApp(db.url, {
        API_BASE_PATH: BASE,
        WEBHOOK_API_KEYS: HOOK,
        ADMIN_API_KEYS: `ops:${OPS}`,
        ALERT_WEBHOOK_ENABLED: 'true',
        ALERT_WEBHOOK_URLS: `${receiver.url}/hooks/tds`,
        ALERT_WEBHOOK_SECRET: 'ui-test-webhook-secret-0123456789',
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.getHttpServer().address();
      origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

      // Real events through the webhook route and the worker: applied ones (an Arabic name among them), and
      // dead letters (a total that is not a number fails for good).
      await hook(contact('460000000011001', 'شركة بغداد للتجارة'), 'contacts');
      await hook(contact('460000000011002', 'Basra Supplies'), 'contacts');
      for (let i = 0; i < 4; i++) await hook(invoice(`46000000002600${i}`, `${250000 + i}`, 'مؤسسة النور'), 'invoices');
      await hook(invoice('460000000026101', '"not-a-number"', 'Erbil Traders'), 'invoices');
      await hook(invoice('460000000026102', '"n/a"', 'Mosul Market'), 'invoices');
      await drain();
      await hook(invoice('460000000026201', '300000', 'Najaf Stores'), 'invoices'); // still pending
      await db.query(
        `INSERT INTO tds.alerts (rule, title, severity, status, value, threshold, unit, summary, resolved_at)
         VALUES ('dead_letter_queue', 'Dead-letter queue is not empty', 'warning', 'open', 2, 1, 'events', 'Dead-letter queue holds 2 events (at least 1)', NULL),
                ('queue_backlog', 'Pending queue above 500 events', 'critical', 'resolved', 12, 500, 'events', 'Pending queue is 12 events', now())`,
      );

      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await db?.drop();
      await receiver?.close();
    });

    const newPage = async (viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Asia/Baghdad' });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { context, page };
    };
    const login = async (page: Page, key = OPS) => {
      await page.goto(`${origin}${BASE}/ui/`);
      await page.getByLabel('Admin key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    const figure = async (page: Page, name: string) => Number(await page.getByTestId(`figure-${name}`).locator('[data-value]').innerText());
    /** How far the page scrolls sideways (0: everything fits the window). */
    const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    /** A table's scroll area: how much of the table is hidden beyond its card's edge (0: it fits). */
    const tableOverflow = (page: Page, testId: string) =>
      page.getByTestId(testId).evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth);
    /** The bounding box of an element lies inside the window (not cut by its card, not off-screen). */
    const inWindow = async (page: Page, box: { x: number; y: number; width: number; height: number } | null) => {
      const width = page.viewportSize()!.width;
      return box !== null && box.x >= 0 && box.x + box.width <= width;
    };
    /** The x-axis labels of the overview's "By entity type" chart (Recharts 3 draws tick labels in a layer of their own). */
    const entityTicks = async (page: Page) => {
      const labels = page
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: 'By entity type' }) })
        .locator('.recharts-xAxis-tick-labels text');
      await labels.first().waitFor();
      return labels.evaluateAll((ts) => ts.map((t) => t.textContent ?? ''));
    };

    it('serves the built UI under the base path: index.html for client routes, hashed assets, no key needed', async () => {
      const index = await request(t.server).get(`${BASE}/ui/events/12`).expect(200);
      expect(index.headers['content-type']).toContain('text/html');
      expect(index.text).toContain(`<base href="${BASE}/ui/" />`);
      expect(index.headers).toMatchObject({
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.text)![1];
      const js = await request(t.server).get(`${BASE}/ui/${asset}`).expect(200);
      expect(js.headers['cache-control']).toContain('immutable');
      await request(t.server).get(`${BASE}/ui`).expect(302).expect('Location', `${BASE}/ui/`);
      await request(t.server).get(`${BASE}/ui/assets/missing.js`).expect(404);
    });

    it('a wrong key stays on the login screen with the server message; the right one shows figures that match the API', async () => {
      const { context, page } = await newPage({ width: 1280, height: 800 });
      // nothing outside the API fails to load (the page once asked for /favicon.ico at the site root: a 404)
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().includes('/dashboard/')) failed.push(`${r.status()} ${r.url()}`);
      });
      page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
      // the Content-Security-Policy of index.html blocks nothing the UI uses (Chromium reports each violation)
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
      });
      await page.goto(`${origin}${BASE}/ui/`);
      // the icon is inline, so it resolves under any API_BASE_PATH
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
      await page.screenshot({ path: join(SHOTS, 'login.png') });
      await login(page, 'not-the-key');
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('HTTP 403');

      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/dashboard/')) requests.push(r.headers()['authorization'] ?? 'none');
      });
      // Two monitoring snapshots (as the monitoring job stores them): the overview charts throughput and failure rate.
      await db.query(
        `INSERT INTO tds.metrics_snapshots (taken_at, duration_ms, pending, dead_letter, failure_rate, live_workers, data)
         VALUES (now() - interval '10 minutes', 5, 0, 2, 0.25, 1, '{"queue": {"window": {"throughputPerMinute": 12}}}'),
                (now() - interval '5 minutes', 5, 0, 2, 0.10, 1, '{"queue": {"window": {"throughputPerMinute": 30}}}')`,
      );
      await login(page);
      await page.getByTestId('queue-figures').waitFor();
      await page.getByTestId('history-chart').waitFor();
      const stats = (await api('/dashboard/queue-stats').expect(200)).body as {
        totals: Record<string, { count: number }>;
        byEntityType: { completedLast24h: number }[];
      };
      expect(stats.totals.deadLetter.count).toBe(2);
      expect(await figure(page, 'pending')).toBe(stats.totals.pending.count);
      expect(await figure(page, 'failed')).toBe(stats.totals.failed.count);
      expect(await figure(page, 'dead-letter')).toBe(2);
      expect(await figure(page, 'completed')).toBe(stats.byEntityType.reduce((n, r) => n + r.completedLast24h, 0));
      // the completed count says what it counts; the age of the oldest waiting event is a figure of its own
      expect(await page.getByTestId('figure-completed').innerText()).not.toContain('oldest');
      expect(await page.getByTestId('figure-oldest-waiting').innerText()).toMatch(/oldest waiting\s+\d+s/i);
      await page.getByTestId('open-alerts').getByText('Dead-letter queue is not empty').waitFor();
      await page.getByTestId('health').getByText('database').waitFor();
      // A check's message beyond up/down ("no monitoring snapshot yet", "shutting down", …) is shown beside it.
      const healthBody = (await request(t.server).get(`${BASE}/health`)).body as { details: Record<string, { message?: string }> };
      for (const check of Object.values(healthBody.details)) {
        if (check.message) await page.getByTestId('health').getByText(check.message).waitFor();
      }
      // The tries histogram says what its axis counts ("1 try", not a bare 1).
      await page.getByText('1 try', { exact: true }).waitFor();
      // the key went with every API call, as a Bearer token, and stays in sessionStorage only
      expect(requests.length).toBeGreaterThan(0);
      expect(new Set(requests)).toEqual(new Set([`Bearer ${OPS}`]));
      expect(await page.evaluate(() => [sessionStorage.getItem('tds-admin-key'), localStorage.length])).toEqual([OPS, 0]);
      await page.waitForTimeout(5_500); // a second poll: the live chart has two samples
      await page.mouse.move(0, 0); // no chart tooltip in the picture
      await page.screenshot({ path: join(SHOTS, 'overview-desktop.png'), fullPage: true });
      expect(failed).toEqual([]);
      expect(blocked).toEqual([]);
      await context.close();
    });

    it('finds an event by Zoho id, opens it (attempts, payload, Arabic name right to left) and a reload keeps the route', async () => {
      const { context, page } = await newPage({ width: 1280, height: 800 });
      await login(page);
      await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
      await page.getByLabel('Zoho id').fill('460000000011001');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => page.getByTestId('events-table').locator('tbody tr').count()).toBe(1);
      expect(page.url()).toContain('entityId=460000000011001');
      const [row] = await api('/dashboard/recent-events?entityId=460000000011001')
        .expect(200)
        .then((r) => r.body.items as { id: string }[]);
      await page.screenshot({ path: join(SHOTS, 'events-desktop.png'), fullPage: true });
      await page.getByRole('link', { name: `#${row.id}` }).click();
      await page.getByRole('heading', { name: `Event #${row.id}` }).waitFor();
      const name = page.getByTestId('record-name');
      expect(await name.innerText()).toBe('شركة بغداد للتجارة');
      expect(await name.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      expect(await page.getByTestId('attempts').locator('tbody tr').count()).toBe(1);
      expect(await page.getByTestId('payload').innerText()).toContain('"contact_id": "460000000011001"');
      await page.screenshot({ path: join(SHOTS, 'event-detail-desktop.png'), fullPage: true });
      await page.reload();
      await page.getByRole('heading', { name: `Event #${row.id}` }).waitFor();
      // An id that does not exist (mistyped, or pruned by retention): the message and the way back to the list.
      await page.goto(`${origin}${BASE}/ui/events/999999`);
      await page.getByRole('heading', { name: 'Event #999999' }).waitFor();
      await page
        .getByRole('alert')
        .getByText(/Event 999999 not found/)
        .waitFor();
      await page.getByRole('link', { name: '← Events' }).click();
      await page.getByTestId('events-table').waitFor();
      await context.close();
    });

    it('a service that does not answer is named as such (not the browser\'s "Failed to fetch"), and the screen recovers', async () => {
      const { context, page } = await newPage({ width: 1280, height: 800 });
      await login(page);
      await page.getByTestId('health').getByText('database').waitFor();
      // The service stopped (connection refused), then nginx in front of it answering its own 502 page.
      await page.route(/\/(dashboard\/|health)/, (route) => route.abort('connectionrefused'));
      await page
        .getByRole('alert')
        .getByText(/The service does not answer/)
        .first()
        .waitFor();
      expect(await page.getByText('Failed to fetch').count()).toBe(0);
      // The last health list ("Service ok") is not shown as if it were current (once /health's own poll failed).
      await expect.poll(() => page.getByTestId('health').count(), { timeout: 30_000 }).toBe(0);
      await page.unroute(/\/(dashboard\/|health)/);
      await page.route(/\/(dashboard\/|health)/, (route) =>
        route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }),
      );
      await page
        .getByRole('alert')
        .getByText(/HTTP 502 from the proxy/)
        .first()
        .waitFor();
      await page.unroute(/\/(dashboard\/|health)/);
      await page.getByTestId('health').getByText('database').waitFor({ timeout: 30_000 });
      await expect
        .poll(
          () =>
            page
              .getByRole('alert')
              .getByText(/does not answer/)
              .count(),
          { timeout: 30_000 },
        )
        .toBe(0);
      await context.close();
    });

    it('dead letter: grouped by error, one retried, the rest through a dry-run preview then confirm', async () => {
      const { context, page } = await newPage({ width: 1280, height: 800 });
      await login(page);
      await page.getByRole('navigation').getByRole('link', { name: 'Dead letter' }).click();
      await page.getByTestId('error-groups').waitFor();
      await page.screenshot({ path: join(SHOTS, 'dead-letter-desktop.png'), fullPage: true });
      const dead = (await api('/dashboard/dead-letter').expect(200)).body.items as { id: string; entityId: string }[];
      expect(dead).toHaveLength(2);
      const one = dead.find((e) => e.entityId === '460000000026101')!;
      await page.locator(`tr[data-event-id="${one.id}"]`).getByRole('button', { name: 'Retry' }).click();
      await page.getByRole('status').getByText(`Event #${one.id} queued again.`).waitFor();
      const retried = (await api(`/dashboard/events/${one.id}`).expect(200)).body as { status: string };
      expect(retried.status).toBe('pending');

      await page.getByRole('button', { name: /preview/ }).click();
      const preview = page.getByTestId('bulk-preview');
      await expect.poll(() => preview.innerText()).toContain('Dry run: 1 of 1');
      expect((await api('/dashboard/dead-letter').expect(200)).body.items).toHaveLength(1); // a dry run changes nothing
      await page.screenshot({ path: join(SHOTS, 'dead-letter-preview-desktop.png'), fullPage: true });
      await page.getByRole('button', { name: 'Confirm: retry 1' }).click();
      await page.getByRole('status').getByText('Retried 1 of 1 dead letters.').waitFor();
      expect((await api('/dashboard/dead-letter').expect(200)).body.items).toHaveLength(0);
      await context.close();
    });

    it('acknowledges an open alert with a note; a test notification shows each channel result; the audit log lists the actions', async () => {
      const { context, page } = await newPage({ width: 1280, height: 800 });
      await login(page);
      await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
      const card = page.locator('[data-alert-id]').filter({ hasText: 'Dead-letter queue is not empty' });
      await card.waitFor();
      await card.getByRole('button', { name: 'Acknowledge…' }).click();
      await card.getByLabel('Note').fill('Retrying the invoices from the UI');
      await page.screenshot({ path: join(SHOTS, 'alerts-desktop.png'), fullPage: true });
      await card.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await expect.poll(() => page.locator('[data-alert-id]').count()).toBe(0); // gone from the open list
      const alerts = (await api('/dashboard/alerts?status=acknowledged').expect(200)).body.alerts as Record<string, unknown>[];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ acknowledgedBy: 'ops', acknowledgeNote: 'Retrying the invoices from the UI' });
      await page.getByRole('tab', { name: 'acknowledged' }).click();
      await page.getByTestId('acknowledged').getByText('Retrying the invoices from the UI').waitFor();
      // the key's name reads as a key's name ("Acknowledged by generated" read as a sentence once)
      expect(await page.getByTestId('acknowledged').innerText()).toMatch(
        /^Acknowledged at \S+ \S+ \(key “ops”\): “Retrying the invoices from the UI”$/,
      );

      await page.getByRole('navigation').getByRole('link', { name: 'Notifications' }).click();
      await page.getByRole('button', { name: 'Send a test notification' }).click();
      const results = page.getByTestId('notification-results');
      await expect.poll(() => results.innerText()).toContain('1 of 1 notification target accepted the test message');
      expect(await results.innerText()).toContain('webhook');
      expect(receiver.requests.length).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, 'notifications-desktop.png'), fullPage: true });

      await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
      const audit = page.getByTestId('audit-table');
      await expect.poll(() => audit.innerText()).toContain('dead-letter.bulk-retry');
      expect(await audit.innerText()).toContain('dead-letter.retry');
      expect(await audit.innerText()).toContain('alert.acknowledge');
      expect(await audit.innerText()).toContain('notification.test');
      await page.screenshot({ path: join(SHOTS, 'audit-desktop.png'), fullPage: true });
      await context.close();
    });

    it('works on a phone-sized screen (390×844): navigation, figures and tables fit; a refused key goes back to login', async () => {
      // dead letters again for the phone's dead-letter screen: a new bad invoice, and the two retried ones fail again
      await hook(invoice('460000000026301', '"twelve"', 'Kirkuk Oil Supplies'), 'invoices');
      await drain();
      const { context, page } = await newPage({ width: 390, height: 844 });
      await login(page);
      await page.getByTestId('queue-figures').waitFor();
      // nothing wider than the screen but the tables' own scroll areas
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.waitForTimeout(5_500);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(SHOTS, 'overview-phone.png'), fullPage: true });
      await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
      await expect.poll(() => page.getByTestId('events-list').locator('li').count()).toBe(10);
      expect(await page.getByTestId('events-table').isVisible()).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'events-phone.png'), fullPage: true });
      await page.getByRole('navigation').getByRole('link', { name: 'Dead letter' }).click();
      await page.getByTestId('events-list').locator('li').first().waitFor();
      expect(await page.getByTestId('events-list').locator('li').count()).toBe(3);
      await page.screenshot({ path: join(SHOTS, 'dead-letter-phone.png'), fullPage: true });

      // the stored key no longer works (rotated away): the next call answers 403 and the UI asks again
      await page.evaluate(() => sessionStorage.setItem('tds-admin-key', 'rotated-away'));
      await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
      await page.getByLabel('Admin key').waitFor();
      expect(await page.getByRole('alert').innerText()).toMatch(/admin key/i);
      expect(await page.evaluate(() => sessionStorage.getItem('tds-admin-key'))).toBeNull();
      await context.close();
    });

    describe('layout (long error texts, a wide payload, every entity type)', () => {
      // A sales order whose total is 1e400 (dead-lettered: out of range) with a long unbroken note (a wide line of
      // JSON), one record of every other entity type (the chart then has eight), and one dead letter whose error is
      // long, with a long unbroken word in it.
      const longNote = `Deliver-to-warehouse-${'7'.repeat(60)}-gate-${'B'.repeat(60)}`;
      let orderId: string;
      let longErrorId: string;
      let entityTypes: string[];
      beforeAll(async () => {
        const order = await hook(
          zohoBody('salesorder', zohoSalesOrder({ total: n('1e400'), notes: longNote, customer_name: 'Kirkuk Oil Supplies' })),
          'sales-orders',
        );
        orderId = String(order.body.eventId);
        await hook(zohoBody('item', zohoItem()), 'items');
        await hook(zohoBody('bill', zohoBill()), 'bills');
        await hook(zohoBody('creditnote', zohoCreditNote()), 'credit-notes');
        await hook(zohoBody('inventory_adjustment', zohoInventoryAdjustment()), 'stock');
        await hook(zohoBody('pricebook', zohoPriceBook()), 'prices');
        await drain();
        const [long] = await db.query<{ id: string }>(
          `UPDATE tds.events SET last_error = $1 WHERE entity_id = '460000000026301' AND status = 'dead_letter' RETURNING id::text`,
          [
            'ERP write refused by the upstream accounting gateway after validation of the invoice header and its line items: ' +
              `reference ${'X'.repeat(90)} was not accepted because the customer account is on hold for credit review`,
          ],
        );
        longErrorId = long.id;
        expect((await api(`/dashboard/events/${orderId}`).expect(200)).body.status).toBe('dead_letter');
        const stats = (await api('/dashboard/queue-stats').expect(200)).body as { byEntityType: { entityType: string }[] };
        entityTypes = stats.byEntityType.map((r) => r.entityType).sort();
        expect(entityTypes).toHaveLength(8);
      });

      it('overview: the "By entity type" chart labels all eight entity types (sales_order was dropped), desktop and phone', async () => {
        for (const viewport of [
          { width: 1280, height: 800 },
          { width: 390, height: 844 },
        ]) {
          const { context, page } = await newPage(viewport);
          await login(page);
          expect((await entityTicks(page)).sort()).toEqual(entityTypes);
          expect(await sideways(page)).toBeLessThanOrEqual(0);
          await page.mouse.move(0, 0);
          await page.screenshot({ path: join(LAYOUT_SHOTS, `layout-overview-${viewport.width}.png`), fullPage: true });
          await context.close();
        }
      });

      it('dead letter and audit log at 1280×800 and 1440×900: error texts wrap, the tables fit their cards, Show, Retry and Client IP on screen', async () => {
        for (const viewport of [
          { width: 1280, height: 800 },
          { width: 1440, height: 900 },
        ]) {
          const { context, page } = await newPage(viewport);
          await login(page);
          await page.getByRole('navigation').getByRole('link', { name: 'Dead letter' }).click();
          await page.getByTestId('error-groups').getByText('out of range').waitFor();
          await page.getByTestId('events-table').locator(`tr[data-event-id="${longErrorId}"]`).waitFor();
          expect(await tableOverflow(page, 'error-groups')).toBeLessThanOrEqual(0);
          expect(await tableOverflow(page, 'events-table')).toBeLessThanOrEqual(0);
          const shows = page.getByTestId('error-groups').getByRole('button', { name: 'Show', exact: true });
          expect(await shows.count()).toBeGreaterThanOrEqual(3);
          for (const b of await shows.all()) expect(await inWindow(page, await b.boundingBox())).toBe(true);
          for (const b of await page.getByTestId('events-table').getByRole('button', { name: 'Retry' }).all())
            expect(await inWindow(page, await b.boundingBox())).toBe(true);
          const lastSeen = page.getByTestId('error-groups').getByRole('columnheader', { name: 'Last seen' });
          expect(await inWindow(page, await lastSeen.boundingBox())).toBe(true);
          expect(await sideways(page)).toBeLessThanOrEqual(0);
          await page.screenshot({ path: join(LAYOUT_SHOTS, `layout-dead-letter-${viewport.width}.png`), fullPage: true });

          await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
          await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
          expect(await tableOverflow(page, 'audit-table')).toBeLessThanOrEqual(0);
          const clientIp = page.getByTestId('audit-table').getByRole('columnheader', { name: 'Client IP' });
          expect(await inWindow(page, await clientIp.boundingBox())).toBe(true);
          await page.screenshot({ path: join(LAYOUT_SHOTS, `layout-audit-${viewport.width}.png`), fullPage: true });
          await context.close();
        }
      });

      it('phone (390×844): no screen scrolls sideways; the wide payload scrolls inside its own card', async () => {
        const { context, page } = await newPage({ width: 390, height: 844 });
        await page.goto(`${origin}${BASE}/ui/`);
        await page.getByLabel('Admin key').waitFor();
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await login(page);
        await page.getByTestId('queue-figures').waitFor();
        await page.goto(`${origin}${BASE}/ui/events/${orderId}`);
        await page.getByRole('heading', { name: `Event #${orderId}` }).waitFor();
        const payload = page.getByTestId('payload');
        expect(await payload.innerText()).toContain(longNote);
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        expect(await payload.evaluate((pre) => pre.scrollWidth > pre.clientWidth)).toBe(true); // it scrolls inside
        expect(await inWindow(page, await payload.boundingBox())).toBe(true);
        await page.screenshot({ path: join(LAYOUT_SHOTS, 'layout-event-detail-phone.png'), fullPage: true });
        const screens: [string, (page: Page) => Promise<unknown>][] = [
          ['', (p) => p.getByTestId('queue-figures').waitFor()],
          ['events', (p) => p.getByTestId('events-list').locator('li').first().waitFor()],
          ['dead-letter', (p) => p.getByTestId('error-groups').waitFor({ state: 'attached' })],
          [
            'alerts',
            async (p) => {
              await p.getByRole('tab', { name: 'all' }).click();
              await p.getByTestId('acknowledged').waitFor();
            },
          ],
          ['notifications', (p) => p.getByRole('button', { name: 'Send a test notification' }).waitFor()],
          [
            'audit',
            async (p) => {
              // One card per action: the result and the detail are on the screen, not in a column beyond its edge.
              const first = p.getByTestId('audit-list').locator('li').first();
              await first.waitFor();
              expect(await inWindow(p, await first.boundingBox())).toBe(true);
              expect(await inWindow(p, await first.getByText(/^(succeeded|failed)$/).boundingBox())).toBe(true);
            },
          ],
        ];
        for (const [screen, ready] of screens) {
          await page.goto(`${origin}${BASE}/ui/${screen}`);
          await ready(page);
          expect({ screen, sideways: Math.max(0, await sideways(page)) }).toEqual({ screen, sideways: 0 });
          await page.screenshot({ path: join(LAYOUT_SHOTS, `layout-${screen || 'overview'}-phone.png`), fullPage: true });
        }
        await context.close();
      });
    });
  });
}
