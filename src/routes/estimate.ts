import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CloudIntegrationWrite } from '../schemas/cloudIntegration.ts';
import { IdParams } from '../schemas/common.ts';
import { ResponseContainerCostEstimate } from '../schemas/estimate.ts';
import { ref } from '../schemas/ref.ts';
import type { EstimateService } from '../services/estimate/index.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Cloud Integration'];
const response = { 200: ref(ResponseContainerCostEstimate), ...errorResponses };

export const estimateRoutes: FastifyPluginAsyncTypebox<{ estimate: EstimateService }> = async (app, { estimate }) => {
  app.get('/api/v2/cloudintegration/:id/estimate', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'estimateCloudIntegrationCost',
      summary: 'What an integration costs in AWS requests per month',
      description:
        'Skyport extension. From what the newest collection selected (CloudWatch: the series the filters select, GetMetricData calls and ' +
        'metrics requested per month at the refresh rate; CloudTrail: S3 requests), priced at list price; the assumptions are part of the ' +
        'answer. A CloudWatch integration that has not run yet is discovered now (ListMetrics, no GetMetricData).',
      params: IdParams,
      response,
    },
  }, async (request) => ok(await estimate.forIntegration(request.principal, request.params.id)));

  app.post('/api/v2/cloudintegration/estimate', {
    config: { access: 'write' },
    schema: {
      tags,
      operationId: 'estimateNewCloudIntegrationCost',
      summary: 'What an integration would cost, before it is created',
      description:
        'Skyport extension. Takes the body of a create and answers like GET …/{id}/estimate without storing anything. For CloudWatch it ' +
        'assumes the role and runs the discovery (ListMetrics and the EC2 inventory for selection tags, never GetMetricData).',
      body: ref(CloudIntegrationWrite),
      response,
    },
  }, async (request) => ok(await estimate.forBody(request.body)));
};
