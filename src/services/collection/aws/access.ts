import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../../../lib/clock.ts';
import { createAwsClientFactory, type AwsCallObserver, type CallTally, type IntegrationAccess } from './clientFactory.ts';
import { createConnectionCredentials, type ConnectionAccess, type ConnectionRef } from './connectionCredentials.ts';
import { createStsClient, type AwsSettings } from './settings.ts';
import { accountOfRole, createRoleCredentials, type RoleRef } from './credentials.ts';
import { createRateLimiter, type RateLimiter } from './rateLimiter.ts';

/**
 * How Skyport reaches AWS, wired the production way in one place: Skyport's STS client → the role
 * credentials cache → SDK clients sharing one connection pool, waiting on the per-account rate limiter and
 * reporting every call. The scheduler, the API Gateway side, the test set-ups and the benchmarks all build it
 * here. `limiter`: a rate limiter on another clock (tests of scale, where waiting for real would take minutes).
 */
export function createAwsAccess(deps: { settings: AwsSettings; clock: Clock; sts?: STSClient; observe?: AwsCallObserver; limiter?: RateLimiter }) {
  const sts = deps.sts ?? createStsClient(deps.settings);
  const clients = createAwsClientFactory({ settings: deps.settings, limiter: deps.limiter ?? createRateLimiter(), observe: deps.observe });
  const credentials = createRoleCredentials({ sts, clock: deps.clock });
  // Skyport's own identity: the configured one, else the one the SDK's default chain gave its STS client.
  const own = deps.settings.credentials ?? (sts.config.credentials as AwsCredentialIdentityProvider);
  const connections = createConnectionCredentials({ clients, roles: credentials, own });
  return {
    credentials,
    forIntegration(role: RoleRef): IntegrationAccess {
      const provider = credentials.providerFor(role);
      const accountId = accountOfRole(role.roleArn);
      return { accountId, credentials: provider, aws: clients.forRole(accountId, provider) };
    },
    /**
     * An API Gateway connection's account, credentials and clients for one run (a sync or a check), its STS
     * calls counted in `aws.calls()` (and in `tally` when given). Throws AwsStepError (collection/aws/blame.ts)
     * naming the failed STS step.
     */
    forConnection(ref: ConnectionRef, signal: AbortSignal, tally?: CallTally): Promise<ConnectionAccess> {
      return connections.forConnection(ref, signal, tally);
    },
    /** Closes the connection pool, and the STS client when it was built here. */
    close(): void {
      clients.close();
      if (!deps.sts) sts.destroy();
    },
  };
}

export type AwsAccess = ReturnType<typeof createAwsAccess>;
