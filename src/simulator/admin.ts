import type { IncomingMessage } from 'node:http';
import { handleApiGatewayAdmin } from './apigateway/admin-http.ts';
import type { Account, Role } from './accounts.ts';
import type { Bucket } from './objects.ts';
import type { MetricSeries } from './metric-store.ts';
import type { SimResponse } from './request.ts';
import type { Simulator } from './simulator.ts';
import type { CallFilter } from './counters.ts';
import type { FaultInput } from './faults.ts';
import { handleLogsAdmin } from './logs/admin.ts';

/**
 * JSON admin API for other processes (demo, benchmarks): seed state, move the clock, inject faults, read and
 * reset counters. Every POST body is one JSON object, or an array of them for the create endpoints (the
 * answer is then an array). Errors: 400 {"error": "..."}; unknown route: 404.
 */
export const ADMIN_PREFIX = '/_simulator/';

type Json = Record<string, unknown>;

const ok = (value: unknown, status = 200): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

const fail = (status: number, message: string): SimResponse => ok({ error: message }, status);

export const accountJson = (a: Account): Json => ({ id: a.id, regions: a.regions, attributes: Object.fromEntries(a.attributes) });
export const roleJson = (r: Role): Json => ({ ...r });
const bucketJson = (b: Bucket): Json => ({ name: b.name, accountId: b.accountId, region: b.region, createdAt: b.createdAt, readers: [...b.readers], objects: b.objects.size });
const seriesJson = (s: MetricSeries): Json => ({
  accountId: s.accountId,
  region: s.region,
  namespace: s.namespace,
  metricName: s.metricName,
  dimensions: s.dimensions,
  generator: s.generator,
  points: s.samples.length,
});

/** Applies `fn` to one object or to each element of an array body. */
function each(body: unknown, fn: (item: Json) => unknown): unknown {
  if (Array.isArray(body)) return body.map((b) => fn(b as Json));
  return fn((body ?? {}) as Json);
}

function counterFilter(query: URLSearchParams): CallFilter {
  const filter: CallFilter = {};
  for (const key of ['service', 'api', 'accountId', 'principal', 'region'] as const) {
    const v = query.get(key);
    if (v !== null) (filter as Record<string, string>)[key] = v;
  }
  const error = query.get('error');
  if (error !== null) filter.error = error === 'true' ? true : error === 'false' ? false : error;
  return filter;
}

export async function handleAdmin(sim: Simulator, req: IncomingMessage, raw: Buffer): Promise<SimResponse> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const route = `${req.method ?? 'GET'} ${url.pathname.slice(ADMIN_PREFIX.length - 1)}`;
  let body: unknown;
  try {
    body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return fail(400, 'body is not JSON');
  }
  const b = (body ?? {}) as Json;
  try {
    const logsAnswer = handleLogsAdmin(sim.logs, route, body, url.searchParams);
    if (logsAnswer) return logsAnswer;
    switch (route) {
      case 'GET /health':
        return ok({ ok: true, url: sim.url, now: sim.now() });
      case 'GET /state':
        return ok({
          accounts: sim.state.iam.accounts.size,
          logGroups: sim.state.logs.size,
          users: sim.state.iam.users.size,
          roles: sim.state.iam.roles.size,
          accessKeys: sim.state.iam.keys.size,
          instances: sim.state.inventory.instances.size,
          volumes: sim.state.inventory.volumes.size,
          series: sim.state.metrics.size,
          buckets: sim.state.objects.buckets.size,
          apigateway: sim.state.apigateway.counts(),
        });

      case 'GET /accounts':
        return ok([...sim.state.iam.accounts.values()].map(accountJson));
      case 'POST /accounts':
        return ok(each(body, (i) => accountJson(sim.createAccount(i as never))));
      case 'POST /users':
        return ok(each(body, (i) => sim.createUser(i as never)));
      case 'GET /roles':
        return ok([...sim.state.iam.roles.values()].map(roleJson));
      case 'POST /roles':
        return ok(each(body, (i) => roleJson(sim.createRole(i as never))));
      case 'POST /roles/trust':
        return ok(roleJson(sim.updateRoleTrust(String(b.roleArn), b as never)));
      case 'POST /roles/delete':
        return ok({ deleted: sim.deleteRole(String(b.roleArn)) });
      case 'POST /access-keys/delete':
        return ok({ deleted: sim.deleteAccessKey(String(b.accessKeyId)) });
      case 'POST /seed/account':
        return ok(each(body, (i) => {
          const r = sim.seedAccount(i as never);
          return { ...r, role: r.role && roleJson(r.role) };
        }));

      case 'POST /instances':
        return ok(each(body, (i) => sim.addInstance(i as never)));
      case 'POST /instances/state':
        return ok(sim.setInstanceState(String(b.instanceId), b.state as never));
      case 'GET /instances':
        return ok([...sim.state.inventory.instances.values()].filter((i) => !url.searchParams.get('accountId') || i.accountId === url.searchParams.get('accountId')));
      case 'POST /volumes':
        return ok(each(body, (i) => sim.addVolume(i as never)));
      case 'GET /volumes':
        return ok([...sim.state.inventory.volumes.values()].filter((v) => !url.searchParams.get('accountId') || v.accountId === url.searchParams.get('accountId')));

      case 'POST /series':
        return ok(each(body, (i) => seriesJson(sim.addSeries(i as never))));
      case 'POST /series/seed':
        return ok(each(body, (i) => {
          const r = sim.seedSeries(i as never);
          return { series: r.series.length, dimensionValues: r.dimensionValues, instances: r.instances.map((x) => x.instanceId) };
        }));
      case 'POST /points':
        return ok(each(body, (i) => seriesJson(sim.putMetricPoints(i as never))));
      case 'GET /series': {
        const accountId = url.searchParams.get('accountId');
        if (!accountId) return fail(400, 'accountId is required');
        return ok([...sim.state.metrics.seriesOf(accountId)].map(seriesJson));
      }

      case 'POST /buckets':
        return ok(each(body, (i) => bucketJson(sim.createBucket(i as never))));
      case 'POST /objects':
        return ok(each(body, (i) => {
          const text = String(i.body ?? '');
          const o = sim.putObject({
            bucket: String(i.bucket),
            key: String(i.key),
            body: i.encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text),
            contentType: i.contentType as string | undefined,
          });
          return { key: o.key, etag: o.etag, size: o.body.length };
        }));
      case 'GET /objects': {
        const bucket = url.searchParams.get('bucket');
        if (!bucket) return fail(400, 'bucket is required');
        return ok(sim.listKeys(bucket, url.searchParams.get('prefix') ?? ''));
      }
      case 'POST /cloudtrail':
        return ok(each(body, (i) => {
          const r = sim.writeCloudTrail(i as never);
          return { bucket: r.bucket, key: r.key, digestKey: r.digestKey, records: r.records.length };
        }));

      case 'GET /clock':
        return ok({ now: sim.now(), iso: new Date(sim.now()).toISOString(), frozen: sim.clock.frozen, checkSkew: sim.checkClockSkew });
      case 'POST /clock': {
        if (typeof b.set === 'number' || typeof b.set === 'string') sim.clock.set(typeof b.set === 'number' ? b.set : Date.parse(b.set));
        if (typeof b.advanceMs === 'number') sim.clock.advance(b.advanceMs);
        if (b.freeze === true) sim.clock.freeze();
        if (typeof b.freeze === 'number') sim.clock.freeze(b.freeze);
        if (b.unfreeze === true) sim.clock.unfreeze();
        if (b.reset === true) sim.clock.reset();
        if (typeof b.checkSkew === 'boolean') sim.checkClockSkew = b.checkSkew;
        return ok({ now: sim.now(), iso: new Date(sim.now()).toISOString(), frozen: sim.clock.frozen, checkSkew: sim.checkClockSkew });
      }

      case 'GET /faults':
        return ok(sim.listFaults());
      case 'POST /faults':
        return ok(each(body, (i) => sim.addFault(i as unknown as FaultInput)));
      case 'DELETE /faults':
        sim.clearFaults();
        return ok({ cleared: true });

      case 'GET /counters': {
        const filter = counterFilter(url.searchParams);
        return ok({ total: sim.counters.total(filter), byApi: sim.counters.byApi(filter), rows: sim.counters.list(filter) });
      }
      case 'DELETE /counters':
        sim.resetCounters();
        return ok({ reset: true });
    }
    const apiGateway = handleApiGatewayAdmin(sim.apigateway, route, body, url.searchParams);
    if (apiGateway) return apiGateway;
    const faultMatch = /^DELETE \/faults\/([\w-]+)$/.exec(route);
    if (faultMatch) {
      return sim.removeFault(faultMatch[1]) ? ok({ deleted: faultMatch[1] }) : fail(404, `no fault ${faultMatch[1]}`);
    }
    return fail(404, `no admin route ${route}`);
  } catch (err) {
    return fail(400, (err as Error).message);
  }
}
