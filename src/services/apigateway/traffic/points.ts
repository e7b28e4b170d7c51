import type { PointToWrite } from '../../../db/queries/points.ts';
import { mergeInto, percentile, type Histogram } from './histogram.ts';

/** What a point's tags say about its endpoint (SPEC-apigateway §5). */
export interface EndpointLabels {
  accountId: string;
  region: string;
  /** AWS's id of the API. */
  awsApiId: string;
  apiName: string;
  stage: string;
  method: string;
  path: string;
  connectionId: string;
  additionalTags: Record<string, string> | null;
}

export interface MinuteRow {
  endpointId: number;
  minuteMs: number;
  status: number;
  requests: number;
  bytes: number;
  latency: number[];
}

/**
 * The points of endpoint minutes for /api/v2/chart/raw: `aws.apigateway.access.{requests,status4xx,status5xx,
 * bytes,latency.p50,latency.p99}` per endpoint and minute, source the API name. `rows` are every stored row of
 * each minute (all statuses and API keys), so the values are the minute's totals: a later read that adds to a
 * minute rewrites its points with the new totals.
 */
export function minutePoints(rows: readonly MinuteRow[], labels: ReadonlyMap<number, EndpointLabels>): PointToWrite[] {
  const minutes = new Map<string, { endpointId: number; ts: number; requests: number; s4: number; s5: number; bytes: number; latency: Histogram | [] }>();
  for (const r of rows) {
    const k = `${r.endpointId} ${r.minuteMs}`;
    let m = minutes.get(k);
    if (!m) minutes.set(k, (m = { endpointId: r.endpointId, ts: r.minuteMs, requests: 0, s4: 0, s5: 0, bytes: 0, latency: [] }));
    m.requests += r.requests;
    m.bytes += r.bytes;
    if (r.status >= 400 && r.status < 500) m.s4 += r.requests;
    else if (r.status >= 500) m.s5 += r.requests;
    mergeInto(m.latency, r.latency);
  }
  const tagsOf = new Map<number, Record<string, string>>();
  const out: PointToWrite[] = [];
  for (const m of minutes.values()) {
    const l = labels.get(m.endpointId);
    if (!l) continue;
    let tags = tagsOf.get(m.endpointId);
    if (!tags) {
      tags = { ...(l.additionalTags ?? {}), accountId: l.accountId, Region: l.region, apiId: l.awsApiId, apiName: l.apiName, stage: l.stage, method: l.method, path: l.path, connectionId: l.connectionId };
      tagsOf.set(m.endpointId, tags);
    }
    const point = (metric: string, value: number) => out.push({ metric: `aws.apigateway.access.${metric}`, source: l.apiName, tags: tags!, ts: m.ts, value });
    point('requests', m.requests);
    point('status4xx', m.s4);
    point('status5xx', m.s5);
    point('bytes', m.bytes);
    const p50 = percentile(m.latency, 50);
    const p99 = percentile(m.latency, 99);
    if (p50 !== null) point('latency.p50', p50);
    if (p99 !== null) point('latency.p99', p99);
  }
  return out;
}
