import type { OpenAPIObject } from '@nestjs/swagger';

/** Swagger UI's tag order: what a newcomer looks for first (the webhook, the operator API), probes and metrics last. */
export const OPENAPI_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  {
    name: 'webhooks',
    description: 'Zoho webhooks in: "Authorize" → webhookKey with a key from WEBHOOK_API_KEYS (the start prints a generated one)',
  },
  { name: 'dashboard', description: 'The operator API: "Authorize" with an admin key (one of adminKey, bearer or apiKey is enough)' },
  { name: 'alerts', description: 'Alerts raised by the monitoring rules (admin key)' },
  { name: 'notifications', description: 'Alert notification channels: test them, read the delivery attempts (admin key)' },
  { name: 'backups', description: 'Backup runs and status (admin key)' },
  { name: 'sync', description: 'Reconciliation with the Zoho API (admin key)' },
  { name: 'health', description: 'Probes for uptime monitors and load balancers (no key)' },
  { name: 'metrics', description: 'Prometheus scrape (admin key, or an address in METRICS_IP_ALLOWLIST)' },
  { name: 'service', description: 'The root route' },
];

type Parameter = { in?: string; required?: boolean; example?: unknown; description?: string; schema?: { example?: unknown } };

/**
 * Swagger UI's "Try it out" fills every parameter that has an example with it: an optional filter's example (an
 * entity type, a Zoho id, a date range, a cursor, an alert id) would be sent too, and a newcomer's first request would
 * answer an empty list. An optional query or header parameter keeps its example in its description instead
 * ("e.g. …"), so "Try it out" + "Execute" sends only what the user typed. Path parameters (required) keep theirs.
 * Changes `doc` in place and returns it.
 */
export function withoutPrefilledFilters(doc: OpenAPIObject): OpenAPIObject {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops as Record<string, { parameters?: Parameter[] }>)) {
      if (!op || typeof op !== 'object' || !Array.isArray(op.parameters)) continue;
      for (const p of op.parameters) {
        if (p.in === 'path' || p.required) continue;
        const example = p.example !== undefined ? p.example : p.schema?.example;
        if (example === undefined) continue;
        delete p.example;
        if (p.schema) delete p.schema.example;
        const hint = `e.g. \`${typeof example === 'string' ? example : JSON.stringify(example)}\``;
        p.description = p.description ? `${p.description} (${hint})` : hint;
      }
    }
  }
  return doc;
}
