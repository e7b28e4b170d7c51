import type { TSchema } from 'typebox';
import { ErrorResponse, ResponseStatus } from './common.ts';
import {
  AWSBaseCredentials,
  CloudIntegration,
  CloudIntegrationWrite,
  CloudTrailConfiguration,
  CloudWatchConfiguration,
  EC2Configuration,
  Event,
  PagedCloudIntegration,
  ResponseContainerCloudIntegration,
  ResponseContainerPagedCloudIntegration,
  ResponseContainerString,
} from './cloudIntegration.ts';
import {
  FacetResponse,
  FacetSearchRequestContainer,
  FacetsResponseContainer,
  FacetsSearchRequestContainer,
  ResponseContainerFacetResponse,
  ResponseContainerFacetsResponseContainer,
  SearchQuery,
  SortableSearchRequest,
  Sorting,
} from './search.ts';
import { Point, RawTimeseries } from './points.ts';
import { apiGatewayConnectionSchemas } from './apiGatewayConnection.ts';
import { apiGatewayInventorySchemas } from './apiGatewayInventory.ts';
import { apiGatewaySubscriptionSchemas } from './apiGatewaySubscription.ts';
import { apiGatewayTrafficSchemas } from './apiGatewayTraffic.ts';
import { PagedEvent, ResponseContainerEvent, ResponseContainerPagedEvent } from './events.ts';
import { visibilitySchemas } from './visibility.ts';

/** Every named schema, registered once with the app (validation, serialization, OpenAPI components). */
export const sharedSchemas: TSchema[] = [
  ResponseStatus,
  ErrorResponse,
  AWSBaseCredentials,
  CloudWatchConfiguration,
  CloudTrailConfiguration,
  EC2Configuration,
  Event,
  CloudIntegration,
  CloudIntegrationWrite,
  PagedCloudIntegration,
  ResponseContainerCloudIntegration,
  ResponseContainerPagedCloudIntegration,
  ResponseContainerString,
  SearchQuery,
  Sorting,
  SortableSearchRequest,
  FacetsSearchRequestContainer,
  FacetSearchRequestContainer,
  FacetsResponseContainer,
  FacetResponse,
  ResponseContainerFacetsResponseContainer,
  ResponseContainerFacetResponse,
  Point,
  RawTimeseries,
  PagedEvent,
  ResponseContainerEvent,
  ResponseContainerPagedEvent,
  ...visibilitySchemas,
  ...apiGatewayConnectionSchemas,
  ...apiGatewayInventorySchemas,
  ...apiGatewaySubscriptionSchemas,
  ...apiGatewayTrafficSchemas,
];
