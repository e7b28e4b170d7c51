import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ResponseContainerString } from '../schemas/cloudIntegration.ts';
import { ref } from '../schemas/ref.ts';
import type { ExternalIdService } from '../services/api/externalIds.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Cloud Integration'];
const ValueParams = Type.Object({ id: Type.String({ maxLength: 64, description: 'The external ID' }) });
const response = { 200: ref(ResponseContainerString), ...errorResponses };

export const externalIdRoutes: FastifyPluginAsyncTypebox<{ externalIds: ExternalIdService }> = async (app, { externalIds }) => {
  app.post('/api/v2/cloudintegration/awsExternalId', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'createAWSExternalId',
      summary: 'Issue an external ID for an AWS role trust policy',
      description:
        'Returns 16 random letters and digits. Put them in the sts:ExternalId condition of the IAM role you register. ' +
        'Unused, the ID expires (SKYPORT_EXTERNAL_ID_TTL, 24 hours by default); once an integration uses it, it stays valid until deleted.',
      response,
    },
  }, async (request) => ok(await externalIds.issue(request.principal.customerId)));

  app.get('/api/v2/cloudintegration/awsExternalId/:id', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAWSExternalId',
      summary: 'Confirm that an external ID exists and can be used',
      description: 'Answers 404 when the ID is unknown, belongs to another customer, expired unused, or was deleted.',
      params: ValueParams,
      response,
    },
  }, async (request) => ok(await externalIds.confirm(request.principal.customerId, request.params.id)));

  app.delete('/api/v2/cloudintegration/awsExternalId/:id', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'deleteAWSExternalId',
      summary: 'Delete an external ID',
      description: 'Integrations that already use it keep working with their stored copy; no new integration can use it.',
      params: ValueParams,
      response,
    },
  }, async (request) => ok(await externalIds.remove(request.principal.customerId, request.params.id)));
};
