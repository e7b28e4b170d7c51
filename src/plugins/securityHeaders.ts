import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/**
 * Security headers on every answer, from @fastify/helmet: `X-Content-Type-Options: nosniff` (a JSON answer is
 * never sniffed into HTML), no framing (`X-Frame-Options: DENY`, `frame-ancestors 'none'`: Swagger UI keeps
 * tokens in localStorage, so no other site may frame it), and a content-security policy that lets Swagger UI
 * load its own scripts, styles and images and nothing else.
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
