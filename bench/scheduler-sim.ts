// The simulated AWS of bench:scheduler, in a process of its own (so its CPU is measured apart from Skyport's):
//   node --import tsx bench/scheduler-sim.ts [--stats-port 0]
// Starts the simulator (src/simulator, signatures verified) on a free port and prints one JSON line on stdout:
// {"url": "<simulator url>", "stats": "<url of the GetMetricData log>"}. Everything else goes through the
// simulator's own admin API (/_simulator/...: users, accounts, roles, series, faults, counters).
//
// The one thing the admin API does not keep is *what* each GetMetricData call asked for. This process wraps the
// CloudWatch handler (bench code only; src/ is untouched) to log, per call, the account, StartTime, EndTime, the
// number of queries and whether it continued a NextToken, and answers on the stats port:
//   GET /gmd?queriesPerWindow=200[&from=<epoch ms>&to=<epoch ms>]
// with the duplicate / gap / packing analysis below, over the calls received in [from, to) (default: all).
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { HANDLERS } from '../src/simulator/dispatch.ts';
import { startSimulator } from '../src/simulator/simulator.ts';

const { values } = parseArgs({ options: { 'stats-port': { type: 'string', default: '0' } } });

interface GmdCall {
  account: string;
  start: number;
  end: number;
  queries: number;
  continued: boolean;
  at: number;
  ok: boolean;
}

const calls: GmdCall[] = [];
const cloudwatch = HANDLERS.monitoring;
HANDLERS.monitoring = {
  ...cloudwatch,
  operation: (req) => cloudwatch.operation(req),
  scope: cloudwatch.scope?.bind(cloudwatch),
  renderError: (err, requestId, req) => cloudwatch.renderError(err, requestId, req),
  async handle(ctx) {
    if (ctx.api !== 'GetMetricData') return cloudwatch.handle(ctx);
    const at = Date.now();
    let body: { StartTime?: unknown; EndTime?: unknown; MetricDataQueries?: unknown; NextToken?: unknown } = {};
    try {
      body = JSON.parse(ctx.req.body.toString('utf8')) as typeof body;
    } catch {
      // the handler answers the error
    }
    const entry: GmdCall = {
      account: ctx.caller.accountId,
      start: typeof body.StartTime === 'number' ? Math.round(body.StartTime * 1000) : Date.parse(String(body.StartTime)),
      end: typeof body.EndTime === 'number' ? Math.round(body.EndTime * 1000) : Date.parse(String(body.EndTime)),
      queries: Array.isArray(body.MetricDataQueries) ? body.MetricDataQueries.length : 0,
      continued: typeof body.NextToken === 'string' && body.NextToken !== '',
      at,
      ok: false,
    };
    calls.push(entry);
    const out = await cloudwatch.handle(ctx);
    entry.ok = out.status === 200;
    return out;
  },
};

/**
 * Groups the successful calls by (account, StartTime): one group is one window fetched. A run of a window sends
 * its queries once across its first pages (NextToken pages repeat them), so a group whose first pages carry more
 * than `queriesPerWindow` queries was fetched by more than one run: a duplicate. Per account, windows sorted by
 * start must neither overlap (a re-read: also a duplicate) nor leave gaps (data never collected).
 */
function analyse(queriesPerWindow: number, from: number, to: number) {
  const groups = new Map<string, { account: string; start: number; end: number; calls: number; firstPageQueries: number; ends: Set<number> }>();
  let callsOk = 0;
  let callsFailed = 0;
  for (const c of calls) {
    if (c.at < from || c.at >= to) continue;
    if (!c.ok) {
      callsFailed++;
      continue;
    }
    callsOk++;
    const key = `${c.account}|${c.start}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { account: c.account, start: c.start, end: c.end, calls: 0, firstPageQueries: 0, ends: new Set() }));
    g.calls++;
    g.ends.add(c.end);
    if (c.end > g.end) g.end = c.end;
    if (!c.continued) g.firstPageQueries += c.queries;
  }
  let duplicateFetches = 0;
  let oddGroups = 0;
  let minimumCalls = 0;
  const byAccount = new Map<string, Array<{ start: number; end: number }>>();
  for (const g of groups.values()) {
    const runs = g.firstPageQueries / queriesPerWindow;
    if (!Number.isInteger(runs)) oddGroups++;
    duplicateFetches += Math.max(Math.ceil(runs) - 1, g.ends.size - 1, 0);
    minimumCalls += Math.ceil(queriesPerWindow / 500);
    let list = byAccount.get(g.account);
    if (!list) byAccount.set(g.account, (list = []));
    list.push({ start: g.start, end: g.end });
  }
  let overlaps = 0;
  let gaps = 0;
  let gapPeriodsMs = 0;
  let windowMsTotal = 0;
  for (const list of byAccount.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 0; i < list.length; i++) {
      windowMsTotal += list[i].end - list[i].start;
      if (i === 0) continue;
      if (list[i].start < list[i - 1].end) overlaps++;
      else if (list[i].start > list[i - 1].end) {
        gaps++;
        gapPeriodsMs += list[i].start - list[i - 1].end;
      }
    }
  }
  return {
    calls: callsOk,
    failedCalls: callsFailed,
    windows: groups.size,
    accounts: byAccount.size,
    minimumCalls,
    duplicateFetches,
    overlaps,
    gaps,
    gapMs: gapPeriodsMs,
    meanWindowMs: groups.size > 0 ? windowMsTotal / groups.size : 0,
    /** Groups whose first-page query count is not a whole number of windows (packing differs from the expected). */
    oddGroups,
  };
}

const sim = await startSimulator({ port: 0, host: '127.0.0.1', verifySignatures: true });
const stats = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://stats');
  if (url.pathname !== '/gmd') {
    res.writeHead(404).end();
    return;
  }
  const q = Number(url.searchParams.get('queriesPerWindow') ?? '200');
  const from = Number(url.searchParams.get('from') ?? '0');
  const to = Number(url.searchParams.get('to') ?? String(Number.MAX_SAFE_INTEGER));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(analyse(q, from, to)));
});
await new Promise<void>((resolve) => stats.listen(Number(values['stats-port']), '127.0.0.1', resolve));
const address = stats.address();
const statsPort = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ url: sim.url, stats: `http://127.0.0.1:${statsPort}` })}\n`);

const stop = (): void => {
  stats.close();
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
