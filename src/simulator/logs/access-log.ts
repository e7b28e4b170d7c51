import { fnv1a, mix32 } from '../ids.ts';

/**
 * API Gateway access-log lines, generated deterministically: line `i` of a traffic spec is a pure function of
 * (spec, seed, i), so the store keeps only a row per line and renders the message when it is read, and the
 * exact totals (requests, status classes, bytes, latencies) come from the same draws.
 */
export type AccessLogFormat = 'akto' | 'recommended' | 'clf';
export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = ['akto', 'recommended', 'clf'];

export interface AccessLogEndpoint {
  method: string;
  /** Path template, e.g. `/pets/{petId}` (REST resourcePath; HTTP route key path). */
  path: string;
  /** Relative share of the traffic (default 1). */
  weight?: number;
}

export interface AccessLogStatus {
  status: number;
  weight: number;
}

export interface AccessLogTrafficSpec {
  apiId: string;
  stage: string;
  /** REST (default) logs `resourcePath` and `routeKey` as `-`; HTTP logs `routeKey` and `resourcePath` as `-`. */
  apiType?: 'REST' | 'HTTP';
  endpoints: AccessLogEndpoint[];
  format: AccessLogFormat;
  /** Event time range [startTime, endTime) in epoch ms; lines are spread evenly over it. */
  startTime: number;
  endTime: number;
  /** Lines per second over the range, or an exact `count`. */
  ratePerSecond?: number;
  count?: number;
  seed?: number;
  /** Status mix (default 200×90, 404×6, 500×4). */
  statuses?: AccessLogStatus[];
  /** Response latency, log-uniform in [min, max] ms (default 5..800). */
  latencyMs?: { min: number; max: number };
  /** responseLength, uniform in [min, max] bytes (default 50..5000). */
  responseBytes?: { min: number; max: number };
  /** API key ids drawn per line (recommended format's `apiKeyId`; none: `-`). */
  apiKeyIds?: string[];
}

/** One line's drawn values. */
export interface AccessLogDraw {
  timestamp: number;
  endpoint: number;
  status: number;
  latencyMs: number;
  integrationLatencyMs: number;
  bytes: number;
  apiKey: number;
}

export interface AccessLogCounts {
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  bytes: number;
  latencySumMs: number;
}

export interface AccessLogTotals extends AccessLogCounts {
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
  /** Nearest-rank percentiles of responseLatency over every line (null when there are none). */
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  latencyP99Ms: number | null;
  /** Keyed by `"<METHOD> <path template>"`. */
  byEndpoint: Record<string, AccessLogCounts>;
  byStatus: Record<string, number>;
  /** Keyed by API key id (`-` for none). */
  byApiKey: Record<string, number>;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
}

const DEFAULT_STATUSES: AccessLogStatus[] = [
  { status: 200, weight: 90 },
  { status: 404, weight: 6 },
  { status: 500, weight: 4 },
];
/** The most lines one spec may generate (the store keeps a row per line). */
export const MAX_GENERATED_LINES = 5_000_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const unit = (h: number): number => h / 4294967296;
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex8 = (h: number): string => HEX[h >>> 24] + HEX[(h >>> 16) & 255] + HEX[(h >>> 8) & 255] + HEX[h & 255];

/** An endpoint's fields as they appear in lines, JSON-escaped once. */
interface EndpointPieces {
  method: string;
  resourcePath: string;
  routeKey: string;
  clfRequest: string;
  /** The template's literal parts around its `{parameters}`. */
  pathParts: string[];
}

/** `$context.requestTime`: `dd/MMM/yyyy:HH:mm:ss +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

function cumulative(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  return out;
}

function pick(cum: Float64Array, u: number): number {
  const target = u * cum[cum.length - 1];
  for (let i = 0; i < cum.length; i++) if (target < cum[i]) return i;
  return cum.length - 1;
}

/** A validated spec with its draw tables. */
export class AccessLogTraffic {
  readonly count: number;
  readonly endpoints: AccessLogEndpoint[];
  readonly statuses: AccessLogStatus[];
  private readonly endpointCum: Float64Array;
  private readonly statusCum: Float64Array;
  private readonly seed: number;
  private readonly latMin: number;
  private readonly latMax: number;
  private readonly bytesMin: number;
  private readonly bytesMax: number;
  private readonly apiType: 'REST' | 'HTTP';
  private readonly pieces: EndpointPieces[];
  private readonly apiIdJson: string;
  private readonly stageJson: string;
  private readonly apiKeyJson: string[];
  private cachedSecond = NaN;
  private cachedTime = '';

  constructor(readonly spec: AccessLogTrafficSpec) {
    if (!spec.apiId || !spec.stage) throw new Error('apiId and stage are required');
    if (!ACCESS_LOG_FORMATS.includes(spec.format)) throw new Error(`format must be one of ${ACCESS_LOG_FORMATS.join(', ')}`);
    if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) throw new Error('at least one endpoint is required');
    for (const e of spec.endpoints) {
      if (!e || typeof e.method !== 'string' || typeof e.path !== 'string' || !e.path.startsWith('/')) throw new Error('each endpoint needs a method and a path starting with /');
      if (e.weight !== undefined && !(e.weight >= 0)) throw new Error('endpoint weights must be >= 0');
    }
    if (!(Number.isFinite(spec.startTime) && Number.isFinite(spec.endTime) && spec.startTime < spec.endTime)) throw new Error('startTime must be before endTime');
    const count = spec.count ?? Math.floor(((spec.ratePerSecond ?? 0) * (spec.endTime - spec.startTime)) / 1000);
    if (!(Number.isInteger(count) && count >= 0 && count <= MAX_GENERATED_LINES)) throw new Error(`count must be an integer within 0..${MAX_GENERATED_LINES}`);
    this.count = count;
    this.endpoints = spec.endpoints.map((e) => ({ ...e, method: e.method.toUpperCase() }));
    this.statuses = spec.statuses ?? DEFAULT_STATUSES;
    if (this.statuses.length === 0 || this.statuses.some((s) => !(Number.isInteger(s.status) && s.status >= 100 && s.status <= 599 && s.weight >= 0))) {
      throw new Error('statuses need integer status codes 100..599 and weights >= 0');
    }
    this.endpointCum = cumulative(this.endpoints.map((e) => e.weight ?? 1));
    this.statusCum = cumulative(this.statuses.map((s) => s.weight));
    if (this.endpointCum[this.endpointCum.length - 1] <= 0 || this.statusCum[this.statusCum.length - 1] <= 0) throw new Error('weights must not all be 0');
    this.latMin = Math.max(1, Math.round(spec.latencyMs?.min ?? 5));
    this.latMax = Math.max(this.latMin, Math.round(spec.latencyMs?.max ?? 800));
    this.bytesMin = Math.max(0, Math.round(spec.responseBytes?.min ?? 50));
    this.bytesMax = Math.max(this.bytesMin, Math.round(spec.responseBytes?.max ?? 5000));
    this.apiType = spec.apiType ?? 'REST';
    this.seed = mix32(spec.seed ?? 1, fnv1a(`${spec.apiId}/${spec.stage}/${spec.format}`));
    const rest = this.apiType === 'REST';
    this.pieces = this.endpoints.map((e) => ({
      method: JSON.stringify(e.method),
      resourcePath: JSON.stringify(rest ? e.path : '-'),
      routeKey: JSON.stringify(rest ? '-' : `${e.method} ${e.path}`),
      clfRequest: rest ? `${e.method} ${e.path}` : `${e.method} ${e.method} ${e.path}`,
      pathParts: e.path.split(/\{[^}]+\}/),
    }));
    this.apiIdJson = JSON.stringify(spec.apiId);
    this.stageJson = JSON.stringify(spec.stage);
    this.apiKeyJson = (spec.apiKeyIds ?? []).map((k) => JSON.stringify(String(k)));
  }

  private h(i: number, k: number): number {
    return mix32(this.seed, i * 16 + k);
  }

  timestampOf(i: number): number {
    const { startTime, endTime } = this.spec;
    return startTime + Math.floor((i * (endTime - startTime)) / Math.max(1, this.count));
  }

  draw(i: number): AccessLogDraw {
    const latencyMs = Math.round(this.latMin * Math.pow(this.latMax / this.latMin, unit(this.h(i, 2))));
    const keys = this.spec.apiKeyIds ?? [];
    return {
      timestamp: this.timestampOf(i),
      endpoint: pick(this.endpointCum, unit(this.h(i, 0))),
      status: this.statuses[pick(this.statusCum, unit(this.h(i, 1)))].status,
      latencyMs,
      integrationLatencyMs: Math.max(0, latencyMs - 1 - (this.h(i, 3) % Math.min(10, latencyMs))),
      bytes: this.bytesMin + (this.h(i, 4) % (this.bytesMax - this.bytesMin + 1)),
      apiKey: keys.length === 0 ? -1 : this.h(i, 5) % keys.length,
    };
  }

  /** The line's message in the spec's format. Built from pre-escaped pieces: reads render every line they return. */
  render(i: number): string {
    const d = this.draw(i);
    const e = this.pieces[d.endpoint];
    const h7 = hex8(this.h(i, 7));
    const h8 = hex8(this.h(i, 8));
    const requestId = `${hex8(this.h(i, 6))}-${h7.slice(0, 4)}-${h7.slice(4)}-${h8.slice(0, 4)}-${h8.slice(4)}${hex8(this.h(i, 9))}`;
    const hip = this.h(i, 10);
    const ip = `10.${hip & 255}.${(hip >>> 8) & 255}.${(hip >>> 16) & 255}`;
    const format = this.spec.format;
    if (format === 'clf') {
      // API Gateway's CLF presets: `sourceIp caller user [requestTime] "httpMethod resourcePath protocol" status
      // responseLength requestId`; the HTTP API preset has routeKey (`GET /pets`) where REST has resourcePath.
      return `${ip} - - [${this.requestTime(d.timestamp)}] "${e.clfRequest} HTTP/1.1" ${d.status} ${d.bytes} ${requestId}`;
    }
    if (format === 'akto') {
      const extendedRequestId = Buffer.from(hex8(this.h(i, 11)) + hex8(this.h(i, 12)), 'hex').toString('base64');
      return (
        `{"requestId":"${requestId}","extendedRequestId":"${extendedRequestId}","ip":"${ip}","caller":"-","user":"-",` +
        `"requestTime":"${this.requestTime(d.timestamp)}","httpMethod":${e.method},"resourcePath":${e.resourcePath},` +
        `"status":"${d.status}","protocol":"HTTP/1.1","responseLength":"${d.bytes}"}`
      );
    }
    return (
      `{"requestId":"${requestId}","apiId":${this.apiIdJson},"stage":${this.stageJson},"httpMethod":${e.method},` +
      `"resourcePath":${e.resourcePath},"routeKey":${e.routeKey},"path":${JSON.stringify(this.actualPath(e.pathParts, i))},` +
      `"status":"${d.status}","responseLatency":"${d.latencyMs}","integrationLatency":"${d.integrationLatencyMs}",` +
      `"responseLength":"${d.bytes}","requestTimeEpoch":"${d.timestamp}","ip":"${ip}","apiKeyId":${d.apiKey < 0 ? '"-"' : this.apiKeyJson[d.apiKey]}}`
    );
  }

  /** `$context.requestTime`, cached per second (reads render lines in time order). */
  private requestTime(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.cachedSecond) {
      this.cachedSecond = second;
      this.cachedTime = clfTime(ms);
    }
    return this.cachedTime;
  }

  /** `$context.path`: the template with its parameters filled in, after `/<stage>` (not for `$default`). */
  private actualPath(parts: string[], i: number): string {
    let out = this.spec.stage === '$default' ? '' : `/${this.spec.stage}`;
    for (let k = 0; k < parts.length; k++) {
      if (k > 0) out += String(1 + (this.h(i, 13 + ((k - 1) % 3)) % 99_999));
      out += parts[k];
    }
    return out;
  }

  /** Exact totals over every line (or only lines whose index passes `include`). */
  totals(include?: (i: number) => boolean): AccessLogTotals {
    const t: AccessLogTotals = {
      ...emptyCounts(),
      latencyMinMs: null,
      latencyMaxMs: null,
      latencyP50Ms: null,
      latencyP90Ms: null,
      latencyP99Ms: null,
      byEndpoint: {},
      byStatus: {},
      byApiKey: {},
      firstTimestamp: null,
      lastTimestamp: null,
    };
    const latencies = new Uint32Array(this.count);
    const endpointCounts = this.endpoints.map(() => emptyCounts());
    const keys = this.spec.apiKeyIds ?? [];
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      if (include && !include(i)) continue;
      const d = this.draw(i);
      latencies[n++] = d.latencyMs;
      add(t, d);
      add(endpointCounts[d.endpoint], d);
      t.byStatus[d.status] = (t.byStatus[d.status] ?? 0) + 1;
      const key = d.apiKey < 0 ? '-' : keys[d.apiKey];
      t.byApiKey[key] = (t.byApiKey[key] ?? 0) + 1;
      if (t.firstTimestamp === null) t.firstTimestamp = d.timestamp;
      t.lastTimestamp = d.timestamp;
    }
    this.endpoints.forEach((e, k) => {
      if (endpointCounts[k].requests > 0) t.byEndpoint[`${e.method} ${e.path}`] = mergeCounts(t.byEndpoint[`${e.method} ${e.path}`], endpointCounts[k]);
    });
    if (n > 0) {
      const sorted = latencies.subarray(0, n).sort();
      const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * n) - 1)];
      t.latencyMinMs = sorted[0];
      t.latencyMaxMs = sorted[n - 1];
      t.latencyP50Ms = rank(50);
      t.latencyP90Ms = rank(90);
      t.latencyP99Ms = rank(99);
    }
    return t;
  }
}

const emptyCounts = (): AccessLogCounts => ({ requests: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0, bytes: 0, latencySumMs: 0 });

function add(c: AccessLogCounts, d: AccessLogDraw): void {
  c.requests++;
  if (d.status >= 200 && d.status < 300) c.status2xx++;
  else if (d.status >= 300 && d.status < 400) c.status3xx++;
  else if (d.status >= 400 && d.status < 500) c.status4xx++;
  else if (d.status >= 500) c.status5xx++;
  c.bytes += d.bytes;
  c.latencySumMs += d.latencyMs;
}

function mergeCounts(a: AccessLogCounts | undefined, b: AccessLogCounts): AccessLogCounts {
  if (!a) return b;
  return {
    requests: a.requests + b.requests,
    status2xx: a.status2xx + b.status2xx,
    status3xx: a.status3xx + b.status3xx,
    status4xx: a.status4xx + b.status4xx,
    status5xx: a.status5xx + b.status5xx,
    bytes: a.bytes + b.bytes,
    latencySumMs: a.latencySumMs + b.latencySumMs,
  };
}
