import { STSClient } from '@aws-sdk/client-sts';
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
}

/** Options shared by every SDK client Skyport builds. Retries are Skyport's own (see the scheduler). */
export function clientOptions(settings: AwsSettings, region: string) {
  return {
    region,
    maxAttempts: 1,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}

export function createStsClient(settings: AwsSettings): STSClient {
  return new STSClient({
    ...clientOptions(settings, settings.stsRegion),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}

/** Production settings: the SDK resolves endpoints and Skyport's identity itself. */
export function awsSettingsFromConfig(config: { aws: { stsRegion: string; endpointOverride: boolean; regions?: string[] } }): AwsSettings {
  return { stsRegion: config.aws.stsRegion, forcePathStyle: config.aws.endpointOverride, regions: config.aws.regions };
}
