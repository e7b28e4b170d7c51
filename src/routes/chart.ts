import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RawQuery, RawTimeseries } from '../schemas/points.ts';
import { ref } from '../schemas/ref.ts';
import type { PointsService } from '../services/api/points.ts';
import { errorResponses } from './envelope.ts';

export const chartRoutes: FastifyPluginAsyncTypebox<{ points: PointsService }> = async (app, { points }) => {
  app.get('/api/v2/chart/raw', {
    config: { access: 'read' },
    schema: {
      tags: ['Query'],
      operationId: 'queryRaw',
      summary: 'Read the stored points of one metric',
      description:
        'Returns every series of the metric (optionally of one source) that has points in the window, each with its tags and its ' +
        'points exactly as collected. Unlike the other endpoints the answer is a bare JSON list, not wrapped in a status envelope ' +
        '(errors still are). The window is inclusive at both ends, defaults to the last hour, and may span at most 31 days; ' +
        'points are kept for SKYPORT_POINTS_RETENTION (7 days by default).',
      querystring: RawQuery,
      response: {
        200: Type.Array(ref(RawTimeseries), { description: 'One element per series, in a stable order; empty when nothing matches' }),
        ...errorResponses,
      },
    },
  }, async (request) => points.queryRaw(request.principal, request.query));
};
