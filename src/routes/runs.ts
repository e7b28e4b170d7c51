import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import { CollectQuery, ResponseContainerCollectRequestResult, ResponseContainerPagedCollectionRun } from '../schemas/runs.ts';
import type { RunService } from '../services/api/runs.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Cloud Integration'];

export const runRoutes: FastifyPluginAsyncTypebox<{ runs: RunService }> = async (app, { runs }) => {
  app.get('/api/v2/cloudintegration/:id/run', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getCloudIntegrationRuns',
      summary: 'Run history of an integration',
      description:
        'Skyport extension (Wavefront has no such path). The last 100 collections of the integration, newest first: when, on which ' +
        'replica, the outcome, what was stored, the AWS calls by API and the error.',
      params: IdParams,
      querystring: PagingQuery,
      response: { 200: ref(ResponseContainerPagedCollectionRun), ...errorResponses },
    },
  }, async (request) => ok(await runs.list(request.principal, request.params.id, request.query.offset, request.query.limit)));

  app.post('/api/v2/cloudintegration/:id/collect', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'collectCloudIntegrationNow',
      summary: 'Collect an integration now',
      description:
        'Skyport extension. Makes the integration due at once (the next free scheduler of any replica takes it). With wait=true the ' +
        'answer comes when that run has finished and carries it (503 if none finished within 50 s). A disabled integration is a 409 ' +
        'that says why it is disabled; enable it instead (enable also collects at once).',
      params: IdParams,
      querystring: CollectQuery,
      response: { 200: ref(ResponseContainerCollectRequestResult), ...errorResponses },
    },
    preValidation: async (request) => {
      const query = request.query as Record<string, unknown>;
      if (typeof query.wait === 'string') query.wait = query.wait.toLowerCase();
    },
  }, async (request, reply) => {
    // The client hanging up ends the wait (the run itself stays queued).
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    return ok(await runs.collect(request.principal, request.params.id, request.query.wait, abort.signal));
  });
};
