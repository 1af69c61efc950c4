import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { receiveWebhook } from './webhooks.controller';
import type { WebhooksService } from './webhooks.service';

/**
 * Serves the webhook routes with a plain Fastify handler (issue 15, docs/decisions/0024-webhook-route-on-fastify.md).
 *
 * WebhooksController still declares the routes (path, methods, Swagger entry, the route table Nest prints); as Nest
 * registers them, Fastify's `onRoute` hook swaps Nest's handler (router proxy, execution context, guard / interceptor /
 * pipe resolution, an exception zone) for this one, which calls the same `receiveWebhook` and answers errors through
 * the same HttpErrorFilter. What runs per request is what the route needs: the preauth hook (rate limit, key before
 * the body), the exact-bytes body parser, WebhooksService, the metrics hook on response. A global Nest guard,
 * interceptor or pipe therefore does not see webhooks (a test says so): webhook authentication and limits live in
 * the preauth hook and WebhooksService.
 *
 * Must be called before the application is initialised (Nest registers its routes in `init()`).
 */
export function serveWebhooksOnFastify(
  fastify: FastifyInstance,
  options: {
    /** The route as Nest registers it, with the global prefix: `${basePath}/webhooks/:entity`. */
    route: string;
    webhooks: WebhooksService;
    reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void;
  },
): void {
  const { webhooks, reject } = options;
  const handler = async function webhook(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const accepted = await receiveWebhook(webhooks, (req.params as { entity: string }).entity, req);
      return reply.code(202).send(accepted);
    } catch (err) {
      reject(err, req, reply);
      return reply;
    }
  };
  let served = 0;
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== options.route) return;
    route.handler = handler;
    served++;
  });
  fastify.addHook('onReady', (done) => {
    // POST, PUT and DELETE: a route missing here would silently go back to Nest's handler (or be gone).
    done(served === 3 ? undefined : new Error(`webhook route ${options.route}: ${served} of 3 methods served on Fastify`));
  });
}
