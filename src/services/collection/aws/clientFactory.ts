import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { clientOptions, handlerTimeouts, type AwsSettings } from './settings.ts';
import { isThrottling } from './errors.ts';
import type { RateLimiter } from './rateLimiter.ts';

/** The clients one integration's collectors (or one API Gateway connection's sync) use, per region. */
export interface AwsClients {
  cloudwatch(region: string): CloudWatchClient;
  ec2(region: string): EC2Client;
  s3(region: string): S3Client;
  /** API Gateway v1 (REST APIs, usage plans); shares the account × region budget with v2. */
  apigateway(region: string): APIGatewayClient;
  /** API Gateway v2 (HTTP and WebSocket APIs). */
  apigatewayv2(region: string): ApiGatewayV2Client;
  /** CloudWatch Logs (access logs). */
  logs(region: string): CloudWatchLogsClient;
  /** Ends this run's use of the clients; they stay cached with the role's credentials provider for its next run. */
  destroy(): void;
  /** AWS calls made through these clients since they were handed out, by `service:API` (run history). */
  calls(): Record<string, number>;
}

/** What a collector needs to reach one integration's account (CollectInput's AWS part). */
export interface IntegrationAccess {
  /** The AWS account of the role. */
  accountId: string;
  /** The role's credentials (AssumeRole with the external ID, cached and refreshed before they expire). */
  credentials: AwsCredentialIdentityProvider;
  /** Rate-limited SDK clients acting as the role, per region; `destroy()` after the run. */
  aws: AwsClients;
}

export type AwsCallOutcome = 'ok' | 'throttled' | 'error';
export type AwsCallObserver = (call: { service: string; api: string; outcome: AwsCallOutcome; code?: string; ms: number }) => void;

type AnyClient = CloudWatchClient | EC2Client | S3Client | APIGatewayClient | ApiGatewayV2Client | CloudWatchLogsClient | STSClient;

/** AWS calls per `service:API`, of one run. */
export type CallTally = Map<string, number>;

/**
 * Per client class: the service whose rate budget its calls draw from, and the name a user knows its calls by
 * (IAM's action prefixes) in the per-run call counts. API Gateway's v1 and v2 share one budget.
 */
const KIND_OF: Record<string, { service: string; shownAs: string }> = {
  CloudWatchClient: { service: 'monitoring', shownAs: 'cloudwatch' },
  EC2Client: { service: 'ec2', shownAs: 'ec2' },
  S3Client: { service: 's3', shownAs: 's3' },
  APIGatewayClient: { service: 'apigateway', shownAs: 'apigateway' },
  ApiGatewayV2Client: { service: 'apigateway', shownAs: 'apigatewayv2' },
  CloudWatchLogsClient: { service: 'logs', shownAs: 'logs' },
  STSClient: { service: 'sts', shownAs: 'sts' },
};

/**
 * Builds SDK clients that share one connection pool per process, wait on the per-account rate limiter before
 * every call and report every call (service, API, outcome) to an observer for self-metrics. The clients of a
 * role are kept with its credentials provider (the credentials cache hands out one provider per integration) and
 * reused run after run: building a client and resolving its configuration on its first call costs more CPU
 * than the call itself. They go when the provider is forgotten (a few KB per integration).
 */
export function createAwsClientFactory(deps: { settings: AwsSettings; limiter: RateLimiter; observe?: AwsCallObserver; maxSockets?: number }) {
  const { settings, limiter, observe } = deps;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: deps.maxSockets ?? 256 }),
    httpsAgent: new Agent({ keepAlive: true, maxSockets: deps.maxSockets ?? 256 }),
    ...handlerTimeouts(settings),
  });

  /** `tally` is read at each call: a cached client counts into the tally of the run using it now. */
  function instrument<C extends AnyClient>(client: C, accountId: string, region: string, tally: () => CallTally): C {
    const { service, shownAs } = KIND_OF[client.constructor.name] ?? { service: 'aws', shownAs: 'aws' };
    const stack = client.middlewareStack as unknown as {
      add(mw: InitializeMiddleware<object, object>, opts: InitializeHandlerOptions & { name: string }): void;
      remove(name: string): boolean;
    };
    // The SDK's logger middleware runs every input and output through the schema's sensitive-data filter, even
    // for its default logger that logs nothing (Skyport passes none): a large share of the SDK's CPU on big
    // GetMetricData answers (docs/PERFORMANCE.md). Calls are observed below instead.
    stack.remove('loggerMiddleware');
    stack.add(
      (next, context) => async (args) => {
        const api = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        await limiter.take({ accountId, region, service, api });
        const key = `${shownAs}:${api}`;
        const counts = tally();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const started = performance.now();
        try {
          const out = await next(args);
          observe?.({ service, api, outcome: 'ok', ms: performance.now() - started });
          return out;
        } catch (err) {
          const code = (err as Error).name;
          observe?.({ service, api, outcome: isThrottling(err) ? 'throttled' : 'error', code, ms: performance.now() - started });
          throw err;
        }
      },
      { step: 'initialize', name: 'skyportRateLimit' },
    );
    return client;
  }

  type Made = { clients: Map<string, AnyClient>; tally: CallTally };
  const byProvider = new WeakMap<AwsCredentialIdentityProvider, Made>();

  return {
    /**
     * Clients acting as one role (or identity) in one account, per region; reused while `credentials` lives.
     * One integration's (or connection's) runs never overlap (its lease), so each run starts a tally of its own:
     * `tally` when the run already counted calls into it (STS, before the account was known), else a new one.
     */
    forRole(accountId: string, credentials: AwsCredentialIdentityProvider, tally: CallTally = new Map()): AwsClients {
      const entry: Made = byProvider.get(credentials) ?? { clients: new Map(), tally };
      byProvider.set(credentials, entry);
      entry.tally = tally;
      const made = entry.clients;
      const options = (region: string) => ({ ...clientOptions(settings, region), credentials, requestHandler });
      function get<C extends AnyClient>(kind: string, region: string, build: () => C): C {
        const key = `${accountId}:${kind}:${region}`;
        let client = made.get(key) as C | undefined;
        if (!client) {
          client = instrument(build(), accountId, region, () => entry.tally);
          made.set(key, client);
        }
        return client;
      }
      return {
        cloudwatch: (region) => get('cw', region, () => new CloudWatchClient(options(region))),
        ec2: (region) => get('ec2', region, () => new EC2Client(options(region))),
        s3: (region) => get('s3', region, () => new S3Client({ ...options(region), forcePathStyle: settings.forcePathStyle })),
        apigateway: (region) => get('apigw', region, () => new APIGatewayClient(options(region))),
        apigatewayv2: (region) => get('apigwv2', region, () => new ApiGatewayV2Client(options(region))),
        logs: (region) => get('logs', region, () => new CloudWatchLogsClient(options(region))),
        destroy: () => {},
        calls: () => Object.fromEntries([...entry.tally].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      };
    },

    /**
     * An STS client in the STS region signing as `signer` (access keys, or Skyport's own identity), on the
     * shared pool and counted into `tally`. Built per use: the credentials it signs with may be a customer's
     * keys, which are not kept beyond the run.
     */
    sts(signer: AwsCredentialIdentity | AwsCredentialIdentityProvider, tally: CallTally, bucketAccount: string): STSClient {
      const client = new STSClient({ ...clientOptions(settings, settings.stsRegion), credentials: signer, requestHandler });
      return instrument(client, bucketAccount, settings.stsRegion, () => tally);
    },
    /** Closes the shared connection pool (process shutdown). */
    close() {
      requestHandler.destroy();
    },
  };
}

export type AwsClientFactory = ReturnType<typeof createAwsClientFactory>;
