import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ResponseContainerPagedApiGatewayUsagePlan } from '../schemas/apiGatewaySubscription.ts';
import { PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import type { SubscriptionService } from '../services/apigateway/subscriptions/service.ts';
import { errorResponses, ok } from './envelope.ts';

const PlanQuery = Type.Object({
  ...PagingQuery.properties,
  connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only plans of this connection' })),
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only plans in this region' })),
});

/** Discovered usage plans (SPEC-apigateway §1 row 16). */
export const apiGatewayUsagePlanRoutes: FastifyPluginAsyncTypebox<{ subscriptions: SubscriptionService }> = async (app, { subscriptions }) => {
  app.get('/api/v2/apigatewayusageplan', {
    config: { access: 'read' },
    schema: {
      tags: ['API Gateway Subscription'],
      operationId: 'getAllApiGatewayUsagePlan',
      summary: 'Discovered usage plans',
      description: 'Read by every sync of a connection with subscriptions.enabled (GetUsagePlans); paged, by name.',
      querystring: PlanQuery,
      response: { 200: ref(ResponseContainerPagedApiGatewayUsagePlan), ...errorResponses },
    },
  }, async (request) => {
    const { offset, limit, ...filter } = request.query;
    return ok(await subscriptions.usagePlans(request.principal, filter, offset, limit));
  });
};
