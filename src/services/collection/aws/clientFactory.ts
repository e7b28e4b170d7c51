import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { clientOptions, handlerTimeouts, type AwsSettings } from './settings.ts';
import { isThrottling } from './errors.ts';
import type { RateLimiter } from './rateLimiter.ts';

/** The clients one integration's collectors use, per region. */
export interface AwsClients {
  cloudwatch(region: string): CloudWatchClient;
  ec2(region: string): EC2Client;
  s3(region: string): S3Client;
  /** Ends this run's use of the clients; they stay cached with the role's credentials provider for its next run. */
  destroy(): void;
  /** AWS calls made through these clients since they were handed out, by `service:API` (run history). */
  calls(): Record<string, number>;
}

export type AwsCallOutcome = 'ok' | 'throttled' | 'error';
export type AwsCallObserver = (call: { service: string; api: string; outcome: AwsCallOutcome; code?: string; ms: number }) => void;

const SERVICE_OF: Record<string, string> = { CloudWatchClient: 'monitoring', EC2Client: 'ec2', S3Client: 's3' };
/** The names a user knows the services by (IAM's action prefixes), for the per-run call counts. */
const SHOWN_AS: Record<string, string> = { monitoring: 'cloudwatch', ec2: 'ec2', s3: 's3' };

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

  function instrument<C extends CloudWatchClient | EC2Client | S3Client>(client: C, accountId: string, region: string, tally: Map<string, number>): C {
    const service = SERVICE_OF[client.constructor.name] ?? 'aws';
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
        const key = `${SHOWN_AS[service] ?? service}:${api}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
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

  type Made = { clients: Map<string, CloudWatchClient | EC2Client | S3Client>; tally: Map<string, number> };
  const byProvider = new WeakMap<AwsCredentialIdentityProvider, Made>();

  return {
    /** Clients acting as one integration's role in one account, per region; reused while `credentials` lives. */
    forRole(accountId: string, credentials: AwsCredentialIdentityProvider): AwsClients {
      const entry: Made = byProvider.get(credentials) ?? { clients: new Map(), tally: new Map() };
      byProvider.set(credentials, entry);
      // One integration's runs never overlap (its lease), so its tally restarts with each run.
      entry.tally.clear();
      const made = entry.clients;
      const options = (region: string) => ({ ...clientOptions(settings, region), credentials, requestHandler });
      function get<C extends CloudWatchClient | EC2Client | S3Client>(kind: string, region: string, build: () => C): C {
        const key = `${accountId}:${kind}:${region}`;
        let client = made.get(key) as C | undefined;
        if (!client) {
          client = instrument(build(), accountId, region, entry.tally);
          made.set(key, client);
        }
        return client;
      }
      return {
        cloudwatch: (region) => get('cw', region, () => new CloudWatchClient(options(region))),
        ec2: (region) => get('ec2', region, () => new EC2Client(options(region))),
        s3: (region) => get('s3', region, () => new S3Client({ ...options(region), forcePathStyle: settings.forcePathStyle })),
        destroy: () => {},
        calls: () => Object.fromEntries([...entry.tally].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      };
    },
    /** Closes the shared connection pool (process shutdown). */
    close() {
      requestHandler.destroy();
    },
  };
}

export type AwsClientFactory = ReturnType<typeof createAwsClientFactory>;
