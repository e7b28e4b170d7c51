import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ApiGatewaySubscriptionCreate,
  ApiGatewaySubscriptionRotate,
  ResponseContainerApiGatewaySubscription,
  ResponseContainerApiGatewaySubscriptionUsage,
  ResponseContainerPagedApiGatewaySubscription,
  SubscriptionUsageQuery,
} from '../schemas/apiGatewaySubscription.ts';
import { PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import { SortableSearchRequest } from '../schemas/search.ts';
import type { SubscriptionService } from '../services/apigateway/subscriptions/service.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['API Gateway Subscription'];
const one = { 200: ref(ResponseContainerApiGatewaySubscription), ...errorResponses };
const paged = { 200: ref(ResponseContainerPagedApiGatewaySubscription), ...errorResponses };
const IdParams = Type.Object({ id: Type.String({ maxLength: 64, description: 'The subscription id (a lowercase UUID)' }) });
const CreateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'The same key and body within 24 h return the same subscription (without the value) and make no second AWS key; another body is a 409' }),
  ),
});

/** The apigatewaysubscription resource (SPEC-apigateway §1 rows 17–21). */
export const apiGatewaySubscriptionRoutes: FastifyPluginAsyncTypebox<{ subscriptions: SubscriptionService }> = async (app, { subscriptions }) => {
  app.post('/api/v2/apigatewaysubscription', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'createApiGatewaySubscription',
      summary: 'Create an API key in a usage plan',
      description:
        'Checks the plan (GetUsagePlan; unknown → 404), then CreateApiKey (enabled, tagged skyport:subscription and skyport:connection) and ' +
        'CreateUsagePlanKey; if the second fails the key is deleted again and the answer is a 502 (503 when AWS throttles or is down) naming the AWS error. ' +
        'The answer carries the key `value` this once; Skyport keeps only its last four characters and a hash.',
      headers: CreateHeaders,
      body: ref(ApiGatewaySubscriptionCreate),
      response: one,
    },
  }, async (request) => ok(await subscriptions.create(request.principal, request.body, request.headers['idempotency-key'])));

  app.get('/api/v2/apigatewaysubscription', {
    config: { access: 'read' },
    schema: { tags, operationId: 'getAllApiGatewaySubscription', summary: 'List subscriptions', description: 'Paged, in creation order; never the key value.', querystring: PagingQuery, response: paged },
  }, async (request) => ok(await subscriptions.list(request.principal, request.query.offset, request.query.limit)));

  app.get('/api/v2/apigatewaysubscription/:id', {
    config: { access: 'read' },
    schema: { tags, operationId: 'getApiGatewaySubscription', summary: 'Read one subscription', description: 'Never the key value.', params: IdParams, response: one },
  }, async (request) => ok(await subscriptions.get(request.principal, request.params.id)));

  app.post('/api/v2/search/apigatewaysubscription', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchApiGatewaySubscriptionEntities',
      summary: 'Search subscriptions',
      description: 'Keys: id, name, description, status, connectionId, region, usagePlanId, awsApiKeyId, creatorId, freetext (name and description). Conditions are AND-ed.',
      body: ref(SortableSearchRequest),
      response: paged,
    },
  }, async (request) => ok(await subscriptions.search(request.principal, request.body ?? {})));

  app.delete('/api/v2/apigatewaysubscription/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'deleteApiGatewaySubscription',
      summary: 'Revoke a subscription',
      description: 'DeleteUsagePlanKey, then DeleteApiKey (AWS NotFound counts as done); old keys still in a rotation grace period go too. The subscription stays, as REVOKED.',
      params: IdParams,
      response: one,
    },
  }, async (request) => ok(await subscriptions.revoke(request.principal, request.params.id)));

  app.post('/api/v2/apigatewaysubscription/:id/rotate', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'rotateApiGatewaySubscription',
      summary: 'Rotate the key',
      description: 'A new key in the same plan, its `value` in this answer only; the old key keeps working for graceMins (default 60), then Skyport deletes it (also after a restart).',
      params: IdParams,
      body: Type.Optional(ref(ApiGatewaySubscriptionRotate)),
      response: one,
    },
  }, async (request) => ok(await subscriptions.rotate(request.principal, request.params.id, request.body?.graceMins ?? 60)));

  app.post('/api/v2/apigatewaysubscription/:id/suspend', {
    config: { access: 'write' },
    schema: { tags, operationId: 'suspendApiGatewaySubscription', summary: 'Disable the key (UpdateApiKey enabled=false)', params: IdParams, response: one },
  }, async (request) => ok(await subscriptions.setEnabled(request.principal, request.params.id, false)));

  app.post('/api/v2/apigatewaysubscription/:id/resume', {
    config: { access: 'write' },
    schema: { tags, operationId: 'resumeApiGatewaySubscription', summary: 'Enable the key again (UpdateApiKey enabled=true)', params: IdParams, response: one },
  }, async (request) => ok(await subscriptions.setEnabled(request.principal, request.params.id, true)));

  app.get('/api/v2/apigatewaysubscription/:id/usage', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewaySubscriptionUsage',
      summary: 'Requests per day made with the subscription’s keys',
      description:
        "Counted from the access logs' apiKeyId (the connection needs traffic on, and the stage's log format must carry $context.identity.apiKeyId, as the recommended format does); " +
        'the current key and the keys rotated out count. Every UTC day the window touches is listed, oldest first; the window is at most 92 days.',
      params: IdParams,
      querystring: SubscriptionUsageQuery,
      response: { 200: ref(ResponseContainerApiGatewaySubscriptionUsage), ...errorResponses },
    },
  }, async (request) => ok(await subscriptions.usage(request.principal, request.params.id, request.query)));
};
