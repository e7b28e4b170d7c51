import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, childEnv, createEmptyTestDatabase, freePort, ROOT } from './helpers/process.ts';

async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('skyport demo end to end with a short clock: metrics, inventory, CloudTrail events, API Gateway, auto-disable, fix and enable, Ctrl-C', async (t) => {
  const empty = await createEmptyTestDatabase();
  t.after(empty.drop);
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'demo'], {
    cwd: ROOT,
    env: childEnv({ DATABASE_URL: empty.url, HOST: '127.0.0.1', PORT: String(port), SKYPORT_DEMO_BREAK_AFTER: '6s' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output = () => out;

  await until('the guide', () => out.includes('Stop with Ctrl-C'), 90_000, output);
  const env = /export BASE=(\S+) TOKEN=(\S+) SIM=(\S+)/.exec(out)!;
  const [, base, token, sim] = env;
  const ids = Object.fromEntries([...out.matchAll(/(CloudWatch|EC2|CloudTrail) integration:\s+(\S+)/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(ids).sort(), ['CloudTrail', 'CloudWatch', 'EC2']);
  const api = async (path: string, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as any };
  };

  // Every integration collected; the guide's commands answer with what it says they show.
  for (const id of Object.values(ids)) {
    await until(`a run of ${id}`, async () => (await api(`/api/v2/cloudintegration/${id}/run`)).body.response.totalItems > 0 || undefined, 30_000, output);
  }
  const names = (await api('/api/v2/chart/metric/list?prefix=aws.&limit=1000')).body.response.items.map((i: { name: string }) => i.name);
  for (const n of ['aws.ec2.cpuutilization.average', 'aws.ec2.instance.running', 'aws.cloudtrail.event.total-per-minute']) assert.ok(names.includes(n), `${n} in ${names}`);
  const inventory = await api('/api/v2/chart/raw?metric=aws.ec2.instance.*');
  assert.ok(Array.isArray(inventory.body) && inventory.body.length >= 6, 'EC2 inventory series of both regions');
  const guideEvents = /api "\$BASE(\/api\/v2\/event\?limit=5&latestStartTimeEpochMillis=\d+)"/.exec(out)!;
  const events = (await api(guideEvents[1])).body.response.items;
  assert.ok(events.some((e: { name: string }) => e.name.startsWith('AWS Action: ')), 'CloudTrail actions are events');
  const estimate = (await api(`/api/v2/cloudintegration/${ids.CloudWatch}/estimate`)).body.response;
  assert.ok(estimate.seriesSelected > 0 && estimate.estimatedMonthlyCostUsd > 0, JSON.stringify(estimate));

  // API Gateway: APIs of every type in two regions, synced before the guide; petstore/prod's lines all counted.
  const [, gatewayId, lines] = /API Gateway connection: (\S+) \(account \d+; (\d+) access-log lines/.exec(out)!;
  const gatewayApis = (await api(`/api/v2/apigatewayapi?connectionId=${gatewayId}&limit=100`)).body.response.items as Array<{ id: string; name: string; region: string; protocolType: string }>;
  assert.deepEqual([...new Set(gatewayApis.map((a) => a.region))].sort(), ['us-east-1', 'us-west-2']);
  assert.deepEqual([...new Set(gatewayApis.map((a) => a.protocolType))].sort(), ['HTTP', 'REST', 'WEBSOCKET']);
  const petstore = gatewayApis.find((a) => a.name === 'petstore')!;
  const guideTraffic = new RegExp(`api "\\$BASE(/api/v2/apigatewayapi/${petstore.id}/traffic\\?[^"]+)"`).exec(out)!;
  assert.equal((await api(guideTraffic[1])).body.response.totals.requests, Number(lines), 'every line counted once');
  const endpoints = (await api(`/api/v2/apigatewayapi/${petstore.id}/endpoint?stage=prod`)).body.response.items as Array<{ method: string; path: string; classification: string }>;
  assert.ok(endpoints.some((e) => e.method === 'GET' && e.path === '/debug' && e.classification === 'SHADOW'), JSON.stringify(endpoints));
  assert.ok((await api('/api/v2/apigatewayusageplan')).body.response.totalItems >= 1, 'usage plans read');

  // After the break, the CloudWatch integration disables itself with a credentials event.
  await until('the break', () => out.includes('The demo just broke the trust policy'), 30_000, output);
  const disabled = await until('auto-disable', async () => {
    const got = (await api(`/api/v2/cloudintegration/${ids.CloudWatch}`)).body.response;
    return got.disabled ? got : undefined;
  }, 150_000, output); // at the integration's next refresh (1 min): the collection asked for at the break has an empty window
  assert.equal(disabled.lastErrorEvent.runningState, 'ONGOING');
  const refused = await api(`/api/v2/cloudintegration/${ids.CloudWatch}/collect`, 'POST');
  assert.equal(refused.status, 409);
  assert.equal((await api(`/api/v2/cloudintegration/${ids.EC2}`)).body.response.disabled, false, 'the other roles are fine');

  // The printed fix, then enable: collected at once and the event ends.
  const fix = /curl -sS -X POST "\$SIM\/_simulator\/roles\/trust" -d '([^']+)'/.exec(out)![1];
  assert.equal((await fetch(`${sim}/_simulator/roles/trust`, { method: 'POST', body: fix })).status, 200);
  assert.equal((await api(`/api/v2/cloudintegration/${ids.CloudWatch}/enable`, 'POST')).status, 200);
  await until('the event to end', async () => {
    const got = (await api(`/api/v2/cloudintegration/${ids.CloudWatch}`)).body.response;
    return !got.disabled && got.lastErrorEvent?.runningState === 'ENDED' ? got : undefined;
  }, 60_000, output);

  child.kill('SIGINT');
  assert.deepEqual(await exited, { code: 0, signal: null }, out);
});
