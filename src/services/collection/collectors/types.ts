import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClassifiedAwsError } from '../aws/errors.ts';
import type { AwsClients } from '../aws/clientFactory.ts';
import type { DiscoveryPlan } from './cloudwatch/plan.ts';
import type { AwsService, ServiceConfigs } from '../../../schemas/cloudIntegration.ts';

/** A data point as a collector produces it, under Wavefront's naming (see DESIGN.md "Naming"). */
export interface CollectedPoint {
  metric: string;
  source: string;
  /** Point tags (accountId, Region, dimensions, additionalTags, filtered AWS tags). */
  tags: Record<string, string>;
  /** Epoch milliseconds, the timestamp AWS reported. */
  ts: number;
  value: number;
}

/** An event as a collector produces it (CloudTrail actions). */
export interface CollectedEvent {
  name: string;
  startMs: number;
  endMs?: number;
  annotations: Record<string, string>;
  tags: string[];
  hosts: string[];
  /** De-duplication key within the customer, e.g. the CloudTrail eventID. */
  dedupeKey?: string;
}

/** What a collector of service `S` knows about the integration it collects. */
export interface CollectTarget<S extends AwsService> {
  id: string;
  customerId: string;
  service: S;
  /** The service's configuration as stored (checked on write). */
  config: ServiceConfigs[S];
  additionalTags: Record<string, string> | null;
  roleArn: string;
  externalId: string;
  /** The AWS account of the role. */
  accountId: string;
}

export interface CollectInput<S extends AwsService> {
  target: CollectTarget<S>;
  /** AWS SDK clients for this integration's role, per region, rate-limited per account × region × API. */
  aws: AwsClients;
  credentials: AwsCredentialIdentityProvider;
  /** Where each scope stopped last time (scope → position); absent scopes start fresh. */
  cursors: ReadonlyMap<string, string>;
  /** Epoch ms; the only clock a collector reads. */
  now: number;
  /** Cancelled on shutdown or when the lease is lost. */
  signal: AbortSignal;
}

export interface CollectResult {
  points: CollectedPoint[];
  events: CollectedEvent[];
  /** Scopes whose position moved; scopes that failed are absent (their cursor stays where it was). */
  cursors: Map<string, string>;
  /** Series or events ingested in this run (lastMetricCount). */
  metricCount: number;
  /** Newest point or event time received, epoch ms (lastReceivedDataPointMs). */
  newestMs?: number;
  /** Failures of parts (a region, a namespace) that did not stop the rest. */
  partialErrors: Array<ClassifiedAwsError & { scope: string }>;
  /** A note for lastError that is not an AWS failure (e.g. the series cap was hit). */
  warning?: string;
  /** CloudWatch: what discovery selected (run history, cost estimate). */
  plan?: DiscoveryPlan;
}

/**
 * A collector: a function of (credentials, config, cursors, clock) to points/events and new cursors.
 * It reads AWS and nothing else (no database). It throws only for failures of the whole run (e.g. the
 * role cannot be assumed); the error is classified by the caller with classifyAwsError.
 */
export type Collector<S extends AwsService> = (input: CollectInput<S>) => Promise<CollectResult>;

/** One collector per service. */
export type Collectors = { [S in AwsService]: Collector<S> };
