import type { TSchema } from 'typebox';
import {
  CollectionRun,
  CollectRequestResult,
  PagedCollectionRun,
  ResponseContainerCollectRequestResult,
  ResponseContainerPagedCollectionRun,
} from './runs.ts';
import { CostEstimate, ResponseContainerCostEstimate } from './estimate.ts';
import { MetricDetails, MetricDetailsResponse, MetricName, PagedMetricName, ResponseContainerPagedMetricName } from './metrics.ts';

/** The named schemas of run history, metric discovery and the cost estimate (registered in registry.ts). */
export const visibilitySchemas: TSchema[] = [
  CollectionRun,
  PagedCollectionRun,
  ResponseContainerPagedCollectionRun,
  CollectRequestResult,
  ResponseContainerCollectRequestResult,
  MetricDetails,
  MetricDetailsResponse,
  MetricName,
  PagedMetricName,
  ResponseContainerPagedMetricName,
  CostEstimate,
  ResponseContainerCostEstimate,
];
