import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CloudIntegrationWrite,
  ResponseContainerCloudIntegration,
  ResponseContainerPagedCloudIntegration,
} from '../schemas/cloudIntegration.ts';
import { IdParams, PagingQuery } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';
import type { IntegrationService } from '../services/api/integrations.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Cloud Integration'];
const one = { 200: ref(ResponseContainerCloudIntegration), ...errorResponses };

const DeleteQuery = Type.Object({
  skipTrash: Type.Boolean({ default: false, description: 'Delete for good instead of moving to the trash (true/false, any letter case)' }),
});

export const cloudIntegrationRoutes: FastifyPluginAsyncTypebox<{ integrations: IntegrationService }> = async (app, { integrations }) => {
  app.post('/api/v2/cloudintegration', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'createCloudIntegration',
      summary: 'Register an AWS integration',
      description:
        'Stores the integration and schedules its first collection at once. Unless forceSave is true, Skyport first assumes the role ' +
        'with the external ID and refuses (400) a role it cannot assume.',
      body: ref(CloudIntegrationWrite),
      response: one,
    },
  }, async (request) => ok(await integrations.create(request.principal, request.body)));

  app.get('/api/v2/cloudintegration', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllCloudIntegration',
      summary: 'List integrations that are not in the trash',
      description: 'Paged, in creation order.',
      querystring: PagingQuery,
      response: { 200: ref(ResponseContainerPagedCloudIntegration), ...errorResponses },
    },
  }, async (request) => ok(await integrations.list(request.principal, request.query.offset, request.query.limit)));

  app.get('/api/v2/cloudintegration/:id', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getCloudIntegration',
      summary: 'Read one integration',
      description: 'Also answers for an integration in the trash.',
      params: IdParams,
      response: one,
    },
  }, async (request) => ok(await integrations.get(request.principal, request.params.id)));

  app.put('/api/v2/cloudintegration/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'updateCloudIntegration',
      summary: 'Replace the writable fields of an integration',
      description:
        'A full replace: writable fields left out go back to unset. The id in the path wins over one in the body; ' +
        'externalId may be left out (kept) but not changed, and service cannot change.',
      params: IdParams,
      body: ref(CloudIntegrationWrite),
      response: one,
    },
  }, async (request) => ok(await integrations.update(request.principal, request.params.id, request.body)));

  app.delete('/api/v2/cloudintegration/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'deleteCloudIntegration',
      summary: 'Move an integration to the trash, or delete it for good',
      description: 'By default the integration goes to the trash, stops being collected and can be undeleted. With skipTrash=true it is removed for good.',
      params: IdParams,
      querystring: DeleteQuery,
      response: one,
    },
    // Python's client sends skipTrash=True.
    preValidation: async (request) => {
      const query = request.query as Record<string, unknown>;
      if (typeof query.skipTrash === 'string') query.skipTrash = query.skipTrash.toLowerCase();
    },
  }, async (request) => ok(await integrations.remove(request.principal, request.params.id, request.query.skipTrash)));

  app.post('/api/v2/cloudintegration/:id/disable', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'disableCloudIntegration',
      summary: 'Stop collecting an integration',
      description: 'Collection stays off until the integration is enabled.',
      params: IdParams,
      response: one,
    },
  }, async (request) => ok(await integrations.disable(request.principal, request.params.id)));

  app.post('/api/v2/cloudintegration/:id/enable', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'enableCloudIntegration',
      summary: 'Resume collecting an integration',
      description: 'Clears disabled and schedules a collection at once.',
      params: IdParams,
      response: one,
    },
  }, async (request) => ok(await integrations.enable(request.principal, request.params.id)));

  app.post('/api/v2/cloudintegration/:id/undelete', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'undeleteCloudIntegration',
      summary: 'Restore an integration from the trash',
      description: 'It returns to lists and searches and is collected again.',
      params: IdParams,
      response: one,
    },
  }, async (request) => ok(await integrations.undelete(request.principal, request.params.id)));
};
