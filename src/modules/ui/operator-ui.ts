import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { UI_CONTENT_SECURITY_POLICY } from '../../common/http/security-headers';

/**
 * The operator web UI (ui/, a Vite build in ui/dist) at `${basePath}/ui/`: hashed assets under `assets/` (cached for
 * a year), every other path under it answers index.html (client-side routes: /ui/events/1842 reloads fine). The
 * build uses relative asset paths; index.html gets a `<base href="${basePath}/ui/">` here, so assets and API calls
 * resolve under any API_BASE_PATH. The static files need no admin key: every API call the UI makes carries one.
 * See docs/decisions/0023-operator-web-ui.md.
 */
export interface OperatorUiOptions {
  basePath: string;
  /** The built UI (index.html + assets/); default: ui/dist of the package. */
  distDir?: string;
  reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void;
}

/** ui/dist of this package: found by walking up from this file (src/… under tests, dist/src/… when built). */
export function defaultUiDistDir(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'ui', 'package.json'))) return join(dir, 'ui', 'dist');
    const parent = dirname(dir);
    if (parent === dir) return resolve('ui', 'dist');
    dir = parent;
  }
}

/** index.html with the base the UI resolves its assets and API against (the HTML-escaped path). */
export function injectBase(html: string, uiBase: string): string {
  const href = uiBase.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return html.replace(/<head>/i, `<head>\n    <base href="${href}" />`);
}

export async function registerOperatorUi(app: NestFastifyApplication, options: OperatorUiOptions): Promise<void> {
  const distDir = options.distDir ?? defaultUiDistDir();
  const uiBase = `${options.basePath}/ui/`;
  const fastify = app.getHttpAdapter().getInstance();
  const assets = join(distDir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: `${uiBase}assets/`,
      decorateReply: false,
      index: false,
      // Names carry a content hash: a new build has new names.
      immutable: true,
      maxAge: '365d',
    });
  }
  // Read once per process start (a new build needs a restart, as the server code does).
  let index: string | undefined;
  const indexHtml = (): string | undefined => {
    if (index === undefined && existsSync(join(distDir, 'index.html'))) {
      index = injectBase(readFileSync(join(distDir, 'index.html'), 'utf8'), uiBase);
    }
    return index;
  };
  const serveIndex = (req: FastifyRequest, reply: FastifyReply) => {
    const html = indexHtml();
    if (html === undefined) {
      return options.reject(
        new DomainError(ErrorCode.UiNotBuilt, `The operator UI is not built (no ${join(distDir, 'index.html')}): run npm run build`),
        req,
        reply,
      );
    }
    return reply
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY)
      .type('text/html; charset=utf-8')
      .send(html);
  };
  fastify.get(`${options.basePath}/ui`, (_req, reply) => reply.redirect(uiBase, 302));
  fastify.get(uiBase, serveIndex);
  fastify.get(`${uiBase}*`, serveIndex);
}
