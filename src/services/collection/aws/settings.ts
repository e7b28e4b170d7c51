import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { skewOnlyRetryStrategy } from './skewRetry.ts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * How Skyport reaches AWS. In production everything is left to the SDK: endpoints from AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> when set, Skyport's own identity from the default credential chain. Tests,
 * the demo and benchmarks point `endpoint` at the simulator and pass the simulator's keys.
 */
export interface AwsSettings {
  /** Overrides every service endpoint (the simulator). Unset: the SDK's own resolution. */
  endpoint?: string;
  /** Region for STS calls. */
  stsRegion: string;
  /** Skyport's own identity; unset: the SDK's default credential chain (env, profile, container/instance role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** S3 path-style addressing, needed whenever an endpoint override is in use. */
  forcePathStyle: boolean;
  /** SKYPORT_AWS_REGIONS: the regions to collect; unset: the account's enabled regions. */
  regions?: string[];
  /** SKYPORT_AWS_CONNECT_TIMEOUT / SKYPORT_AWS_REQUEST_TIMEOUT; unset: AWS_TIMEOUT_DEFAULTS. */
  timeouts?: AwsTimeouts;
}

export interface AwsTimeouts {
  /** Longest wait for a TCP (and TLS) connection to an AWS endpoint. */
  connectMs: number;
  /** Longest wait for a whole answer once the request is sent; the call then fails with TimeoutError (transient). */
  requestMs: number;
}

export const AWS_TIMEOUT_DEFAULTS: Readonly<AwsTimeouts> = Object.freeze({ connectMs: 5_000, requestMs: 30_000 });

/**
 * Timeouts of every HTTP handler Skyport gives an SDK client. `throwOnRequestTimeout` is what makes the request
 * timeout fail the call: without it the SDK only logs a warning and keeps waiting for as long as AWS takes.
 */
export function handlerTimeouts(settings: AwsSettings): Pick<NodeHttpHandlerOptions, 'connectionTimeout' | 'requestTimeout' | 'throwOnRequestTimeout'> {
  const t = settings.timeouts ?? AWS_TIMEOUT_DEFAULTS;
  return { connectionTimeout: t.connectMs, requestTimeout: t.requestMs, throwOnRequestTimeout: true };
}

/**
 * Options shared by every SDK client Skyport builds. Retries are Skyport's own (see the scheduler), but for the
 * SDK's clock-skew correction (skewRetry.ts).
 */
export function clientOptions(settings: AwsSettings, region: string) {
  return {
    region,
    maxAttempts: 1,
    retryStrategy: skewOnlyRetryStrategy,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}

export function createStsClient(settings: AwsSettings): STSClient {
  return new STSClient({
    ...clientOptions(settings, settings.stsRegion),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestHandler: new NodeHttpHandler(handlerTimeouts(settings)),
  });
}

/** Production settings: the SDK resolves endpoints and Skyport's identity itself. */
export function awsSettingsFromConfig(config: { aws: { stsRegion: string; endpointOverride: boolean; regions?: string[]; timeouts: AwsTimeouts } }): AwsSettings {
  return { stsRegion: config.aws.stsRegion, forcePathStyle: config.aws.endpointOverride, regions: config.aws.regions, timeouts: config.aws.timeouts };
}
