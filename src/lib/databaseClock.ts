import { Gauge, type Registry } from 'prom-client';
import type { Clock } from './clock.ts';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Skew beyond this is logged as a warning at every measurement (NTP keeps healthy hosts within a few ms). */
export const SKEW_WARN_MS = 1_000;

/**
 * "Now" by the database's clock: this machine's clock plus the offset to PostgreSQL's, measured at start and
 * then every `everyMs` (half the query's round trip counted as transit). Collection windows, cursors and
 * leases are decided by this clock, so a replica whose own clock is wrong neither asks AWS for data that does
 * not exist yet (moving a cursor past it) nor takes over leases that have not lapsed: all replicas agree with
 * the one clock they share. A failed measurement keeps the last offset.
 */
export function createDatabaseClock(deps: { local: Clock; read: () => Promise<number>; log?: Logger; everyMs?: number }) {
  const { local, read, log } = deps;
  const everyMs = deps.everyMs ?? 30_000;
  let offsetMs = 0;
  let timer: NodeJS.Timeout | undefined;

  async function sync(): Promise<number> {
    const before = performance.now();
    const localAt = local.now();
    const dbMs = await read();
    const transit = (performance.now() - before) / 2;
    // Whole milliseconds: times are stored as bigint epoch ms.
    const measured = Math.round(dbMs - (localAt + transit));
    // Skew as logged and exposed: this replica's clock minus the database's.
    const skewMs = -measured;
    if (Math.abs(skewMs) > SKEW_WARN_MS) {
      log?.warn({ skewMs: Math.round(skewMs) }, 'this machine\'s clock differs from the database\'s; using the database\'s time for windows and leases');
    } else if (Math.abs(offsetMs - measured) > SKEW_WARN_MS) {
      log?.info({ skewMs: Math.round(skewMs) }, 'clock agrees with the database\'s again');
    }
    offsetMs = measured;
    return skewMs;
  }

  /** sync(), failing after `ms` if the database does not answer by then. */
  function syncWithin(ms: number): Promise<number> {
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`the database did not tell its time within ${ms} ms`)), ms);
    });
    return Promise.race([sync(), late]).finally(() => clearTimeout(timeout));
  }

  return {
    now: () => local.now() + offsetMs,
    sync,
    syncWithin,
    /** This machine's clock minus the database's, ms (positive: ahead). */
    get skewMs() {
      return -offsetMs;
    },
    start() {
      timer ??= setInterval(() => {
        syncWithin(5_000).catch((err: unknown) => log?.warn({ err }, 'measuring the database clock failed; keeping the last offset'));
      }, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    /** `skyport_clock_skew_seconds` on /metrics. */
    register(registry: Registry) {
      new Gauge({
        name: 'skyport_clock_skew_seconds',
        help: 'This replica\'s clock minus the database\'s (measured every 30 s); Skyport runs on the database\'s time',
        registers: [registry],
        collect() {
          this.set(-offsetMs / 1000);
        },
      });
    },
  } satisfies Clock & Record<string, unknown>;
}

export type DatabaseClock = ReturnType<typeof createDatabaseClock>;
