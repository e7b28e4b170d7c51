import type { Db } from '../../../db/client.ts';
import { connectionQueries, type ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import type { ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { AwsAccess } from '../../collection/aws/access.ts';
import { AwsStepError } from '../../collection/aws/blame.ts';
import type { CallTally } from '../../collection/aws/clientFactory.ts';
import type { ConnectionAccess } from '../../collection/aws/connectionCredentials.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import { isSessionError } from '../../collection/aws/sessionErrors.ts';
import { regionsOfRun, runRegions, throwIfCredentialsFailEverywhere } from '../../collection/collectors/regionRuns.ts';
import type { RegionsCache } from '../../collection/collectors/regions.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { ALL_REGIONS } from '../regions.ts';
import { storedCredentialsOf } from '../storedCredentials.ts';
import { createThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import { awsErrorOf, CredentialFailure, describe } from './failures.ts';
import { runRegion, type RegionRun } from './regionRun.ts';
import type { SyncFindings } from './regionSteps.ts';

/** Regions of one connection synced at once; the rate limiter, not this number, decides the pace. */
export const REGION_CONCURRENCY = 4;

export interface SyncConnectionDeps {
  db: Db;
  clock: Clock;
  access: AwsAccess;
  secrets: SecretBox;
  regionsCache: RegionsCache;
}

/** What a run counts as it goes (read even when it fails). */
export interface SyncTally {
  calls: CallTally;
  changes: Record<string, number>;
  throttled: number;
  findings: SyncFindings;
}

/** A run's identity as its steps see it. */
export interface SyncRunRef {
  claim: ClaimedConnection;
  runId: string;
  signal: AbortSignal;
}

/** A failure before any region ran: the credentials (blamed on the connection) disable it, anything else is retried later. */
function beforeRegions(err: unknown): Error {
  const blamesRequest = err instanceof AwsStepError ? err.blame === 'request' : classifyAwsError(err).kind === 'credentials';
  return blamesRequest ? new CredentialFailure(describe(err)) : (err as Error);
}

/**
 * One sync of a claimed connection: its credentials (cached AssumeRole), its regions (fixed, or the account's
 * enabled ones through the regions cache), each region's steps with the shared concurrency, regions that failed
 * on a stale session once more with a fresh one, then the shared credential-failure rule (every region failed,
 * every failure a credential or permission failure → CredentialFailure).
 */
export async function syncConnection(deps: SyncConnectionDeps, run: SyncRunRef, tally: SyncTally): Promise<{ conn: ConnectionViewRow; regions: RegionRun[] }> {
  const { db, clock, access, regionsCache } = deps;
  const { claim, signal } = run;
  const conn = await connectionQueries.findById(db, claim.customerId, claim.id);
  if (!conn) throw new Error('the connection is gone');
  const credentials = await storedCredentialsOf(db, deps.secrets, conn, claim.customerId);
  const retry = createThrottleRetry({ signal });

  // A stale session (expired token, skewed signature) is not a rejected role: assume it again, retry once.
  const open = async (fresh = false): Promise<{ account: ConnectionAccess; regions: string[] }> => {
    if (fresh) access.credentials.drop(conn.id);
    try {
      const account = await access.forConnection({ id: conn.id, credentials }, signal, tally.calls);
      // The account's regions: any ARN of the account names the cache entry and its partition.
      const key = conn.roleArn ?? `arn:aws:iam::${account.accountId}:root`;
      const fixed = conn.regions[0] === ALL_REGIONS ? undefined : conn.regions;
      return { account, regions: await regionsOfRun(fixed, regionsCache, { roleArn: key, aws: account.aws, now: clock.now(), signal }) };
    } catch (err) {
      if (!fresh && isSessionError(err)) return open(true);
      throw beforeRegions(err);
    }
  };
  const runAll = (account: ConnectionAccess, regions: string[]) =>
    runRegions(regions, REGION_CONCURRENCY, signal, (region) =>
      runRegion({ ...run, aws: account.aws, retry, db, clock, connection: conn, region, accountId: account.accountId, findings: tally.findings }, tally.changes),
    );

  try {
    let opened = await open();
    let regions = await runAll(opened.account, opened.regions);
    const stale = regions.filter((r) => r.failures.some((f) => isSessionError(awsErrorOf(f.error))));
    if (stale.length > 0) {
      opened = await open(true);
      const again = await runAll(opened.account, stale.map((r) => r.region));
      regions = regions.map((r) => again.find((a) => a.region === r.region) ?? r);
    }
    try {
      throwIfCredentialsFailEverywhere(regions);
    } catch (err) {
      const region = regions.find((r) => r.failures.some((f) => f.error === err))?.region;
      throw new CredentialFailure(`${region}: ${describe(err)}`);
    }
    return { conn, regions };
  } finally {
    tally.throttled = retry.throttled;
  }
}
