import { Type, type Static } from 'typebox';
import { Envelope, Paged } from './common.ts';
import { ref, StringMap } from './ref.ts';

/**
 * Wavefront's MetricDetails and MetricDetailsResponse (python-client docs/MetricDetails.md,
 * docs/MetricDetailsResponse.md). `last_update` is snake_case on the wire, as Wavefront sends it.
 */
export const MetricDetails = Type.Object(
  {
    host: Type.String({ description: 'The source reporting this metric' }),
    last_update: Type.Integer({ description: 'Time of the newest stored point of this series, epoch milliseconds' }),
    tags: StringMap({ description: 'The point tags of the series (accountId, Region, dimensions…)' }),
  },
  { $id: 'MetricDetails', description: 'One series of a metric: its source, point tags and newest point' },
);

export const MetricDetailsResponse = Type.Object(
  {
    hosts: Type.Array(ref(MetricDetails), { description: 'The series reporting this metric, by source; empty for an unknown metric' }),
    continuationToken: Type.Optional(Type.String({ description: 'Give it as `c` to get the next page; absent on the last page' })),
  },
  { $id: 'MetricDetailsResponse', description: 'The sources reporting a metric (a bare object, like chart/raw: Wavefront does not wrap it)' },
);
export type MetricDetailsResponseType = Static<typeof MetricDetailsResponse>;

export const MetricDetailQuery = Type.Object({
  m: Type.String({ minLength: 1, maxLength: 1024, description: 'The exact metric name, e.g. aws.ec2.cpuutilization.average' }),
  l: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'How many series to return (at most 1000)' }),
  c: Type.Optional(Type.String({ maxLength: 2048, description: 'The continuationToken of the previous page' })),
  h: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
      maxItems: 20,
      description: 'Only sources matching one of these globs (`*` matches any characters); repeat the parameter for several',
    }),
  ),
});

export const MetricName = Type.Object(
  {
    name: Type.String({ description: 'The metric name, as chart/raw and chart/metric/detail take it' }),
    series: Type.Integer({ description: 'How many series (source + point tags) of it are stored' }),
    sources: Type.Integer({ description: 'How many distinct sources report it' }),
    lastPointMs: Type.Integer({ description: 'Time of its newest stored point, epoch milliseconds' }),
  },
  { $id: 'MetricName', description: 'A metric name Skyport has stored points for' },
);

export const PagedMetricName = Paged('PagedMetricName', ref(MetricName), 'A page of metric names, in name order');
export const ResponseContainerPagedMetricName = Envelope('ResponseContainerPagedMetricName', ref(PagedMetricName), 'A page of metric names in the response envelope');

export const MetricListQuery = Type.Object({
  prefix: Type.String({ maxLength: 1024, default: '', description: 'Only names starting with this text (a plain prefix, no wildcards), e.g. aws.ec2.' }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Index of the first name to return' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'How many names to return (at most 1000)' }),
});
