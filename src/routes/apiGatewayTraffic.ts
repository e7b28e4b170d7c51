import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ResponseContainerApiGatewayTraffic, TrafficQuery } from '../schemas/apiGatewayTraffic.ts';
import { ref } from '../schemas/ref.ts';
import type { TrafficService } from '../services/apigateway/traffic/service.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['API Gateway Traffic'];
const ApiIdParams = Type.Object({ id: Type.String({ maxLength: 64, description: "Skyport's id of the API (a lowercase UUID)" }) });

/** Traffic statistics from access logs (SPEC-apigateway §1 row 15, §5), customer-scoped. */
export const apiGatewayTrafficRoutes: FastifyPluginAsyncTypebox<{ traffic: TrafficService }> = async (app, { traffic }) => {
  app.get('/api/v2/apigatewayapi/:id/traffic', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayApiTraffic',
      summary: 'Traffic statistics of an API',
      description:
        "Requests, status classes, bytes and latency percentiles from the stages' access logs, per endpoint, status code or API key, " +
        'with the totals. Default window: the last hour; at most 31 days. Counted by whole minutes.',
      params: ApiIdParams,
      querystring: TrafficQuery,
      response: { 200: ref(ResponseContainerApiGatewayTraffic), ...errorResponses },
    },
  }, async (request) => ok(await traffic.traffic(request.principal, request.params.id, request.query)));
};
