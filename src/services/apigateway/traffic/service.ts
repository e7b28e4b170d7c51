import { createHash } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { inventoryQueries } from '../../../db/queries/apiGatewayInventory.ts';
import { trafficQueries, type SummedRow } from '../../../db/queries/apiGatewayTraffic.ts';
import { badRequest, notFound } from '../../../errors.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { ApiGatewayTrafficRowView, ApiGatewayTrafficView, TrafficQueryType } from '../../../schemas/apiGatewayTraffic.ts';
import type { Principal } from '../../api/tokens.ts';
import { mergeInto, percentile, type Histogram } from './histogram.ts';
import { observedDocument } from './openapi.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest window one traffic query may ask for (as for raw points). */
const MAX_WINDOW_MS = 31 * DAY;

interface Sum {
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  bytes: number;
  latency: Histogram | [];
}

const emptySum = (): Sum => ({ requests: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0, bytes: 0, latency: [] });

function addRow(s: Sum, r: SummedRow) {
  s.requests += r.requests;
  s.bytes += r.bytes;
  if (r.status < 300) s.status2xx += r.requests;
  else if (r.status < 400) s.status3xx += r.requests;
  else if (r.status < 500) s.status4xx += r.requests;
  else s.status5xx += r.requests;
  if (r.buckets.length > 0) {
    const dense: number[] = [];
    r.buckets.forEach((b, i) => (dense[b - 1] = r.counts[i]));
    mergeInto(s.latency, Array.from(dense, (n) => n ?? 0));
  }
}

const view = (s: Sum) => {
  const { latency, ...counters } = s;
  return { ...counters, latencyP50Ms: percentile(latency, 50), latencyP90Ms: percentile(latency, 90), latencyP99Ms: percentile(latency, 99) };
};

/** Traffic statistics, the observed OpenAPI document, API-key usage and retention (SPEC-apigateway §5). */
export function createTrafficService(deps: { db: Db; clock: Clock; retentionMs: number; purgeBatchSize?: number }) {
  const { db, clock, retentionMs } = deps;
  const purgeBatchSize = deps.purgeBatchSize ?? 10_000;

  async function mustFind(p: Principal, id: string) {
    const api = await inventoryQueries.findApi(db, p.customerId, id);
    if (!api) throw notFound(`API Gateway API ${id} not found`);
    return api;
  }

  return {
    /** `GET /apigatewayapi/{id}/traffic`: rows per endpoint, status or API key over the window, and the totals. */
    async traffic(p: Principal, id: string, q: TrafficQueryType): Promise<ApiGatewayTrafficView> {
      const api = await mustFind(p, id);
      const endTime = q.endTime ?? clock.now();
      const startTime = q.startTime ?? endTime - HOUR;
      if (endTime < startTime) throw badRequest(`endTime (${endTime}) is before startTime (${startTime})`);
      if (endTime - startTime > MAX_WINDOW_MS) throw badRequest(`the window spans more than ${MAX_WINDOW_MS / DAY} days; ask for a shorter one`);
      const groupBy = q.groupBy as 'endpoint' | 'status' | 'apiKey';
      // Minutes are stored by their start: a window starting mid-minute includes that minute.
      const rows = await trafficQueries.summed(db, api.id, q.stage, startTime - (startTime % 60_000), endTime);
      const groups = new Map<string | number, Sum>();
      const totals = emptySum();
      for (const r of rows) {
        const key = groupBy === 'endpoint' ? `${r.method} ${r.path}` : groupBy === 'status' ? r.status : r.apiKeyId;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = emptySum()));
        addRow(g, r);
        addRow(totals, r);
      }
      const out: ApiGatewayTrafficRowView[] = [...groups].map(([key, s]) => ({
        ...(groupBy === 'endpoint' ? { endpoint: key as string } : groupBy === 'status' ? { status: key as number } : { apiKeyId: key === '' ? null : (key as string) }),
        ...view(s),
      }));
      out.sort((a, b) => b.requests - a.requests);
      return { startTime, endTime, groupBy, rows: out, totals: view(totals) };
    },

    /** `openapi?source=observed`: the document built from a stage's traffic, and its SHA-256 (the ETag); 404 when there was none. */
    async observedDocument(p: Principal, id: string, stage: string): Promise<{ sha256: string; body: string }> {
      const api = await mustFind(p, id);
      const endpoints = await trafficQueries.observed(db, api.id, stage);
      if (endpoints.length === 0) throw notFound(`no traffic was observed on stage ${stage} of API ${id}`);
      const body = JSON.stringify(observedDocument(api, stage, endpoints));
      return { sha256: createHash('sha256').update(body).digest('hex'), body };
    },

    /** Retention: deletes traffic minutes older than SKYPORT_TRAFFIC_RETENTION. */
    async purge(): Promise<number> {
      return trafficQueries.deleteMinutesOlderThan(db, clock.now() - retentionMs, purgeBatchSize);
    },
  };
}

export type TrafficService = ReturnType<typeof createTrafficService>;
