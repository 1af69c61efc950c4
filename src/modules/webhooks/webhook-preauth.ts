import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { WebhookAuthService } from './webhook-auth.service';
import type { WebhookRateLimiter } from './webhook-rate-limit';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** ?token= as the receiver reads it (URLSearchParams decoding, the first value; a repeated name is refused later). */
function queryToken(url: string): string | undefined {
  const i = url.indexOf('?');
  if (i < 0) return undefined;
  for (const [k, v] of new URLSearchParams(url.slice(i + 1))) if (k === 'token') return v;
  return undefined;
}

/**
 * Decides, from the headers and URL alone, whether a webhook request may send its body. Throws the same
 * WEBHOOK_AUTH_FAILED error as WebhookAuthService.verify() (it is verify() that decides, on the key alone).
 * - a key (X-Webhook-Key or ?token=) and no signature header: the key is checked now;
 * - neither a key nor a signature header: refused now;
 * - a signature header while no secret is configured: it cannot pass, refused now;
 * - a signature header with secrets configured: the signature covers the body, so WebhooksService checks it
 *   after the body has been read (bounded by WEBHOOK_MAX_BODY_BYTES and HTTP_REQUEST_TIMEOUT_MS).
 */
export function preauthorizeWebhook(auth: WebhookAuthService, hasSecrets: boolean, req: FastifyRequest): 'api_key' | 'after_body' {
  const signature = header(req, 'x-zoho-webhook-signature');
  if (signature !== undefined && hasSecrets) return 'after_body';
  const apiKey = header(req, 'x-webhook-key') ?? queryToken(req.url);
  auth.verify({ apiKey, signature, params: [] });
  return 'api_key';
}

/**
 * onRequest hook on the webhook routes: runs before Fastify reads the body, so a stranger's body is never
 * buffered. A refused request is answered through the global error filter (same body, same log line) with
 * `Connection: close`, so the unread body is dropped with the connection.
 */
export function registerWebhookPreauth(
  fastify: FastifyInstance,
  options: {
    route: string;
    auth: WebhookAuthService;
    hasSecrets: boolean;
    reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void;
    /** Per client IP (RATE_LIMIT_WEBHOOKS_PER_MINUTE); checked first, before the key. */
    rateLimiter?: WebhookRateLimiter;
  },
): void {
  const limiter = options.rateLimiter;
  fastify.addHook('onRequest', (req, reply, done) => {
    if (req.routeOptions.url !== options.route) return done();
    const retryAfter = limiter ? limiter.hit(req.ip) : 0;
    if (retryAfter > 0) {
      void reply.header('Connection', 'close');
      options.reject(
        new DomainError(
          ErrorCode.RateLimited,
          `Too many webhook requests from this client: at most ${limiter!.limitPerMinute} a minute; retry in ${retryAfter} s`,
          { limit: limiter!.limitPerMinute, retryAfterSeconds: retryAfter },
          { 'Retry-After': String(retryAfter) },
        ),
        req,
        reply,
      );
      return;
    }
    try {
      preauthorizeWebhook(options.auth, options.hasSecrets, req);
    } catch (err) {
      void reply.header('Connection', 'close');
      options.reject(err, req, reply);
      return;
    }
    done();
  });
}
