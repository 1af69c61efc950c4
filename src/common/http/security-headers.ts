/**
 * Sent on every answer the application sends (API, errors, 404s, the UI's files, /docs): no MIME sniffing, never
 * framed, no Referer (a UI URL names event ids). Set in the request-id hook, so an error answer keeps them. Answers
 * Fastify writes itself before any hook (a path it cannot decode, a refused connection) do not carry them.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
});

/**
 * The operator UI's index.html: its own scripts, styles and API calls only (inline styles: React's `style` props;
 * `data:` images: the inline icon). `base-uri 'self'`, not 'none': the server injects `<base href="<prefix>/ui/">`, which
 * a deep link (/ui/events/1842) needs to find its assets. Swagger UI at /docs gets none: a third-party page (inline `<style>`, optional inline
 * script) whose needs change with its version, it holds no key of ours beyond what the operator types into it, and it is behind the admin key in
 * production.
 */
export const UI_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
