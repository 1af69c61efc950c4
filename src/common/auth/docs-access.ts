import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { matchesAnyKey } from '../crypto/constant-time';
import { presentedAdminKey } from './admin-key';

/**
 * In production the API docs (Swagger UI and its assets, /docs-json) show every route and header: they need an
 * admin key (X-Admin-Key, X-API-Key or `Authorization: Bearer`). No key configured = closed (403), as for the
 * admin API. Runs as an onRequest hook on the routes Swagger registered under `${basePath}/docs`.
 */
export function registerDocsAccess(
  fastify: FastifyInstance,
  options: { basePath: string; adminKeys: readonly string[]; reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void },
): void {
  const prefix = `${options.basePath}/docs`;
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!req.routeOptions.url?.startsWith(prefix)) return done();
    let refusal: DomainError | undefined;
    const presented = presentedAdminKey(req.headers);
    if (!options.adminKeys.length) {
      refusal = new DomainError(ErrorCode.AdminDisabled, 'The API docs need an admin key in production: set ADMIN_API_KEYS');
    } else if (!matchesAnyKey(options.adminKeys, presented)) {
      refusal = new DomainError(
        ErrorCode.AdminAuthFailed,
        `${presented ? 'Invalid' : 'Missing'} admin key: send X-Admin-Key, X-API-Key or Authorization: Bearer`,
      );
    }
    if (!refusal) return done();
    if (refusal.code === ErrorCode.AdminAuthFailed) void reply.header('WWW-Authenticate', 'Bearer realm="tds-docs"');
    options.reject(refusal, req, reply);
  });
}
