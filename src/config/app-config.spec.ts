import { describe, expect, it } from 'vitest';
import { buildAppConfig, webhookCredentialsConfigured, adminKeysConfigured } from './app-config';
import { ConfigValidationError, validate } from './env.validation';

const URL = 'postgres://u@db:5432/tds';
const config = (env: Record<string, string>, resolved = {}) => buildAppConfig(validate({ DATABASE_URL: URL, ...env }), resolved);

describe('buildAppConfig', () => {
  it('is frozen all the way down', () => {
    const c = config({ ADMIN_API_KEYS: 'a,b' });
    expect(Object.isFrozen(c)).toBe(true);
    for (const section of Object.values(c)) expect(Object.isFrozen(section)).toBe(true);
    expect(Object.isFrozen(c.admin.keys)).toBe(true);
    expect(Object.isFrozen(c.admin.keys[0])).toBe(true);
    expect(() => (c.admin.keys as unknown[]).push('c')).toThrow(TypeError);
  });

  it('names admin keys: `name:key` entries keep their name, bare keys are named by position', () => {
    const c = config({ ADMIN_API_KEYS: 'ops:s3cret, bare-key-1 ,ci.bot:x:y' });
    expect(c.admin.keys).toEqual([
      { name: 'ops', key: 's3cret' },
      { name: 'key-2', key: 'bare-key-1' },
      { name: 'ci.bot', key: 'x:y' },
    ]);
  });

  it('has one typed section per module, with the defaults of EnvironmentVariables', () => {
    const c = config({});
    expect(Object.keys(c).sort()).toEqual([
      'admin',
      'alerts',
      'app',
      'backups',
      'dashboard',
      'database',
      'docs',
      'health',
      'http',
      'log',
      'metrics',
      'monitoring',
      'notifications',
      'queue',
      'rateLimit',
      'reconcile',
      'retention',
      'webhooks',
    ]);
    expect(c.rateLimit).toEqual({ adminWritesPerMinute: 60, adminReadsPerMinute: 1200, webhooksPerMinute: 60000 });
    expect(c.dashboard).toEqual({ statsCacheMs: 15000, liveCacheMs: 2000 });
    expect(c.http).toEqual({ port: 8001, host: '0.0.0.0', basePath: '', requestTimeoutMs: 30000, maxConnections: 256, trustedProxies: [] });
    expect(c.queue.batchSize).toBe(100);
    expect(c.database).toMatchObject({ url: URL, poolSize: 10, ssl: false, migrateOnStart: true });
    expect(c.log).toEqual({ level: 'info', format: 'text' }); // development by default
    expect(c.app).toMatchObject({ role: 'all', runsApi: true, runsWorker: true, isProduction: false });
  });

  it('reads env-style strings through the validator (numbers, booleans, lists, trailing slash)', () => {
    const c = config({
      TDS_BATCH_SIZE: '7',
      HEALTH_REQUIRE_WORKER: 'off',
      ZOHO_ORGANIZATION_IDS: ' 1, 2 ',
      API_BASE_PATH: '/tds/',
      TDS_ROLE: 'worker',
    });
    expect(c.queue.batchSize).toBe(7);
    expect(c.health.requireWorker).toBe(false);
    expect(c.webhooks.organizationIds).toEqual(['1', '2']);
    expect(c.http.basePath).toBe('/tds');
    expect(c.app).toMatchObject({ runsApi: false, runsWorker: true });
  });

  it('docs: on outside production, off in production unless enabled, and then behind the admin key', () => {
    expect(config({}).docs).toEqual({ enabled: true, requireAdminKey: false });
    expect(config({ ENVIRONMENT: 'production' }).docs).toEqual({ enabled: false, requireAdminKey: false });
    expect(config({ ENVIRONMENT: 'production', DOCS_ENABLED: 'true' }).docs).toEqual({ enabled: true, requireAdminKey: true });
  });

  it('the database URL resolved by the launcher wins; the DATABASE_HOST parts are assembled; none at all is an error', () => {
    expect(config({}, { databaseUrl: 'postgres://embedded/tds' }).database.url).toBe('postgres://embedded/tds');
    const parts = buildAppConfig(validate({ DATABASE_HOST: 'h', DATABASE_NAME: 'n', DATABASE_USER: 'u' }));
    expect(parts.database.url).toBe('postgres://u@h:5432/n');
    expect(() => buildAppConfig(validate({}))).toThrow(/No database URL/);
  });

  it('a generated webhook key is used only when no key and no secret is configured', () => {
    expect(config({}, { generatedWebhookKey: 'gen' }).webhooks.apiKeys).toEqual(['gen']);
    expect(config({ WEBHOOK_API_KEYS: 'k1, k2', WEBHOOK_API_KEY: 'k3' }, { generatedWebhookKey: 'gen' }).webhooks.apiKeys).toEqual([
      'k1',
      'k2',
      'k3',
    ]);
    expect(config({ ZOHO_WEBHOOK_SECRET: 's' }, { generatedWebhookKey: 'gen' }).webhooks.apiKeys).toEqual([]);
    expect(webhookCredentialsConfigured(validate({ WEBHOOK_API_KEYS: ' , ' }))).toBe(false);
  });

  it('a generated admin key is used only outside production and only when ADMIN_API_KEYS is unset; it is named `generated`', () => {
    expect(config({}, { generatedAdminKey: 'gen' }).admin.keys).toEqual([{ name: 'generated', key: 'gen' }]);
    expect(config({ ADMIN_API_KEYS: 'ops:k1' }, { generatedAdminKey: 'gen' }).admin.keys).toEqual([{ name: 'ops', key: 'k1' }]);
    expect(config({ ENVIRONMENT: 'production', WEBHOOK_API_KEYS: 'w' }, { generatedAdminKey: 'gen' }).admin.keys).toEqual([]);
    expect(adminKeysConfigured(validate({ ADMIN_API_KEYS: ' , ' }))).toBe(false);
    expect(adminKeysConfigured(validate({ ADMIN_API_KEYS: 'k' }))).toBe(true);
  });
});

describe('validate', () => {
  it('lists every bad key at once, and says which log format to report it in', () => {
    const err = (() => {
      try {
        validate({ API_PORT: '99999', TDS_BATCH_SIZE: 'lots', LOG_FORMAT: 'xml' });
      } catch (e) {
        return e as ConfigValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err!.problems.map((p) => p.split('=')[0]).sort()).toEqual(['API_PORT', 'LOG_FORMAT', 'TDS_BATCH_SIZE']);
    expect(err!.logFormat).toBe('text'); // LOG_FORMAT invalid, ENVIRONMENT development
    expect(() => validate({ ENVIRONMENT: 'staging', LOG_FORMAT: 'xml' })).toThrow(expect.objectContaining({ logFormat: 'json' }));
  });
});
