import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { cfg, errorOf, SKYPORT_ACCOUNT, world, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Every page of a FilterLogEvents query, following nextToken to the end. */
async function filterAll(client: CloudWatchLogsClient, input: FilterLogEventsCommandInput): Promise<{ events: FilteredLogEvent[]; pages: FilteredLogEvent[][] }> {
  const pages: FilteredLogEvent[][] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new FilterLogEventsCommand({ ...input, nextToken }));
    pages.push(out.events ?? []);
    nextToken = out.nextToken;
  } while (nextToken);
  return { events: pages.flat(), pages };
}

describe('CloudWatch Logs (awsJson1_1)', () => {
  let w: World;
  let logs: CloudWatchLogsClient;
  before(async () => {
    w = await world({ clock: () => NOW });
    logs = new CloudWatchLogsClient(cfg(w.sim, w.base));
    // Paging tests below make many FilterLogEvents calls; the throttling tests set the limit back.
    w.sim.logs.setLimits({ filterLogEventsPerSecond: null });
  });
  after(async () => {
    logs.destroy();
    await w.sim.close();
  });

  const put = (logGroupName: string, logStreamName: string, logEvents: InputLogEvent[]) =>
    logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));

  test('CreateLogGroup and CreateLogStream create once; duplicates and bad names are refused as AWS does', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/apigateway/basics' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/apigateway/basics', logStreamName: 'one' }));
    const again = await errorOf(() => logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/apigateway/basics' })));
    assert.equal(again.name, 'ResourceAlreadyExistsException');
    const streamAgain = await errorOf(() => logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/apigateway/basics', logStreamName: 'one' })));
    assert.equal(streamAgain.name, 'ResourceAlreadyExistsException');
    const badName = await errorOf(() => logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name with spaces' })));
    assert.equal(badName.name, 'InvalidParameterException');
    assert.equal(badName.$metadata?.httpStatusCode, 400);
    const noGroup = await errorOf(() => logs.send(new CreateLogStreamCommand({ logGroupName: 'missing', logStreamName: 'x' })));
    assert.equal(noGroup.name, 'ResourceNotFoundException');
    const badStream = await errorOf(() => logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/apigateway/basics', logStreamName: 'a:b' })));
    assert.equal(badStream.name, 'InvalidParameterException');
  });

  test('DescribeLogGroups filters by prefix and pages with nextToken; a foreign token is refused', async () => {
    for (let i = 0; i < 7; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `paged-${i}` }));
    const names: string[] = [];
    const sizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'paged-', limit: 3, nextToken }));
      sizes.push(out.logGroups?.length ?? 0);
      names.push(...(out.logGroups ?? []).map((g) => g.logGroupName ?? ''));
      nextToken = out.nextToken;
    } while (nextToken);
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.deepEqual(names, Array.from({ length: 7 }, (_, i) => `paged-${i}`));
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'paged-', limit: 1 }));
    assert.equal(first.logGroups?.[0].arn, `arn:aws:logs:us-east-1:${SKYPORT_ACCOUNT}:log-group:paged-0:*`);
    assert.equal(first.logGroups?.[0].logGroupArn, `arn:aws:logs:us-east-1:${SKYPORT_ACCOUNT}:log-group:paged-0`);
    const foreign = await errorOf(() => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'other', nextToken: first.nextToken })));
    assert.equal(foreign.name, 'InvalidParameterException');
    const tooMany = await errorOf(() => logs.send(new DescribeLogGroupsCommand({ limit: 51 })));
    assert.equal(tooMany.name, 'InvalidParameterException');
    const otherRegion = new CloudWatchLogsClient(cfg(w.sim, w.base, 'us-west-2'));
    assert.equal((await otherRegion.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'paged-' }))).logGroups?.length, 0, 'groups are per region');
    otherRegion.destroy();
  });

  test('DescribeLogStreams pages by name, or by LastEventTime (descending), and refuses LastEventTime with a prefix', async () => {
    const group = 'streams-order';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const [name, t] of [['c', 3], ['a', 1], ['b', 2]] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
      await put(group, name, [{ timestamp: NOW - HOUR + t * MIN, message: `in ${name}` }]);
    }
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 2 }));
    assert.deepEqual(byName.logStreams?.map((s) => s.logStreamName), ['a', 'b']);
    const rest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 2, nextToken: byName.nextToken }));
    assert.deepEqual(rest.logStreams?.map((s) => s.logStreamName), ['c']);
    assert.equal(rest.nextToken, undefined);
    const latest = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: group, orderBy: 'LastEventTime', descending: true }));
    assert.deepEqual(latest.logStreams?.map((s) => s.logStreamName), ['c', 'b', 'a']);
    const c = latest.logStreams?.[0];
    assert.equal(c?.firstEventTimestamp, NOW - HOUR + 3 * MIN);
    assert.equal(c?.lastEventTimestamp, NOW - HOUR + 3 * MIN);
    assert.equal(c?.lastIngestionTime, NOW);
    const bad = await errorOf(() => logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })));
    assert.equal(bad.name, 'InvalidParameterException');
    const missing = await errorOf(() => logs.send(new DescribeLogStreamsCommand({ logGroupName: 'no-such-group' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  test('PutLogEvents refuses a batch out of chronological order and stores nothing of it', async () => {
    const group = 'order-rule';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 's' });
    const err = await errorOf(() =>
      put(group, 's', [
        { timestamp: NOW - 2 * MIN, message: 'first' },
        { timestamp: NOW - 3 * MIN, message: 'earlier than the one before' },
      ]),
    );
    assert.equal(err.name, 'InvalidParameterException');
    assert.match(err.message, /chronological order/);
    assert.equal((await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events?.length, 0);
    // Equal timestamps are in order; a later batch may go back in time (the rule is per batch).
    await put(group, 's', [
      { timestamp: NOW - 2 * MIN, message: 'a' },
      { timestamp: NOW - 2 * MIN, message: 'b' },
    ]);
    await put(group, 's', [{ timestamp: NOW - 5 * MIN, message: 'older batch' }]);
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
    assert.deepEqual(events.map((e) => e.message), ['older batch', 'a', 'b']);
  });

  test('PutLogEvents rejects events older than 14 days or more than 2 hours ahead, reported by index', async () => {
    const group = 'age-rule';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'old' });
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'new' });
    const old = await put(group, 'old', [
      { timestamp: NOW - 14 * DAY - 2 * MIN, message: 'too old 1' },
      { timestamp: NOW - 14 * DAY - MIN, message: 'too old 2' },
      { timestamp: NOW - 14 * DAY + MIN, message: 'just young enough' },
    ]);
    assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
    const fresh = await put(group, 'new', [
      { timestamp: NOW + HOUR, message: 'an hour ahead' },
      { timestamp: NOW + 2 * HOUR, message: 'exactly two hours ahead' },
      { timestamp: NOW + 2 * HOUR + 1, message: 'too new' },
    ]);
    assert.deepEqual(fresh.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 2 });
    const ok = await put(group, 'new', [{ timestamp: NOW, message: 'now' }]);
    assert.equal(ok.rejectedLogEventsInfo, undefined);
    const stored = (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
    assert.deepEqual(stored.map((e) => e.message), ['just young enough', 'now', 'an hour ahead', 'exactly two hours ahead']);
  });

  test('PutLogEvents batch limits: 10,000 events, 1,048,576 bytes (message + 26 each), 24 hours, an existing stream', async () => {
    const group = 'batch-limits';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 's' });
    const tooMany = await errorOf(() => put(group, 's', Array.from({ length: 10_001 }, () => ({ timestamp: NOW, message: 'x' }))));
    assert.equal(tooMany.name, 'InvalidParameterException');
    // 4 × (262,118 + 26) = 1,048,576 bytes fits exactly; one byte more does not.
    const big = 'x'.repeat(262_118);
    await put(group, 's', Array.from({ length: 4 }, () => ({ timestamp: NOW, message: big })));
    const tooBig = await errorOf(() => put(group, 's', [...Array.from({ length: 4 }, () => ({ timestamp: NOW, message: big })), { timestamp: NOW, message: 'y' }]));
    assert.equal(tooBig.name, 'InvalidParameterException');
    assert.match(tooBig.message, /1048603 bytes exceeds limit of 1048576/);
    const span = await errorOf(() => put(group, 's', [{ timestamp: NOW - DAY - 1, message: 'a' }, { timestamp: NOW, message: 'b' }]));
    assert.equal(span.name, 'InvalidParameterException');
    const empty = await errorOf(() => put(group, 's', [{ timestamp: NOW, message: '' }]));
    assert.equal(empty.name, 'InvalidParameterException');
    const noStream = await errorOf(() => put(group, 'missing', [{ timestamp: NOW, message: 'a' }]));
    assert.equal(noStream.name, 'ResourceNotFoundException');
    const noGroup = await errorOf(() => put('missing-group', 's', [{ timestamp: NOW, message: 'a' }]));
    assert.equal(noGroup.name, 'ResourceNotFoundException');
  });

  test('FilterLogEvents pages through 25,000 events over three streams exactly once each, in event-time order, ≤ 1 MB per page', async () => {
    const group = 'paging-25k';
    const streams = ['s0', 's1', 's2'];
    for (const s of streams) w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: s });
    const pad = 'p'.repeat(180);
    // Event i sits at NOW - 25,000 s + i s in stream i mod 3; each stream gets its own chronological batches.
    for (const [k, s] of streams.entries()) {
      const mine = Array.from({ length: 25_000 }, (_, i) => i).filter((i) => i % 3 === k);
      for (let from = 0; from < mine.length; from += 4000) {
        await put(group, s, mine.slice(from, from + 4000).map((i) => ({ timestamp: NOW - 25_000_000 + i * 1000, message: `event ${i} ${pad}` })));
      }
    }
    const { events, pages } = await filterAll(logs, { logGroupName: group, interleaved: true });
    assert.equal(events.length, 25_000);
    assert.equal(new Set(events.map((e) => e.eventId)).size, 25_000, 'every event id once');
    assert.deepEqual(events.map((e) => e.message?.split(' ')[1]), Array.from({ length: 25_000 }, (_, i) => String(i)), 'each event once, sorted by event time');
    assert.ok(events.every((e) => /^\d{56}$/.test(e.eventId ?? '')));
    assert.ok(events.every((e, i) => e.logStreamName === streams[i % 3] && e.ingestionTime === NOW));
    for (const page of pages) {
      const bytes = page.reduce((n, e) => n + Buffer.byteLength(e.message ?? '') + 26, 0);
      assert.ok(page.length <= 10_000 && bytes <= 1_048_576, `page of ${page.length} events, ${bytes} bytes`);
    }
    assert.ok(pages.length >= 5, 'the 1 MB limit splits the ~5.3 MB into several pages');

    const small = await filterAll(logs, { logGroupName: group, limit: 10_000, filterPattern: '"event 1"' });
    // "event 1" matches event 1, 10..19, 100..199, 1000..1999, 10000..19999.
    assert.equal(small.events.length, 1 + 10 + 100 + 1000 + 10_000);
    const limited = await logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 7 }));
    assert.equal(limited.events?.length, 7);
    assert.ok(limited.nextToken);
    const tooMany = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 10_001 })));
    assert.equal(tooMany.name, 'InvalidParameterException');
    const foreign = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 8, nextToken: limited.nextToken })));
    assert.equal(foreign.name, 'InvalidParameterException', 'a token continues only the request it came from');
    const ids = (await filterAll(logs, { logGroupName: group })).events.map((e) => e.eventId);
    assert.deepEqual(ids, events.map((e) => e.eventId), 'event ids are stable across reads');
  });

  test('FilterLogEvents windows on event time (both ends inclusive), not on ingestion time', async () => {
    const group = 'windows';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 's' });
    await put(group, 's', Array.from({ length: 10 }, (_, i) => ({ timestamp: NOW - 10 * MIN + i * MIN, message: `minute ${i}` })));
    const window = async (startTime: number, endTime: number): Promise<string[]> =>
      (await filterAll(logs, { logGroupName: group, startTime, endTime })).events.map((e) => e.message ?? '');
    assert.deepEqual(await window(NOW - 8 * MIN, NOW - 6 * MIN), ['minute 2', 'minute 3', 'minute 4']);
    assert.deepEqual(await window(NOW - 8 * MIN + 1, NOW - 6 * MIN - 1), ['minute 3']);
    assert.deepEqual(await window(NOW, NOW + HOUR), []);
    const reversed = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: NOW, endTime: NOW - 1 })));
    assert.equal(reversed.name, 'InvalidParameterException');
    // Every event was ingested at NOW: a window on ingestion time would have returned all or none of them.
    const events = (await filterAll(logs, { logGroupName: group, startTime: NOW - 5 * MIN, endTime: NOW - 5 * MIN })).events;
    assert.deepEqual(events.map((e) => [e.message, e.timestamp, e.ingestionTime]), [['minute 5', NOW - 5 * MIN, NOW]]);
  });

  test('a late event (old event time, ingested later) shows up on a re-read of the same window, with the other ids unchanged', async () => {
    const group = 'late-arrival';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'a' });
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'b' });
    const at = w.sim.now();
    await put(group, 'a', [0, 1, 2, 3].map((i) => ({ timestamp: at - 10 * MIN + i * 2 * MIN, message: `on time ${i}` })));
    const window = { logGroupName: group, startTime: at - 10 * MIN, endTime: at - 2 * MIN };
    const first = (await filterAll(logs, window)).events;
    assert.equal(first.length, 4);
    w.sim.clock.advance(3 * MIN);
    await put(group, 'b', [{ timestamp: at - 7 * MIN, message: 'late' }]);
    const second = (await filterAll(logs, window)).events;
    assert.deepEqual(second.map((e) => e.message), ['on time 0', 'on time 1', 'late', 'on time 2', 'on time 3']);
    const late = second[2];
    assert.equal(late.timestamp, at - 7 * MIN);
    assert.equal(late.ingestionTime, at + 3 * MIN);
    assert.deepEqual(second.filter((e) => e !== late).map((e) => e.eventId), first.map((e) => e.eventId));
    assert.ok(!first.some((e) => e.eventId === late.eventId));
    w.sim.clock.advance(-3 * MIN);
  });

  test('FilterLogEvents filter patterns: terms, ?any, -exclude, quoted phrases, JSON comparisons; a bad pattern is InvalidParameterException', async () => {
    const group = 'patterns';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 's' });
    const lines = [
      'ERROR disk full',
      'WARN disk slow',
      'INFO all good',
      'ERROR Exiting now',
      '{"status":"500","path":"/pets/1","latency":120}',
      '{"status":"404","path":"/owners/2","latency":5}',
    ];
    await put(group, 's', lines.map((message, i) => ({ timestamp: NOW - MIN + i, message })));
    const match = async (filterPattern: string): Promise<string[]> =>
      (await filterAll(logs, { logGroupName: group, filterPattern })).events.map((e) => e.message ?? '');
    assert.deepEqual(await match(''), lines);
    assert.deepEqual(await match('ERROR'), ['ERROR disk full', 'ERROR Exiting now']);
    assert.deepEqual(await match('ERROR disk'), ['ERROR disk full']);
    assert.deepEqual(await match('?ERROR ?WARN'), ['ERROR disk full', 'WARN disk slow', 'ERROR Exiting now']);
    assert.deepEqual(await match('ERROR -Exiting'), ['ERROR disk full']);
    assert.deepEqual(await match('"all good"'), ['INFO all good']);
    assert.deepEqual(await match('error'), [], 'terms are case-sensitive');
    assert.deepEqual(await match('{ $.status = 500 }'), [lines[4]]);
    assert.deepEqual(await match('{ $.path = "/owners/*" }'), [lines[5]]);
    assert.deepEqual(await match('{ $.latency > 100 || $.status = "404" }'), [lines[4], lines[5]]);
    assert.deepEqual(await match('%disk (full|slow)%'), ['ERROR disk full', 'WARN disk slow']);
    const bad = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.status = 500' })));
    assert.equal(bad.name, 'InvalidParameterException');
  });

  test('FilterLogEvents: logStreamNames and logStreamNamePrefix (not both), logGroupIdentifier as name or ARN (not with logGroupName)', async () => {
    const group = 'by-stream';
    for (const s of ['web-1', 'web-2', 'batch-1']) {
      w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: s });
      await put(group, s, [{ timestamp: NOW - MIN, message: `from ${s}` }]);
    }
    const from = async (input: Omit<FilterLogEventsCommandInput, 'logGroupName'>, byName = true): Promise<string[]> =>
      (await filterAll(logs, { ...(byName ? { logGroupName: group } : {}), ...input })).events.map((e) => e.logStreamName ?? '').sort();
    assert.deepEqual(await from({ logStreamNames: ['web-2', 'batch-1'] }), ['batch-1', 'web-2']);
    assert.deepEqual(await from({ logStreamNamePrefix: 'web-' }), ['web-1', 'web-2']);
    const arn = `arn:aws:logs:us-east-1:${SKYPORT_ACCOUNT}:log-group:${group}`;
    assert.deepEqual(await from({ logGroupIdentifier: arn }, false), ['batch-1', 'web-1', 'web-2']);
    assert.deepEqual(await from({ logGroupIdentifier: `${arn}:*` }, false), ['batch-1', 'web-1', 'web-2']);
    assert.deepEqual(await from({ logGroupIdentifier: group }, false), ['batch-1', 'web-1', 'web-2']);
    const both = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ['web-1'], logStreamNamePrefix: 'web' })));
    assert.equal(both.name, 'InvalidParameterException');
    const twoGroups = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, logGroupIdentifier: arn })));
    assert.equal(twoGroups.name, 'InvalidParameterException');
    const none = await errorOf(() => logs.send(new FilterLogEventsCommand({})));
    assert.equal(none.name, 'InvalidParameterException');
    const otherAccount = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:999999999999:log-group:${group}` })));
    assert.equal(otherAccount.name, 'ResourceNotFoundException');
  });

  test('FilterLogEvents with an unknown log group is ResourceNotFoundException', async () => {
    w.sim.resetCounters();
    const err = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: 'API-Gateway-Execution-Logs_nope/prod' })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, 'The specified log group does not exist.');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.equal(w.sim.callCount({ service: 'logs', api: 'FilterLogEvents', error: 'ResourceNotFoundException' }), 1);
  });

  test('FilterLogEvents with startFromHead=false returns the newest events first and pages backwards', async () => {
    const group = 'descending';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 's' });
    await put(group, 's', Array.from({ length: 9 }, (_, i) => ({ timestamp: NOW - 9 * MIN + i * MIN, message: String(i) })));
    const { events, pages } = await filterAll(logs, { logGroupName: group, startFromHead: false, limit: 4, startTime: NOW - 8 * MIN });
    assert.deepEqual(events.map((e) => e.message), ['8', '7', '6', '5', '4', '3', '2', '1']);
    assert.deepEqual(pages.map((p) => p.length), [4, 4]);
    const tooEarly = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: group, startFromHead: false, startTime: Date.UTC(2023, 11, 31) })));
    assert.equal(tooEarly.name, 'InvalidParameterException');
  });

  test('GetLogEvents reads one stream, newest page first by default, and pages forward until the token repeats', async () => {
    const group = 'get-events';
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'mine' });
    w.sim.logs.createStream({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: group, logStreamName: 'other' });
    await put(group, 'mine', Array.from({ length: 10 }, (_, i) => ({ timestamp: NOW - 10 * MIN + i * MIN, message: `m${i}` })));
    await put(group, 'other', [{ timestamp: NOW - 5 * MIN, message: 'not mine' }]);
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'mine', limit: 3 }));
    assert.deepEqual(newest.events?.map((e) => e.message), ['m7', 'm8', 'm9']);
    const older = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'mine', limit: 3, nextToken: newest.nextBackwardToken }));
    assert.deepEqual(older.events?.map((e) => e.message), ['m4', 'm5', 'm6']);
    const seen: string[] = [];
    let token: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'mine', startFromHead: true, limit: 4, nextToken: token }));
      seen.push(...(out.events ?? []).map((e) => e.message ?? ''));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `m${i}`));
    assert.match(token ?? '', /^f\/\d{56}$/);
    const windowed = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'mine', startTime: NOW - 3 * MIN, endTime: NOW - MIN, startFromHead: true }));
    assert.deepEqual(windowed.events?.map((e) => e.message), ['m7', 'm8'], 'endTime is exclusive for GetLogEvents');
  });
});

describe('CloudWatch Logs limits, faults, counters and authentication', () => {
  let w: World;
  let logs: CloudWatchLogsClient;
  let rateNow = 0;
  before(async () => {
    w = await world({ clock: () => NOW });
    logs = new CloudWatchLogsClient(cfg(w.sim, w.base));
    w.sim.logs.putEvents({ accountId: SKYPORT_ACCOUNT, region: 'us-east-1', logGroupName: 'g', logStreamName: 's', events: [{ timestamp: NOW - MIN, message: 'hello' }] });
    w.sim.logs.putEvents({ accountId: SKYPORT_ACCOUNT, region: 'us-west-2', logGroupName: 'g', logStreamName: 's', events: [{ timestamp: NOW - MIN, message: 'hello west' }] });
  });
  after(async () => {
    logs.destroy();
    await w.sim.close();
  });

  test('FilterLogEvents: 5 calls per second per account × region, the 6th is a ThrottlingException; the window moves on', async () => {
    w.sim.logs.setLimits({ filterLogEventsPerSecond: 5, clock: () => rateNow });
    w.sim.resetCounters();
    const call = () => logs.send(new FilterLogEventsCommand({ logGroupName: 'g' }));
    for (let i = 0; i < 5; i++) {
      rateNow += 100;
      assert.equal((await call()).events?.length, 1);
    }
    rateNow += 100;
    const err = await errorOf(call);
    assert.equal(err.name, 'ThrottlingException');
    assert.equal(err.message, 'Rate exceeded');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    // Another region has its own quota; other operations are not limited by it.
    const west = new CloudWatchLogsClient(cfg(w.sim, w.base, 'us-west-2'));
    assert.equal((await west.send(new FilterLogEventsCommand({ logGroupName: 'g' }))).events?.[0].message, 'hello west');
    west.destroy();
    await logs.send(new DescribeLogGroupsCommand({}));
    // 1 s after the first accepted call one slot frees up.
    rateNow += 500;
    assert.equal((await call()).events?.length, 1);
    assert.equal((await errorOf(call)).name, 'ThrottlingException');
    assert.equal(w.sim.callCount({ service: 'logs', api: 'FilterLogEvents', error: 'ThrottlingException' }), 2);
    assert.equal(w.sim.callCount({ service: 'logs', api: 'FilterLogEvents', region: 'us-east-1', error: false }), 6);
  });

  test('the limit holds on real time too: of 10 concurrent calls at least one is throttled', async () => {
    w.sim.logs.setLimits({ filterLogEventsPerSecond: 5, clock: () => performance.now() });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => logs.send(new FilterLogEventsCommand({ logGroupName: 'g' })).then(() => 'ok', (e: Error) => e.name)),
    );
    assert.ok(outcomes.filter((o) => o === 'ok').length >= 5, outcomes.join());
    assert.ok(outcomes.includes('ThrottlingException'), outcomes.join());
    assert.ok(outcomes.every((o) => o === 'ok' || o === 'ThrottlingException'), outcomes.join());
    w.sim.logs.setLimits({ filterLogEventsPerSecond: null });
  });

  test('faults apply to logs calls with the service\'s own error names; counters count them by operation', async () => {
    w.sim.resetCounters();
    w.sim.addFault({ kind: 'throttle', service: 'logs', api: 'FilterLogEvents', count: 1 });
    assert.equal((await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: 'g' })))).name, 'ThrottlingException');
    w.sim.addFault({ kind: 'unavailable', service: 'logs', count: 1 });
    const unavailable = await errorOf(() => logs.send(new DescribeLogGroupsCommand({})));
    assert.equal(unavailable.name, 'ServiceUnavailableException');
    assert.equal(unavailable.$metadata?.httpStatusCode, 503);
    w.sim.addFault({ kind: 'access-denied', service: 'logs', api: 'PutLogEvents', count: 1 });
    const denied = await errorOf(() => logs.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'x' }] })));
    assert.equal(denied.name, 'AccessDeniedException');
    w.sim.addFault({ kind: 'server-error', service: 'logs', count: 1 });
    const failed = await errorOf(() => logs.send(new FilterLogEventsCommand({ logGroupName: 'g' })));
    assert.equal(failed.$metadata?.httpStatusCode, 500);
    assert.equal(failed.$fault, 'server');
    assert.equal((await logs.send(new FilterLogEventsCommand({ logGroupName: 'g' }))).events?.length, 1, 'counted faults are used up');
    assert.deepEqual(w.sim.counters.byApi({ service: 'logs' }), { 'logs.FilterLogEvents': 3, 'logs.DescribeLogGroups': 1, 'logs.PutLogEvents': 1 });
    assert.equal(w.sim.callCount({ service: 'logs', error: true }), 4);
  });

  test('SigV4: an unknown key, a wrong secret and a region the account has not enabled are refused', async () => {
    const unknown = new CloudWatchLogsClient(cfg(w.sim, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) }));
    assert.equal((await errorOf(() => unknown.send(new DescribeLogGroupsCommand({})))).name, 'UnrecognizedClientException');
    unknown.destroy();
    const wrong = new CloudWatchLogsClient(cfg(w.sim, { accessKeyId: w.base.accessKeyId, secretAccessKey: 'y'.repeat(40) }));
    assert.equal((await errorOf(() => wrong.send(new DescribeLogGroupsCommand({})))).name, 'InvalidSignatureException');
    wrong.destroy();
    w.sim.createAccount({ id: SKYPORT_ACCOUNT, regions: ['us-east-1', 'us-west-2'] });
    const disabled = new CloudWatchLogsClient(cfg(w.sim, w.base, 'ap-east-1'));
    assert.equal((await errorOf(() => disabled.send(new DescribeLogGroupsCommand({})))).name, 'UnrecognizedClientException');
    disabled.destroy();
    // An unsigned request routed by X-Amz-Target gets CloudWatch Logs' own missing-authentication error.
    const res = await fetch(w.sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  });
});
