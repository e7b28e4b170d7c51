import type { Db } from '../../db/client.ts';
import { deletePointsOlderThan, readRaw, type RawSeries } from '../../db/queries/points.ts';
import { badRequest } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { globToLike, isGlob } from '../../lib/glob.ts';
import type { Principal } from './tokens.ts';
import { isStorableText } from '../../lib/text.ts';
import type { RawQueryType } from '../../schemas/points.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The query of GET /api/v2/chart/raw (Wavefront's QueryApi.query_raw). */
type RawQueryInput = RawQueryType;

export interface PointsServiceOptions {
  db: Db;
  clock: Clock;
  /** Points older than this are deleted by purge() (SKYPORT_POINTS_RETENTION). */
  retentionMs: number;
  /** Longest window a raw query may ask for (default 31 days). */
  maxWindowMs?: number;
  /** A raw query matching more series than this is refused (default 1,000). */
  maxSeries?: number;
  /** A raw query returning more points than this is refused (default 500,000). */
  maxPoints?: number;
  /** Rows per retention delete statement (default 10,000). */
  purgeBatchSize?: number;
}

function checkText(field: string, value: string) {
  if (!isStorableText(value)) throw badRequest(`${field} contains a NUL character or broken Unicode`);
}

export function createPointsService(deps: PointsServiceOptions) {
  const { db, clock, retentionMs } = deps;
  const maxWindowMs = deps.maxWindowMs ?? 31 * DAY;
  const maxSeries = deps.maxSeries ?? 1_000;
  const maxPoints = deps.maxPoints ?? 500_000;
  const purgeBatchSize = deps.purgeBatchSize ?? 10_000;

  return {
    /**
     * The caller's points of one metric (and optionally one source) in [startTime, endTime], one element per
     * series. Defaults: endTime = now, startTime = endTime − 1 hour (as Wavefront documents it).
     */
    async queryRaw(principal: Principal, query: RawQueryInput): Promise<RawSeries[]> {
      const source = query.source || undefined;
      const host = query.host || undefined;
      if (source !== undefined && host !== undefined && source !== host) {
        throw badRequest(`source ("${source}") and host ("${host}") name the same filter; give only one of them`);
      }
      const wanted = source ?? host;
      checkText('metric', query.metric);
      if (wanted !== undefined) checkText(source !== undefined ? 'source' : 'host', wanted);

      const endMs = query.endTime ?? clock.now();
      const startMs = query.startTime ?? endMs - HOUR;
      if (endMs < startMs) {
        throw badRequest(`endTime (${endMs}) is before startTime (${startMs}); endTime must be at or after startTime`);
      }
      if (endMs - startMs > maxWindowMs) {
        throw badRequest(
          `the window from startTime to endTime spans ${((endMs - startMs) / DAY).toFixed(1)} days; at most ${+(maxWindowMs / DAY).toFixed(3)} days may be asked for at once`,
        );
      }

      // One more than allowed of each, to tell "exactly at the limit" from "over it".
      const series = await readRaw(db, {
        customerId: principal.customerId,
        metric: query.metric,
        ...(isGlob(query.metric) ? { metricLike: globToLike(query.metric) } : {}),
        source: wanted,
        startMs,
        endMs,
        limitSeries: maxSeries + 1,
        limitPoints: maxPoints + 1,
      });
      if (series.length > maxSeries) {
        throw badRequest(`more than ${maxSeries} series of ${query.metric} have points in this window; give a source (or host) or a shorter window`);
      }
      if (series.reduce((n, s) => n + s.points.length, 0) > maxPoints) {
        throw badRequest(`the query matches more than ${maxPoints} points; give a source (or host) or a shorter window`);
      }
      return series;
    },

    /** Retention: deletes points older than the retention period and series left without points. */
    async purge(): Promise<{ points: number; series: number }> {
      return deletePointsOlderThan(db, clock.now() - retentionMs, purgeBatchSize);
    },
  };
}

export type PointsService = ReturnType<typeof createPointsService>;
