import { Type, type Static } from 'typebox';
import { Envelope } from './common.ts';
import { ref } from './ref.ts';

const PerMonth = (description: string) => Type.Integer({ minimum: 0, description });

export const CostEstimate = Type.Object(
  {
    service: Type.String({ description: 'CLOUDWATCH, EC2 or CLOUDTRAIL' }),
    basis: Type.String({
      enum: ['last run', 'discovery'],
      description: 'last run: what the newest collection selected and called; discovery: a discovery run now (no GetMetricData)',
    }),
    basisTime: Type.Integer({ description: 'When the basis was taken, epoch milliseconds' }),
    refreshRateInMins: Type.Integer({ description: "The integration's serviceRefreshRateInMins" }),
    cyclesPerMonth: Type.Integer({ description: 'Collections in a 30-day month at that refresh rate' }),
    metricsSelected: Type.Integer({ description: 'CloudWatch metrics (name + dimensions) the filters select today' }),
    seriesSelected: Type.Integer({ description: 'Series the filters select today (a CloudWatch metric gives up to five: average, sum, minimum, maximum, samplecount)' }),
    getMetricDataCallsPerMonth: PerMonth('CloudWatch GetMetricData calls per month'),
    metricsRequestedPerMonth: PerMonth('Metrics requested per month: one per statistic asked of GetMetricData, which is what AWS bills'),
    s3RequestsPerMonth: Type.Optional(PerMonth('CloudTrail: S3 requests (LIST and GET) per month')),
    awsCallsPerMonth: Type.Unsafe<Record<string, number>>({
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'Every AWS call per month by service:API, from the basis run (empty for a discovery)',
    }),
    estimatedMonthlyCostUsd: Type.Number({ description: 'List price per month of the billed requests, US dollars' }),
    assumptions: Type.Array(Type.String(), { description: 'What the figures assume: prices, month length, what is and is not counted' }),
    note: Type.Optional(Type.String({ description: 'Something to act on, e.g. that the filters select nothing' })),
  },
  { $id: 'CostEstimate', description: 'What collecting an integration costs in AWS requests per month, at list price' },
);
export type CostEstimateType = Static<typeof CostEstimate>;

export const ResponseContainerCostEstimate = Envelope('ResponseContainerCostEstimate', ref(CostEstimate), 'A cost estimate in the response envelope');
