import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  ApiGatewayConnectionWrite,
  ResponseContainerApiGatewayCheckResult,
  ResponseContainerApiGatewayConnection,
  ResponseContainerApiGatewayConnectionPolicy,
  ResponseContainerPagedApiGatewayConnection,
} from '../schemas/apiGatewayConnection.ts';
import { PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import { SortableSearchRequest } from '../schemas/search.ts';
import type { ConnectionService } from '../services/apigateway/connections.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['API Gateway Connection'];
const one = { 200: ref(ResponseContainerApiGatewayConnection), ...errorResponses };
const paged = { 200: ref(ResponseContainerPagedApiGatewayConnection), ...errorResponses };

const ConnectionIdParams = Type.Object({
  id: Type.String({ maxLength: 64, description: 'The connection id (a lowercase UUID)' }),
});

const DeleteQuery = Type.Object({
  skipTrash: Type.Boolean({ default: false, description: 'Delete for good instead of moving to the trash (true/false, any letter case)' }),
});

// Python's client sends skipTrash=True.
const lowerCaseSkipTrash = async (request: FastifyRequest) => {
  const query = request.query as Record<string, unknown>;
  if (typeof query.skipTrash === 'string') query.skipTrash = query.skipTrash.toLowerCase();
};

/** The apigatewayconnection resource (SPEC-apigateway §1 rows 1–4, 7–9). */
export const apiGatewayConnectionRoutes: FastifyPluginAsyncTypebox<{ connections: ConnectionService }> = async (app, { connections }) => {
  app.post('/api/v2/apigatewayconnection', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'createApiGatewayConnection',
      summary: 'Connect an AWS account\'s API Gateway',
      description:
        'Stores the connection and schedules its first sync at once. Unless forceSave is true, Skyport first checks the credentials ' +
        '(STS, then one GetRestApis in the first region): a rejection is a 400 naming the AWS error code; Skyport lacking its own AWS identity is a 503.',
      body: ref(ApiGatewayConnectionWrite),
      response: one,
    },
  }, async (request) => ok(await connections.create(request.principal, request.body)));

  app.get('/api/v2/apigatewayconnection', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllApiGatewayConnection',
      summary: 'List connections that are not in the trash',
      description: 'Paged, in creation order.',
      querystring: PagingQuery,
      response: paged,
    },
  }, async (request) => ok(await connections.list(request.principal, request.query.offset, request.query.limit)));

  app.get('/api/v2/apigatewayconnection/:id', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayConnection',
      summary: 'Read one connection',
      description: 'Also answers for a connection in the trash. The secret access key is never returned (it reads ********).',
      params: ConnectionIdParams,
      response: one,
    },
  }, async (request) => ok(await connections.get(request.principal, request.params.id)));

  app.put('/api/v2/apigatewayconnection/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'updateApiGatewayConnection',
      summary: 'Replace the writable fields of a connection',
      description:
        'A full replace: settings left out go back to their defaults. Left out, the external ID (with a role) and the secret access key ' +
        '(with the same access key id) keep their stored values. Changed credentials are checked as on create unless forceSave is true.',
      params: ConnectionIdParams,
      body: ref(ApiGatewayConnectionWrite),
      response: one,
    },
  }, async (request) => ok(await connections.update(request.principal, request.params.id, request.body)));

  app.delete('/api/v2/apigatewayconnection/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'deleteApiGatewayConnection',
      summary: 'Move a connection to the trash, or delete it for good',
      description: 'By default the connection goes to the trash, stops being synced and can be undeleted. With skipTrash=true it is removed for good.',
      params: ConnectionIdParams,
      querystring: DeleteQuery,
      response: one,
    },
    preValidation: lowerCaseSkipTrash,
  }, async (request) => ok(await connections.remove(request.principal, request.params.id, request.query.skipTrash)));

  app.post('/api/v2/apigatewayconnection/:id/disable', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'disableApiGatewayConnection',
      summary: 'Stop syncing a connection',
      description: 'Syncing stays off until the connection is enabled.',
      params: ConnectionIdParams,
      response: one,
    },
  }, async (request) => ok(await connections.disable(request.principal, request.params.id)));

  app.post('/api/v2/apigatewayconnection/:id/enable', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'enableApiGatewayConnection',
      summary: 'Resume syncing a connection',
      description: 'Clears disabled and schedules a sync at once.',
      params: ConnectionIdParams,
      response: one,
    },
  }, async (request) => ok(await connections.enable(request.principal, request.params.id)));

  app.post('/api/v2/apigatewayconnection/:id/undelete', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'undeleteApiGatewayConnection',
      summary: 'Restore a connection from the trash',
      description: 'It returns to lists and searches and is synced again.',
      params: ConnectionIdParams,
      response: one,
    },
  }, async (request) => ok(await connections.undelete(request.principal, request.params.id)));

  app.get('/api/v2/apigatewayconnection/:id/policy', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayConnectionPolicy',
      summary: 'The IAM policies a connection needs',
      description:
        'The least-privilege permissions policy for the features switched on (inventory; usage plans and API keys with subscriptions; ' +
        'access logs with traffic), and the trust policy of the role Skyport assumes, with this connection\'s external ID (null without a role).',
      params: ConnectionIdParams,
      response: { 200: ref(ResponseContainerApiGatewayConnectionPolicy), ...errorResponses },
    },
  }, async (request) => ok(await connections.policy(request.principal, request.params.id)));

  app.post('/api/v2/apigatewayconnection/:id/check', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'checkApiGatewayConnection',
      summary: 'Check what a connection\'s credentials may do',
      description:
        'Makes one harmless read per region and feature switched on (GetRestApis / GetApis for the inventory, GetUsagePlans for subscriptions, ' +
        'DescribeLogGroups for traffic) and reports each as ok or with the AWS error code. Changes nothing; 503 when Skyport lacks its own AWS identity.',
      params: ConnectionIdParams,
      response: { 200: ref(ResponseContainerApiGatewayCheckResult), ...errorResponses },
    },
  }, async (request) => ok(await connections.check(request.principal, request.params.id)));

  app.post('/api/v2/search/apigatewayconnection', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchApiGatewayConnectionEntities',
      summary: 'Search connections not in the trash',
      description:
        'Keys: id, name, disabled, regions (matches any region of the list), credentialsType, creatorId, updaterId, lastProcessorId, lastError, freetext. ' +
        'Conditions are AND-ed; results are paged and sorted (creation order unless sort says otherwise).',
      body: ref(SortableSearchRequest),
      response: paged,
    },
  }, async (request) => ok(await connections.search(request.principal, false, request.body ?? {})));

  app.post('/api/v2/search/apigatewayconnection/deleted', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchDeletedApiGatewayConnectionEntities',
      summary: 'Search connections in the trash',
      description: 'The same keys and rules as the live search, over connections in the trash.',
      body: ref(SortableSearchRequest),
      response: paged,
    },
  }, async (request) => ok(await connections.search(request.principal, true, request.body ?? {})));
};
