import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/**
 * The security headers of a web page, from @fastify/helmet, for the context it is installed in (Swagger UI):
 * `X-Content-Type-Options: nosniff`, no framing (`X-Frame-Options: DENY`, `frame-ancestors 'none'`: Swagger
 * UI keeps tokens in localStorage, so no other site may frame it), and a content-security policy that lets
 * Swagger UI load its own scripts, styles and images and nothing else.
 *
 * Not installed for the JSON API: helmet builds its middleware anew on every request, which added about a
 * quarter to Skyport's CPU per GET (bench:api, docs/PERFORMANCE.md), and a JSON answer needs only `nosniff`,
 * which the app's onRequest hook sets on every answer.
 */
export async function installSecurityHeaders(app: FastifyInstance) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'none'"],
        // Skyport serves plain HTTP (TLS, if any, ends in front of it): upgrading Swagger UI's requests to
        // https would break it.
        'upgrade-insecure-requests': null,
      },
    },
    frameguard: { action: 'deny' },
    // Whether a host is HTTPS-only is for whatever terminates TLS in front of Skyport to say.
    strictTransportSecurity: false,
  });
}
