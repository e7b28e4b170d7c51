import type { Db } from '../../../db/client.ts';
import type { ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import type { ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { AwsClients } from '../../collection/aws/clientFactory.ts';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';

/**
 * What a per-region step of a sync gets. The inventory is the first step; the steps of
 * REGION_STEPS_AFTER_INVENTORY (regionRun.ts) run after it, in the same region of the same run.
 */
export interface RegionStepContext {
  /**
   * The connection's SDK clients: `aws.apigateway(region)`, `aws.apigatewayv2(region)`, `aws.logs(region)`.
   * Every call waits on the account × region budget (API Gateway v1 and v2 share one) and is counted in the
   * run's `awsCalls`; nothing to destroy.
   */
  aws: AwsClients;
  /** Retries what AWS throttles, within the run's deadline: `retry.call((signal) => client.send(cmd, { abortSignal: signal }))`. */
  retry: ThrottleRetry;
  db: Db;
  /** The only clock a step reads (tests inject theirs). */
  clock: Clock;
  /** The sync's lease: every write transaction first checks it (`syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken)`) and writes nothing once it is lost. */
  claim: ClaimedConnection;
  /** The connection as stored when the run started (settings: `subscriptions`, `traffic`, `stages`, …). */
  connection: ConnectionViewRow;
  region: string;
  /** The AWS account the credentials act in. */
  accountId: string;
  /** The sync run (apigateway_sync_runs.id) this step belongs to. */
  runId: string;
  /** Aborted at the run's deadline: pass it to every AWS call and wait. */
  signal: AbortSignal;
  /** What the steps found for the run's record (shared by the run's regions). */
  findings: SyncFindings;
}

/** What steps report in the run's record, beside its AWS calls and changes. */
export interface SyncFindings {
  /** Keys tagged `skyport:subscription` that no subscription knows (reported, never deleted). */
  unknownSubscriptionKeys: string[];
}

/**
 * A step of a region's sync. It reads its settings from `ctx.connection` and returns at once when its feature is
 * off. A throw fails the region for this run (its error is the region's error, and credential failures count
 * toward the credential-failure rule); the region's earlier steps stay written.
 */
export interface RegionStep {
  /** Names the step in the region's error ("usage plans: AccessDenied: …"). */
  name: string;
  run(ctx: RegionStepContext): Promise<void>;
}
