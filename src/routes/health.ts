import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

const Health = Type.Object({ status: Type.String({ description: 'ok, or what is wrong' }) });

/** Liveness and readiness for orchestrators; no token needed. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ready: () => Promise<string | null> }> = async (app, { ready }) => {
  app.get('/healthz', {
    schema: { tags: ['System'], operationId: 'getHealth', summary: 'The process is alive', response: { 200: Health } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      tags: ['System'],
      operationId: 'getReadiness',
      summary: 'The database is reachable, migrations are applied and the server is not shutting down',
      response: { 200: Health, 503: Health },
    },
  }, async (_request, reply) => {
    const problem = await ready();
    if (problem) return reply.code(503).send({ status: problem });
    return { status: 'ok' };
  });
};
