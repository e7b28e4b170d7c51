import type { TSchema } from 'typebox';
import {
  CollectionRun,
  CollectRequestResult,
  PagedCollectionRun,
  ResponseContainerCollectRequestResult,
  ResponseContainerPagedCollectionRun,
} from './runs.ts';

/** The named schemas of run history, metric discovery and the cost estimate (registered in registry.ts). */
export const visibilitySchemas: TSchema[] = [
  CollectionRun,
  PagedCollectionRun,
  ResponseContainerPagedCollectionRun,
  CollectRequestResult,
  ResponseContainerCollectRequestResult,
];
