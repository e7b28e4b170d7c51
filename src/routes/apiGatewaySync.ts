import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ResponseContainerApiGatewaySyncRun, ResponseContainerPagedApiGatewaySyncRun } from '../schemas/apiGatewayInventory.ts';
import { PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import type { SyncService } from '../services/apigateway/sync/service.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['API Gateway Connection'];
const ConnectionIdParams = Type.Object({ id: Type.String({ maxLength: 64, description: 'The connection id (a lowercase UUID)' }) });
const RunParams = Type.Object({
  id: Type.String({ maxLength: 64, description: 'The connection id (a lowercase UUID)' }),
  runId: Type.String({ maxLength: 64, description: 'The run id' }),
});
const SyncQuery = Type.Object({
  wait: Type.Boolean({ default: false, description: 'Answer when the run has ended (200), at most 120 s later (else 202 with the run as it is)' }),
});

/** Syncs of a connection (SPEC-apigateway §1 rows 5–6). */
export const apiGatewaySyncRoutes: FastifyPluginAsyncTypebox<{ sync: SyncService }> = async (app, { sync }) => {
  app.post('/api/v2/apigatewayconnection/:id/sync', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'syncApiGatewayConnection',
      summary: 'Run an inventory sync now',
      description: '202 with the queued run; with wait=true, 200 with the finished run when it ends within 120 s (else 202). A disabled connection is a 400.',
      params: ConnectionIdParams,
      querystring: SyncQuery,
      response: { 200: ref(ResponseContainerApiGatewaySyncRun), 202: ref(ResponseContainerApiGatewaySyncRun), ...errorResponses },
    },
  }, async (request, reply) => {
    const { run, finished } = await sync.request(request.principal, request.params.id, request.query.wait);
    return reply.code(finished ? 200 : 202).send(ok(run));
  });

  app.get('/api/v2/apigatewayconnection/:id/sync', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllApiGatewayConnectionSync',
      summary: 'Sync run history, newest first',
      description: 'The last 100 runs are kept, with AWS calls per operation, throttled calls and changes per kind.',
      params: ConnectionIdParams,
      querystring: PagingQuery,
      response: { 200: ref(ResponseContainerPagedApiGatewaySyncRun), ...errorResponses },
    },
  }, async (request) => ok(await sync.list(request.principal, request.params.id, request.query.offset, request.query.limit)));

  app.get('/api/v2/apigatewayconnection/:id/sync/:runId', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayConnectionSync',
      summary: 'One sync run',
      params: RunParams,
      response: { 200: ref(ResponseContainerApiGatewaySyncRun), ...errorResponses },
    },
  }, async (request) => ok(await sync.get(request.principal, request.params.id, request.params.runId)));
};
