// The fault suite's API Gateway side: a customer account in the simulator with REST APIs whose stages write
// access logs, a ROLE connection made through Skyport's API, a writer of new lines with exact totals, and the
// checks that Skyport's traffic counts equal what was written.
import type pg from 'pg';
import { RECOMMENDED_ACCESS_LOG_FORMAT } from '../../src/services/apigateway/policy.ts';
import type { Simulator } from '../../src/simulator/simulator.ts';
import { api, sleep, type Replica } from './cluster.ts';

const REGION = 'us-east-1';
const MINUTE = 60_000;
const ENDPOINTS = [
  { method: 'GET', path: '/pets/{petId}', weight: 3 },
  { method: 'GET', path: '/pets' },
  { method: 'POST', path: '/orders' },
];
/** 200, 201, 404, 429, 500 and 503: every status class the totals have. */
const STATUSES = [
  { status: 200, weight: 80 },
  { status: 201, weight: 5 },
  { status: 404, weight: 6 },
  { status: 429, weight: 3 },
  { status: 500, weight: 4 },
  { status: 503, weight: 2 },
];

/** Exact counts of written lines, as the traffic API's totals name them. */
export interface Counts {
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  bytes: number;
}
const zero = (): Counts => ({ requests: 0, status2xx: 0, status4xx: 0, status5xx: 0, bytes: 0 });
const FIELDS = ['requests', 'status2xx', 'status4xx', 'status5xx', 'bytes'] as const;

/** One stage that logs to its own log group: what was written to it so far. */
interface StageLog {
  api: string;
  awsApiId: string;
  stage: string;
  logGroup: string;
  written: Counts;
  byStatus: Record<string, number>;
}

export interface GatewayWorld {
  accountId: string;
  stages: StageLog[];
  connectionId: string;
  /** Newest event time written (every line is visible to FilterLogEvents at once). */
  newestLineMs: number;
  /** Writes `count` lines to every stage with event times in [startTime, endTime). */
  write(startTime: number, endTime: number, count: number): void;
  totalWritten(): number;
}

/**
 * An account `accountId` with two REST APIs (`<prefix>shop` with stages prod and beta, `<prefix>orders` with prod),
 * each stage logging in the recommended format to its own log group, `backlog` lines per stage over
 * [now − 30 min, now − 8 min) (older than the 5-minute overlap of every later window), and a ROLE connection
 * (traffic on, synced every minute) created through `r`'s API with the checks AWS answers (no forceSave).
 */
export async function gatewayWorld(r: Replica, sim: Simulator, skyportArn: string, opts: { accountId: string; prefix: string; backlog: number }): Promise<GatewayWorld> {
  const { accountId, prefix } = opts;
  sim.createAccount({ id: accountId, regions: [REGION] });
  const logArn = (group: string) => `arn:aws:logs:${REGION}:${accountId}:log-group:${group}`;
  const stages: StageLog[] = [];
  for (const [name, stageNames] of [[`${prefix}shop`, ['prod', 'beta']], [`${prefix}orders`, ['prod']]] as const) {
    const groups = stageNames.map((s) => `${name}-${s}`);
    const created = sim.apigateway.createRestApi({
      accountId,
      region: REGION,
      name,
      resources: [{ path: '/pets', methods: ['GET'] }, { path: '/pets/{petId}', methods: ['GET'] }, { path: '/orders', methods: ['POST'] }],
      stages: stageNames.map((s, i) => ({ name: s, accessLogSettings: { destinationArn: logArn(groups[i]), format: RECOMMENDED_ACCESS_LOG_FORMAT } })),
    });
    stageNames.forEach((s, i) => stages.push({ api: name, awsApiId: created.id, stage: s, logGroup: groups[i], written: zero(), byStatus: {} }));
  }
  let seed = 1;
  const world: GatewayWorld = {
    accountId,
    stages,
    connectionId: '',
    newestLineMs: 0,
    write(startTime, endTime, count) {
      for (const st of stages) {
        const res = sim.logs.writeAccessLogs({
          accountId,
          region: REGION,
          logGroupName: st.logGroup,
          apiId: st.awsApiId,
          stage: st.stage,
          endpoints: ENDPOINTS,
          statuses: STATUSES,
          format: 'recommended',
          startTime,
          endTime,
          count,
          streams: 2,
          seed: seed++,
        });
        const t = res.totals;
        for (const f of FIELDS) st.written[f] += t[f];
        for (const [s, n] of Object.entries(t.byStatus)) st.byStatus[s] = (st.byStatus[s] ?? 0) + n;
        if (t.lastTimestamp !== null) world.newestLineMs = Math.max(world.newestLineMs, t.lastTimestamp);
      }
    },
    totalWritten: () => stages.reduce((n, s) => n + s.written.requests, 0),
  };
  const now = sim.now();
  world.write(now - 30 * MINUTE, now - 8 * MINUTE, opts.backlog);

  const ext = await api(r, 'POST', '/api/v2/cloudintegration/awsExternalId');
  if (ext.status !== 200) throw new Error(`external ID: ${ext.status} ${ext.body}`);
  const externalId = JSON.parse(ext.body).response as string;
  const role = sim.createRole({ accountId, name: `${prefix}SkyportApiGateway`, trustedPrincipals: [skyportArn], externalId });
  const res = await api(r, 'POST', '/api/v2/apigatewayconnection', {
    name: `${prefix} fault connection`,
    credentials: { type: 'ROLE', roleArn: role.arn, externalId },
    regions: [REGION],
    traffic: { enabled: true },
    syncIntervalMins: 1,
  });
  if (res.status !== 200) throw new Error(`connection create failed: ${res.status} ${res.body}`);
  world.connectionId = JSON.parse(res.body).response.id as string;
  return world;
}

/**
 * New lines arriving: every `everyMs`, `perStage` lines per stage with event times 2 min 20 s to 2 min 10 s ago
 * (just older than the 2-minute settle time, so the next window or its overlap reads them).
 */
export function lineWriter(w: GatewayWorld, sim: Simulator, perStage: number, everyMs = 1_000) {
  let stopped = false;
  let batches = 0;
  const loop = (async () => {
    while (!stopped) {
      const now = sim.now();
      w.write(now - 140_000, now - 130_000, perStage);
      batches++;
      await sleep(everyMs);
    }
  })();
  return {
    batches: () => batches,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Makes the connection due every `everyMs` while no sync holds it: a sync every few seconds instead of every minute. */
export function driveSyncs(pool: pg.Pool, connectionId: string, everyMs = 2_000) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await pool.query(`UPDATE apigateway_connections SET next_run_at = now() WHERE id = $1 AND lease_owner IS NULL AND next_run_at > now()`, [connectionId]).catch(() => {});
      await sleep(everyMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

export interface ConnectionRow {
  leaseOwner: string | null;
  lastProcessorId: string | null;
  lastSyncMs: number | null;
  disabled: boolean;
  lastError: string | null;
}

export async function connectionRow(pool: pg.Pool, id: string): Promise<ConnectionRow | undefined> {
  const r = await pool.query(
    `SELECT lease_owner, last_processor_id, last_sync_ms, disabled, last_error FROM apigateway_connections WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  return row && { leaseOwner: row.lease_owner, lastProcessorId: row.last_processor_id, lastSyncMs: row.last_sync_ms === null ? null : Number(row.last_sync_ms), disabled: row.disabled, lastError: row.last_error };
}

/** Waits (at most `withinMs`) until no sync holds the connection's lease; false if one still does. */
export async function leaseFree(pool: pg.Pool, id: string, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if ((await connectionRow(pool, id).catch(() => undefined))?.leaseOwner === null) return true;
    await sleep(250);
  }
  return false;
}

/** The connection's sync runs by status (none may be `RUNNING` once the syncs ended: the next sync ends a stopped replica's). */
export async function runStatuses(pool: pg.Pool, id: string): Promise<Record<string, number>> {
  const r = await pool.query(`SELECT status, count(*)::int AS n FROM apigateway_sync_runs WHERE connection_id = $1 GROUP BY status ORDER BY status`, [id]);
  return Object.fromEntries(r.rows.map((x) => [x.status as string, x.n as number]));
}

/** The traffic cursors of the connection (window ends) by log group. */
export async function cursors(pool: pg.Pool, id: string): Promise<Map<string, number>> {
  const r = await pool.query(`SELECT log_group, position_ms FROM apigateway_traffic_cursors WHERE connection_id = $1`, [id]);
  return new Map(r.rows.map((x) => [x.log_group as string, Number(x.position_ms)]));
}

/**
 * Waits (at most `withinMs`) until every log group's cursor is past the newest line written and `moreSyncs`
 * further syncs have ended since (each re-reads the 5-minute overlap, where a double count would show).
 */
export async function settle(pool: pg.Pool, w: GatewayWorld, withinMs: number, moreSyncs = 2): Promise<{ ok: boolean; ms: number; why: string }> {
  const started = Date.now();
  let passedAt: number | undefined;
  let lastSync: number | null = null;
  let syncsAfter = 0;
  let why = '';
  while (Date.now() - started < withinMs) {
    const c = await cursors(pool, w.connectionId).catch(() => new Map<string, number>());
    const row = await connectionRow(pool, w.connectionId).catch(() => undefined);
    const behind = w.stages.filter((s) => (c.get(s.logGroup) ?? 0) < w.newestLineMs);
    why = behind.length > 0 ? `cursors of ${behind.map((s) => s.logGroup).join(', ')} not past the newest line` : `${syncsAfter} of ${moreSyncs} syncs after the cursors passed it`;
    if (behind.length === 0 && passedAt === undefined) {
      passedAt = Date.now();
      lastSync = row?.lastSyncMs ?? null;
    } else if (passedAt !== undefined && row && row.lastSyncMs !== null && row.lastSyncMs !== lastSync && row.leaseOwner === null) {
      lastSync = row.lastSyncMs;
      syncsAfter++;
      if (syncsAfter >= moreSyncs) return { ok: true, ms: Date.now() - started, why: '' };
    }
    await sleep(250);
  }
  return { ok: false, ms: Date.now() - started, why };
}

/**
 * Skyport's counts against the written ones: per API and per stage (traffic API totals), and the points
 * (`aws.apigateway.access.requests` summed per stage). Each difference is a failure.
 */
export async function compareTotals(r: Replica, w: GatewayWorld, fromMs: number, toMs: number): Promise<{ written: number; counted: number; doubleCounted: number; lost: number; pointsRequests: number; failures: string[] }> {
  const failures: string[] = [];
  let counted = 0;
  let doubleCounted = 0;
  let lost = 0;
  const window = `startTime=${fromMs}&endTime=${toMs}`;
  const get = async (path: string) => {
    const res = await api(r, 'GET', path, undefined, 15_000);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body);
  };
  for (const name of new Set(w.stages.map((s) => s.api))) {
    const found = (await get(`/api/v2/apigatewayapi?name=${name}`)).response.items as Array<{ id: string }>;
    if (found.length !== 1) {
      failures.push(`API ${name}: ${found.length} in Skyport's inventory`);
      continue;
    }
    const id = found[0].id;
    const stages = w.stages.filter((s) => s.api === name);
    const expected = zero();
    for (const s of stages) for (const f of FIELDS) expected[f] += s.written[f];
    const totals = (await get(`/api/v2/apigatewayapi/${id}/traffic?${window}`)).response.totals as Counts;
    const diff = FIELDS.filter((f) => totals[f] !== expected[f]).map((f) => `${f} ${totals[f]} ≠ ${expected[f]} written`);
    if (diff.length > 0) failures.push(`API ${name}: ${diff.join(', ')}`);
    counted += totals.requests;
    for (const s of stages) {
      const res = (await get(`/api/v2/apigatewayapi/${id}/traffic?stage=${s.stage}&groupBy=status&${window}`)).response;
      const t = res.totals as Counts;
      const d = FIELDS.filter((f) => t[f] !== s.written[f]).map((f) => `${f} ${t[f]} ≠ ${s.written[f]}`);
      if (d.length > 0) failures.push(`${name}/${s.stage}: ${d.join(', ')}`);
      const byStatus = Object.fromEntries((res.rows as Array<{ status: number; requests: number }>).map((x) => [String(x.status), x.requests]));
      for (const st of new Set([...Object.keys(byStatus), ...Object.keys(s.byStatus)])) {
        const got = byStatus[st] ?? 0;
        const want = s.byStatus[st] ?? 0;
        if (got > want) doubleCounted += got - want;
        if (got < want) lost += want - got;
      }
    }
  }
  if (doubleCounted + lost > 0) failures.push(`per stage and status: ${doubleCounted} lines counted twice, ${lost} lost`);
  // The points written in the same transactions as the counters.
  const raw = await api(r, 'GET', `/api/v2/chart/raw?metric=aws.apigateway.access.requests&${window}`, undefined, 15_000);
  let pointsRequests = -1;
  if (raw.status !== 200) failures.push(`chart/raw: ${raw.status}`);
  else {
    const series = JSON.parse(raw.body) as Array<{ tags: Record<string, string>; points: Array<{ value: number }> }>;
    pointsRequests = series.filter((x) => x.tags.connectionId === w.connectionId).reduce((n, x) => n + x.points.reduce((m, p) => m + p.value, 0), 0);
    if (pointsRequests !== w.totalWritten()) failures.push(`points of aws.apigateway.access.requests sum to ${pointsRequests}, ${w.totalWritten()} lines written`);
  }
  return { written: w.totalWritten(), counted, doubleCounted, lost, pointsRequests, failures };
}
