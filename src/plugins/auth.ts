import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Principal, TokenService } from '../services/api/tokens.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { withHook } from './routeHooks.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Set on API routes: 'read' needs any valid token, 'write' needs agent_management. */
    access?: 'read' | 'write';
  }
}

export const WRITE_PERMISSION = 'agent_management';

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const xAuth = request.headers['x-auth-token'];
  return typeof xAuth === 'string' && xAuth !== '' ? xAuth : undefined;
}

function authorize(request: FastifyRequest, principal: Principal | null, access: 'read' | 'write') {
  if (!principal) return unauthorized('unknown or revoked API token');
  if (access === 'write' && !principal.permissions.includes(WRITE_PERMISSION)) {
    return forbidden(`this action needs the ${WRITE_PERMISSION} permission, which this token does not have`);
  }
  request.principal = principal;
  return undefined;
}

/**
 * Resolves `Authorization: Bearer <token>` or `X-AUTH-TOKEN: <token>` on routes that declare `access`,
 * and enforces agent_management on writes. Runs before body parsing, so a stranger's body is never read.
 *
 * The hook is attached to each such route as it is declared (so it knows its access level without reading
 * `request.routeOptions`, which builds an object per call), and answers a cached token without a promise.
 */
export function installAuth(app: FastifyInstance, tokens: TokenService) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access) return;
    const hook: onRequestHookHandler = (request, reply, done) => {
      // Authenticated answers carry external IDs, role ARNs and (on create) tokens: no cache or proxy may keep
      // them, whatever the outcome of the check.
      reply.header('cache-control', 'no-store');
      const token = presentedToken(request);
      if (!token) return done(unauthorized('missing API token: send Authorization: Bearer <token> or X-AUTH-TOKEN: <token>'));
      const cached = tokens.cached(token);
      if (cached) return done(authorize(request, cached, access));
      tokens.verify(token).then((principal) => done(authorize(request, principal, access)), done);
    };
    route.onRequest = withHook(route.onRequest, hook);
  });
}
