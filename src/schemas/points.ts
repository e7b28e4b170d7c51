import { Type, type Static } from 'typebox';
import { ref, StringMap } from './ref.ts';
import { MAX_EPOCH_MS } from './common.ts';

// Largest epoch-millisecond value a JavaScript Date can hold (year 275760).

export const Point = Type.Object(
  {
    timestamp: Type.Integer({ description: 'When the value was measured, in milliseconds since the Unix epoch (the time AWS reported)' }),
    value: Type.Number({ description: 'The measured value' }),
  },
  { $id: 'Point', description: 'One stored measurement of a series' },
);

export const RawTimeseries = Type.Object(
  {
    metric: Type.Optional(Type.String({ description: 'The metric of the series; given only when `metric` was a glob (Skyport extension)' })),
    tags: StringMap({ description: 'What identifies the series: its point tags (accountId, Region, dimensions…) plus `source`, the host or resource it describes' }),
    points: Type.Array(ref(Point), { description: 'The stored points of the series inside the requested window, oldest first' }),
  },
  { $id: 'RawTimeseries', description: 'One series of a raw query: its identifying tags and its points, exactly as stored' },
);

export type RawTimeseriesType = Static<typeof RawTimeseries>;

export const RawQuery = Type.Object({
  metric: Type.String({
    minLength: 1,
    maxLength: 1024,
    description:
      'The metric name, e.g. aws.ec2.cpuutilization.average, or a glob: `*` matches any characters, dots included (aws.ec2.* finds ' +
      'every EC2 metric; each series then carries its `metric`). GET /api/v2/chart/metric/list lists the names there are.',
  }),
  source: Type.Optional(Type.String({ maxLength: 1024, description: 'Only series of this exact source (no wildcards); the same as host, give only one of them' })),
  host: Type.Optional(Type.String({ maxLength: 1024, description: 'Another name for source' })),
  startTime: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'Start of the window, epoch milliseconds, inclusive. Default: one hour before endTime' }),
  ),
  endTime: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'End of the window, epoch milliseconds, inclusive. Default: now' })),
});

export type RawQueryType = Static<typeof RawQuery>;
