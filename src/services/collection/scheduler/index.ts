import type { Db } from '../../../db/client.ts';
import type { ClaimedRun, SchedulerQueries } from '../../../db/queries/scheduler.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { AwsAccess } from '../aws/access.ts';
import { classifyAwsError } from '../aws/errors.ts';
import { isSessionError } from '../aws/sessionErrors.ts';
import type { CollectInput, CollectResult, Collectors } from '../collectors/types.ts';
import type { AwsService } from '../../../schemas/cloudIntegration.ts';
import { createRecorder, type RunOutcome } from './record.ts';
import { armDeadline, RunDeadlineError, untilAborted } from './deadline.ts';
import type { RunMeta } from './runRecord.ts';
import { logFailedRun } from './runLog.ts';
import type { SchedulerMetrics } from './metrics.ts';


export interface SchedulerDeps {
  db: Db;
  queries: SchedulerQueries;
  clock: Clock;
  /** This replica's id (lastProcessorId, lease owner). */
  owner: string;
  collectors: Collectors;
  /** How runs reach AWS (createAwsAccess). */
  access: AwsAccess;
  metrics: SchedulerMetrics;
  log: Logger;
  /** Runs at once in this process. */
  concurrency: number;
  leaseMs: number;
  /** How often to look for due work when idle. */
  pollMs: number;
  /**
   * How overdue an integration last run by another replica must be before this one takes it (that replica is
   * gone or saturated); default 15 s (at least 5 polls). Keeps each integration's credentials in one replica:
   * a replica that takes another's integration assumes its role and lists its metrics again, extra work that a
   * momentary imbalance (a GC pause, a busy neighbour) is not worth.
   */
  affinityMs?: number;
  /** SKYPORT_RUN_DEADLINE: a run still going after this long is aborted and recorded as a transient failure. */
  runDeadlineMs?: number;
}

/**
 * Claims due integrations (at most `concurrency` at a time), runs their collector with a heartbeated lease,
 * and records each result in one lease-guarded transaction. Replicas coordinate only through PostgreSQL.
 */
export function createScheduler(deps: SchedulerDeps) {
  const { queries, clock, owner, collectors, access, metrics, log, concurrency, leaseMs } = deps;
  const { credentials } = access;
  const recorder = createRecorder({ db: deps.db, queries, owner });
  const running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let ticking: Promise<number> | undefined;
  let lastSweep = clock.now();
  const SWEEP_EVERY_MS = 10 * 60_000;
  const affinityMs = deps.affinityMs ?? Math.max(15_000, 5 * deps.pollMs);
  const CREDENTIALS_IDLE_MS = 2 * 3_600_000;
  const runDeadlineMs = deps.runDeadlineMs ?? 5 * 60_000;

  /** An aborted run: past its deadline it is a transient failure (retried with back-off), otherwise lost. */
  async function abandoned(claim: ClaimedRun, signal: AbortSignal, meta: RunMeta): Promise<RunOutcome> {
    const reason = signal.reason;
    if (!(reason instanceof RunDeadlineError)) return 'lost';
    log.warn({ integrationId: claim.id, deadlineMs: reason.deadlineMs }, 'collection run abandoned at its deadline');
    return recorder.failure(claim, { kind: 'transient', code: reason.name, message: reason.message }, clock.now(), meta);
  }

  async function run(claim: ClaimedRun, abort: AbortController): Promise<RunOutcome> {
    const heartbeat = setInterval(() => {
      queries.heartbeat(claim.id, claim.leaseToken, clock.now(), leaseMs).then(
        (held) => {
          if (!held) abort.abort(new Error('lease lost'));
        },
        (err) => log.warn({ err, integrationId: claim.id }, 'lease heartbeat failed'),
      );
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    const disarm = armDeadline(abort, runDeadlineMs);
    const meta: RunMeta = { startedMs: clock.now(), awsCalls: {} };
    try {
      const cursors = await queries.cursors(claim.id);
      const collectOnce = async () => {
        const { accountId, credentials: provider, aws } = access.forIntegration({ id: claim.id, roleArn: claim.roleArn, externalId: claim.externalId });
        try {
          return await untilAborted(
            collect(collectors, claim, { aws, credentials: provider, cursors, now: clock.now(), signal: abort.signal }, accountId),
            abort.signal,
          );
        } finally {
          // A retried run reports the AWS calls of both attempts.
          for (const [api, n] of Object.entries(aws.calls())) meta.awsCalls[api] = (meta.awsCalls[api] ?? 0) + n;
          aws.destroy();
        }
      };
      let result: CollectResult | undefined;
      try {
        // A stale session (expired token, skewed signature), failing the run or some of its parts, is not a
        // rejected role: drop the cached credentials, assume the role again and retry once.
        let stale: string | undefined;
        try {
          result = await collectOnce();
          stale = result.partialErrors.find(isSessionError)?.code;
        } catch (err) {
          if (abort.signal.aborted || !isSessionError(err)) throw err;
          stale = (err as Error).name;
        }
        if (stale || result === undefined) {
          log.warn({ integrationId: claim.id, code: stale }, 'stale AWS session: assuming the role again');
          credentials.drop(claim.id);
          result = await collectOnce();
        }
      } catch (err) {
        if (abort.signal.aborted) return await abandoned(claim, abort.signal, meta);
        // What escapes a collector concerns the whole account: AccessDenied here means the role itself fails.
        const classified = classifyAwsError(err, { assumeRole: true });
        logFailedRun(log, claim, classified, err);
        if (classified.kind === 'credentials' || classified.kind === 'denied') {
          credentials.drop(claim.id);
          return await recorder.credentialFailure(claim, classified, clock.now(), meta);
        }
        return await recorder.failure(claim, classified, clock.now(), meta);
      }
      if (abort.signal.aborted) return await abandoned(claim, abort.signal, meta);
      const stored = await recorder.success(claim, result, clock.now(), meta);
      metrics.points.inc(stored.points);
      metrics.series.inc(stored.series);
      metrics.events.inc(stored.events);
      return stored.outcome;
    } finally {
      disarm();
      clearInterval(heartbeat);
    }
  }

  function launch(claim: ClaimedRun) {
    const abort = new AbortController();
    const started = performance.now();
    metrics.lag.observe(Math.max(0, clock.now() - claim.dueMs) / 1000);
    if (claim.tookOverFrom && claim.tookOverFrom !== owner) metrics.takenOver.inc();
    metrics.inFlight.inc();
    const promise = run(claim, abort)
      .catch((err) => {
        log.error({ err, integrationId: claim.id }, 'recording a collection failed');
        return 'error' as RunOutcome;
      })
      .then((outcome) => {
        const seconds = (performance.now() - started) / 1000;
        metrics.runs.inc({ service: claim.service, outcome });
        metrics.runDuration.observe({ service: claim.service }, seconds);
        log.info({ integrationId: claim.id, service: claim.service, outcome, ms: Math.round(seconds * 1000) }, 'collection finished');
      })
      .finally(() => {
        metrics.inFlight.dec();
        running.delete(claim.id);
        if (!stopping) setImmediate(() => void tick());
      });
    running.set(claim.id, { promise, abort });
  }

  async function claimRound(): Promise<number> {
    try {
      if (clock.now() - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = clock.now();
        credentials.sweep(CREDENTIALS_IDLE_MS);
      }
      const room = concurrency - running.size;
      if (room <= 0) return 0;
      const claims = await queries.claimDue(owner, room, clock.now(), leaseMs, affinityMs);
      for (const claim of claims) launch(claim);
      return claims.length;
    } catch (err) {
      log.error({ err }, 'claiming due integrations failed');
      return 0;
    }
  }

  /** Claims as many due integrations as there is room for and starts them; returns how many. */
  function tick(): Promise<number> {
    if (stopping) return Promise.resolve(0);
    // Cleared in a promise reaction, i.e. always after the assignment: a round that ends synchronously (no room)
    // must not leave a settled promise behind, which would turn every later tick into a no-op.
    ticking ??= claimRound().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  return {
    owner,
    start() {
      stopping = false;
      timer = setInterval(() => void tick(), deps.pollMs);
      timer.unref();
      void tick();
    },

    /** Claims and runs until nothing is due and nothing runs (tests, the demo). */
    async runDue(): Promise<void> {
      for (;;) {
        const started = await tick();
        if (running.size === 0 && started === 0) return;
        await Promise.race([...running.values()].map((r) => r.promise));
      }
    },

    get inFlight() {
      return running.size;
    },

    /**
     * Graceful stop: claim nothing more, let runs finish within `graceMs`, then abort the rest and hand their
     * leases back so another replica takes them at once (an aborted run writes nothing).
     */
    async stop(graceMs: number): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      await ticking;
      const all = Promise.all([...running.values()].map((r) => r.promise));
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((resolve) => (timeout = setTimeout(resolve, graceMs)))]);
      clearTimeout(timeout);
      if (running.size > 0) {
        const ids = [...running.keys()];
        for (const r of running.values()) r.abort.abort(new Error('shutting down'));
        const released = await queries.release(owner, ids);
        log.warn({ released }, 'handed back unfinished collections');
        await all;
      }
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

/** Runs the claim's service's collector on its configuration. */
function collect(collectors: Collectors, claim: ClaimedRun, run: Omit<CollectInput<AwsService>, 'target'>, accountId: string): Promise<CollectResult> {
  const target = {
    id: claim.id,
    customerId: claim.customerId,
    additionalTags: claim.additionalTags,
    roleArn: claim.roleArn,
    externalId: claim.externalId,
    accountId,
  };
  switch (claim.service) {
    case 'CLOUDWATCH':
      return collectors.CLOUDWATCH({ ...run, target: { ...target, service: claim.service, config: claim.config } });
    case 'CLOUDTRAIL':
      return collectors.CLOUDTRAIL({ ...run, target: { ...target, service: claim.service, config: claim.config } });
    case 'EC2':
      return collectors.EC2({ ...run, target: { ...target, service: claim.service, config: claim.config } });
  }
}
