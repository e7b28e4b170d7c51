import type { Db } from '../../../db/client.ts';
import { connectionQueries, type ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { SkyportError, unavailable } from '../../../errors.ts';
import type { Clock } from '../../../lib/clock.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import type { RateLimiter } from '../../collection/aws/rateLimiter.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { AwsStepError, type ConnectionAws, type ConnectionCredentials, type ResolvedCredentials } from '../awsAccess.ts';
import type { CredentialType } from '../connectionInput.ts';
import { createAwsCaller } from '../sync/awsCaller.ts';
import { keyWriteCaller, type KeyClients } from './keysAws.ts';

/** Resolved credentials are reused this long (sessions last an hour): one AssumeRole serves many key operations. */
const CREDENTIALS_TTL_MS = 15 * 60_000;

/** AWS's failure as the caller sees it: 503 (retry) for throttling, 5xx and timeouts, else 502, naming the AWS error. */
export function awsFailure(what: string, err: unknown): SkyportError {
  if (err instanceof SkyportError) return err;
  if (err instanceof AwsStepError) {
    const text = `${what}: ${err.operation} failed with ${err.code}: ${err.message}`;
    return err.blame === 'request' ? new SkyportError(502, 'BAD_GATEWAY', `${text}; check the connection's credentials`) : unavailable(text, 5);
  }
  const c = classifyAwsError(err);
  const text = `${what}: AWS answered ${c.code}: ${c.message}`;
  return c.kind === 'transient' || c.code === 'TimeoutError' || c.code === 'AbortError' ? unavailable(text, 5) : new SkyportError(502, 'BAD_GATEWAY', text);
}

/**
 * AWS clients for a connection's region, for subscription work outside a sync: the connection's credentials
 * (decrypted only in memory, resolved once per TTL and connection version), an APIGatewayClient, and the
 * rate-limited callers sharing the process's API Gateway budget.
 */
export function createSubscriptionAccess(deps: { db: Db; clock: Clock; aws: ConnectionAws; secrets: SecretBox; limiter: RateLimiter }) {
  const { db, clock, aws, secrets, limiter } = deps;
  const cache = new Map<string, { version: number; until: number; resolved: Promise<ResolvedCredentials> }>();

  async function credentialsOf(conn: ConnectionViewRow, customerId: string): Promise<ConnectionCredentials> {
    const c: ConnectionCredentials = { type: conn.credentialType as CredentialType };
    if (conn.roleArn) c.roleArn = conn.roleArn;
    if (conn.externalId) c.externalId = conn.externalId;
    if (conn.credentialType !== 'ACCESS_KEY') return c;
    const stored = await connectionQueries.secretOf(db, customerId, conn.id);
    if (!stored) throw unavailable(`API Gateway connection ${conn.id} has no stored secret`, 60);
    return { ...c, accessKeyId: conn.accessKeyId ?? undefined, secretAccessKey: await secrets.decrypt(stored, conn.id) };
  }

  function resolve(conn: ConnectionViewRow, customerId: string, signal: AbortSignal): Promise<ResolvedCredentials> {
    const now = clock.now();
    const hit = cache.get(conn.id);
    if (hit && hit.version === conn.updatedMs && hit.until > now) return hit.resolved;
    const resolved = credentialsOf(conn, customerId).then((c) => aws.resolve(c, signal));
    cache.set(conn.id, { version: conn.updatedMs, until: now + CREDENTIALS_TTL_MS, resolved });
    resolved.catch(() => cache.delete(conn.id));
    return resolved;
  }

  return {
    /**
     * Clients for one region of a connection. Not destroyed after use: they share the connection pool of
     * ConnectionAws, which destroy() would close.
     */
    async open(conn: ConnectionViewRow, customerId: string, region: string, signal: AbortSignal): Promise<KeyClients & { accountId: string }> {
      const resolved = await resolve(conn, customerId, signal);
      const accountId = resolved.accountId ?? (conn.roleArn ? conn.roleArn.split(':')[4] : conn.id);
      const v1 = aws.apigateway(region, resolved.credentials);
      const { call } = createAwsCaller({ limiter, accountId, region, signal });
      return { v1, call, keyCall: keyWriteCaller(limiter, accountId, call), accountId };
    },
  };
}

export type SubscriptionAccess = ReturnType<typeof createSubscriptionAccess>;
