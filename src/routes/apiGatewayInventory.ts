import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ResponseContainerApiGatewayApi,
  ResponseContainerPagedApiGatewayApi,
  ResponseContainerPagedApiGatewayChange,
  ResponseContainerPagedApiGatewayEndpoint,
} from '../schemas/apiGatewayInventory.ts';
import { PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import type { InventoryService } from '../services/apigateway/inventory.ts';
import type { TrafficService } from '../services/apigateway/traffic/service.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['API Gateway Inventory'];
const ApiIdParams = Type.Object({ id: Type.String({ maxLength: 64, description: "Skyport's id of the API (a lowercase UUID)" }) });
const Short = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 255, description }));

const ApiListQuery = Type.Object({
    ...PagingQuery.properties,
    connectionId: Short('Only APIs of this connection'),
    region: Short('Only APIs in this region'),
    protocolType: Type.Optional(Type.String({ enum: ['REST', 'HTTP', 'WEBSOCKET'], description: 'Only APIs of this type' })),
    status: Type.Optional(Type.String({ enum: ['ACTIVE', 'REMOVED'], description: 'Only APIs in this state' })),
    name: Short('Only APIs whose name contains this (any letter case)'),
});
const EndpointQuery = Type.Object({
    ...PagingQuery.properties,
    stage: Short('Only endpoints of this stage'),
    classification: Type.Optional(Type.String({ enum: ['DOCUMENTED', 'SHADOW', 'UNUSED', 'PROXY'], description: 'Only endpoints of this classification' })),
});
const DocumentQuery = Type.Object({
  stage: Type.String({ minLength: 1, maxLength: 128, description: 'The stage whose exported document to return' }),
  source: Type.String({
    enum: ['export', 'observed'],
    default: 'export',
    description: 'export: the document AWS exported for the stage; observed: an OpenAPI 3 document built from the endpoints, methods and status codes seen in its access logs',
  }),
});

/** The discovered inventory (SPEC-apigateway §1 rows 10–14), customer-scoped. */
export const apiGatewayInventoryRoutes: FastifyPluginAsyncTypebox<{ inventory: InventoryService; observed: Pick<TrafficService, 'observedDocument'> }> = async (app, { inventory, observed }) => {
  app.get('/api/v2/apigatewayapi', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllApiGatewayApi',
      summary: 'Discovered APIs',
      description: 'Paged, by name. Removed APIs stay (status REMOVED) with their history.',
      querystring: ApiListQuery,
      response: { 200: ref(ResponseContainerPagedApiGatewayApi), ...errorResponses },
    },
  }, async (request) => {
    const { offset, limit, ...filter } = request.query;
    return ok(await inventory.list(request.principal, filter, offset, limit));
  });

  app.get('/api/v2/apigatewayapi/:id', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayApi',
      summary: 'One API with its stages',
      params: ApiIdParams,
      response: { 200: ref(ResponseContainerApiGatewayApi), ...errorResponses },
    },
  }, async (request) => ok(await inventory.get(request.principal, request.params.id)));

  app.get('/api/v2/apigatewayapi/:id/endpoint', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllApiGatewayEndpoint',
      summary: 'Endpoints of an API',
      description: 'Paged, by stage, path and method; removed endpoints carry removedMs.',
      params: ApiIdParams,
      querystring: EndpointQuery,
      response: { 200: ref(ResponseContainerPagedApiGatewayEndpoint), ...errorResponses },
    },
  }, async (request) => {
    const { offset, limit, ...filter } = request.query;
    return ok(await inventory.endpoints(request.principal, request.params.id, filter, offset, limit));
  });

  app.get('/api/v2/apigatewayapi/:id/openapi', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getApiGatewayApiOpenApi',
      summary: "A stage's stored OpenAPI document",
      description:
        'The document as AWS exported it (source=export), or built from the traffic seen (source=observed); bare JSON (no envelope), with an ETag (its SHA-256); ' +
        'If-None-Match answers 304. 404 when there is none.',
      params: ApiIdParams,
      querystring: DocumentQuery,
      response: {
        200: Type.Unsafe<unknown>({ type: 'object', additionalProperties: true, description: 'The OpenAPI 3 or Swagger 2.0 document' }),
        304: Type.Null({ description: 'Not modified' }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const doc = request.query.source === 'observed' ? await observed.observedDocument(request.principal, id, request.query.stage) : await inventory.document(request.principal, id, request.query.stage);
    const etag = `"${doc.sha256}"`;
    reply.header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
    // Sent as stored (a string skips serialization): the bytes behind the ETag.
    return reply.type('application/json').send(doc.body);
  });

  app.get('/api/v2/apigatewayapi/:id/change', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllApiGatewayChange',
      summary: 'Change log of an API, newest first',
      params: ApiIdParams,
      querystring: PagingQuery,
      response: { 200: ref(ResponseContainerPagedApiGatewayChange), ...errorResponses },
    },
  }, async (request) => ok(await inventory.changes(request.principal, request.params.id, request.query.offset, request.query.limit)));
};
