import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { type AdminKey, authenticateAdmin } from './admin-key';

/**
 * In production the API docs (Swagger UI and its assets, /docs-json) show every route and header: they need an
 * admin key (X-Admin-Key, X-API-Key or `Authorization: Bearer`). No key configured = closed (403), as for the
 * admin API. Runs as an onRequest hook on the routes Swagger registered under `${basePath}/docs`.
 */
export function registerDocsAccess(
  fastify: FastifyInstance,
  options: { basePath: string; adminKeys: readonly AdminKey[]; reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void },
): void {
  const prefix = `${options.basePath}/docs`;
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!req.routeOptions.url?.startsWith(prefix)) return done();
    let refusal: DomainError | undefined;
    try {
      req.adminKeyName = authenticateAdmin(
        options.adminKeys,
        req.headers,
        'The API docs need an admin key in production: set ADMIN_API_KEYS',
      );
    } catch (err) {
      refusal = err as DomainError;
    }
    if (!refusal) return done();
    if (refusal.code === ErrorCode.AdminKeyRequired) void reply.header('WWW-Authenticate', 'Bearer realm="tds-docs"');
    options.reject(refusal, req, reply);
  });
}
