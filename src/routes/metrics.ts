import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MetricDetailQuery, MetricDetailsResponse, MetricListQuery, ResponseContainerPagedMetricName } from '../schemas/metrics.ts';
import { ref } from '../schemas/ref.ts';
import type { MetricService } from '../services/api/metrics.ts';
import { errorResponses, ok } from './envelope.ts';

export const metricRoutes: FastifyPluginAsyncTypebox<{ metrics: MetricService }> = async (app, { metrics }) => {
  app.get('/api/v2/chart/metric/detail', {
    config: { access: 'read' },
    schema: {
      tags: ['Metric'],
      operationId: 'getMetricDetails',
      summary: 'The sources reporting a metric, with their point tags and newest point',
      description:
        "Wavefront's MetricApi.get_metric_details. One entry per series of the metric, ordered by source; `h` keeps only sources " +
        'matching one of its globs. Like chart/raw the answer is a bare JSON object, not wrapped in a status envelope (errors still are). ' +
        'Page with `c`: a page that has a successor carries its continuationToken.',
      querystring: MetricDetailQuery,
      response: { 200: ref(MetricDetailsResponse), ...errorResponses },
    },
  }, async (request) => metrics.detail(request.principal, request.query));

  app.get('/api/v2/chart/metric/list', {
    config: { access: 'read' },
    schema: {
      tags: ['Metric'],
      operationId: 'listMetricNames',
      summary: 'List the metric names Skyport has stored',
      description:
        'Skyport extension (not a Wavefront path). The names of the stored metrics that start with `prefix` (plain text, e.g. `aws.ec2.`), ' +
        'in name order, each with its number of series and sources and its newest point. Use a name with chart/raw or chart/metric/detail.',
      querystring: MetricListQuery,
      response: { 200: ref(ResponseContainerPagedMetricName), ...errorResponses },
    },
  }, async (request) => ok(await metrics.list(request.principal, request.query)));
};
