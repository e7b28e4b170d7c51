import type { Db } from '../../../db/client.ts';
import type { ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { SkyportError, unavailable } from '../../../errors.ts';
import type { AwsAccess } from '../../collection/aws/access.ts';
import { AwsStepError } from '../../collection/aws/blame.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import { createThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { storedCredentialsOf } from '../storedCredentials.ts';
import type { KeyClients } from './keysAws.ts';

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
 * (the secret decrypted only in memory) through the process's AWS access (assumed roles cached and renewed
 * there), its rate-limited, counted APIGatewayClient, and throttle retries bounded by `signal`.
 */
export function createSubscriptionAccess(deps: { db: Db; access: AwsAccess; secrets: SecretBox }) {
  const { db, access, secrets } = deps;
  return {
    async open(conn: ConnectionViewRow, customerId: string, region: string, signal: AbortSignal): Promise<KeyClients & { accountId: string }> {
      const credentials = await storedCredentialsOf(db, secrets, conn, customerId);
      const account = await access.forConnection({ id: conn.id, credentials }, signal);
      return { v1: account.aws.apigateway(region), retry: createThrottleRetry({ signal }), accountId: account.accountId };
    },
  };
}

export type SubscriptionAccess = ReturnType<typeof createSubscriptionAccess>;
