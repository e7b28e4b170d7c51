import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal, TokenService } from '../services/tokens.ts';
import { forbidden, unauthorized } from '../errors.ts';

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

/**
 * Resolves `Authorization: Bearer <token>` or `X-AUTH-TOKEN: <token>` on routes that declare `access`,
 * and enforces agent_management on writes. Runs before body parsing, so a stranger's body is never read.
 */
export function installAuth(app: FastifyInstance, tokens: TokenService) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return;
    const token = presentedToken(request);
    if (!token) throw unauthorized('missing API token: send Authorization: Bearer <token> or X-AUTH-TOKEN: <token>');
    const principal = await tokens.verify(token);
    if (!principal) throw unauthorized('unknown or revoked API token');
    if (access === 'write' && !principal.permissions.includes(WRITE_PERMISSION)) {
      throw forbidden(`this action needs the ${WRITE_PERMISSION} permission, which this token does not have`);
    }
    request.principal = principal;
  });
}
