// The CloudTrail collector against the simulator's S3 over HTTP (real SDK): layout discovery, cursors per
// region and day, late files, de-duplication, filters, digests, org trails, midnight, counters, failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAwsError } from '../../../src/services/collection/aws/errors.ts';
import { ACCOUNT, BUCKET, cloudTrailHarness, eventIds, INTEGRATION_ID, isoSeconds, MIN, record, T0 } from './cloudtrailSetup.ts';

const HOUR = 60 * MIN;

test('the first run reads the files delivered within the lookback; each kept record becomes an "AWS Action" event', async (t) => {
  const h = await cloudTrailHarness(t);
  h.write({ deliveryTime: T0 - 2 * HOUR, records: [record({ eventTime: isoSeconds(T0 - 2 * HOUR - MIN) })] });
  const a = record({ eventTime: isoSeconds(T0 - 31 * MIN), errorCode: 'Client.UnauthorizedOperation', eventName: 'TerminateInstances' });
  const b = record({ eventTime: isoSeconds(T0 - 6 * MIN), eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' });
  h.write({ deliveryTime: T0 - 30 * MIN, records: [a] });
  h.write({ deliveryTime: T0 - 5 * MIN, records: [b] });

  const r = await h.run();
  assert.deepEqual(r.partialErrors, []);
  assert.equal(r.warning, undefined);
  assert.deepEqual(eventIds(r).sort(), [a.eventID, b.eventID].sort(), 'the file delivered before now − 1 h is not read');
  assert.equal(r.metricCount, 2);
  assert.equal(r.newestMs, T0 - 6 * MIN);

  const ev = r.events.find((e) => e.dedupeKey === a.eventID)!;
  assert.equal(ev.name, 'AWS Action: TerminateInstances');
  assert.equal(ev.startMs, T0 - 31 * MIN);
  assert.equal(ev.endMs, T0 - 31 * MIN + 1, 'instantaneous: ends 1 ms after it starts');
  assert.deepEqual(ev.tags, ['aws.cloudtrail.ec2', INTEGRATION_ID]);
  assert.deepEqual(ev.hosts, [ACCOUNT]);
  assert.deepEqual(ev.annotations, {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'TerminateInstances',
    awsRegion: 'us-east-1',
    userIdentityArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operator/alice`,
    userIdentityType: 'AssumedRole',
    sourceIPAddress: '203.0.113.7',
    errorCode: 'Client.UnauthorizedOperation',
    eventID: a.eventID,
    eventType: 'AwsApiCall',
    accountId: ACCOUNT,
  });
  const s3Event = r.events.find((e) => e.dedupeKey === b.eventID)!;
  assert.deepEqual(s3Event.tags, ['aws.cloudtrail.s3', INTEGRATION_ID]);
  assert.equal('errorCode' in s3Event.annotations, false, 'errorCode only when the record has one');
  assert.equal(h.downloaded().length, 2);
});

test('cursors: each run reads only new files, late files (sorting before the cursor) included, across a restart', async (t) => {
  const h = await cloudTrailHarness(t);
  const all = new Set<string>();
  const seen: string[] = [];
  const collect = (r: Awaited<ReturnType<typeof h.run>>) => {
    for (const id of eventIds(r)) seen.push(String(id));
  };
  const write = (input: Parameters<typeof h.write>[0]) => {
    const w = h.write({ count: 6, eventNames: ['RunInstances', 'StopInstances', 'CreateTags'], ...input });
    for (const rec of w.records) all.add(String(rec.eventID));
    return w;
  };

  write({ deliveryTime: T0 - 20 * MIN });
  write({ deliveryTime: T0 - 10 * MIN });
  collect(await h.run());
  assert.equal(h.downloaded().length, 2);

  // Five minutes later: two new files, and one delivered late whose name sorts before the newest key read.
  h.clock.advance(5 * MIN);
  const fresh = write({});
  const late = write({ late: true });
  assert.ok(late.key < fresh.key, 'the late file sorts before the newest key');
  h.s3Requests.length = 0;
  collect(await h.run());
  assert.deepEqual(h.downloaded().sort(), [fresh.key, late.key].sort(), 'only the new files are downloaded');

  // A restart: a new collector instance (no cache), the cursors as stored.
  h.restart();
  h.clock.advance(5 * MIN);
  const after1 = write({});
  const late2 = write({ late: true });
  h.s3Requests.length = 0;
  collect(await h.run());
  assert.deepEqual(h.downloaded().sort(), [after1.key, late2.key].sort());

  // Nothing new: nothing downloaded, nothing emitted.
  h.clock.advance(5 * MIN);
  h.s3Requests.length = 0;
  const idle = await h.run();
  assert.equal(idle.events.length, 0);
  assert.deepEqual(h.downloaded(), []);

  assert.equal(new Set(seen).size, seen.length, 'no event is emitted twice across runs');
  assert.deepEqual(new Set(seen), all, 'every record written was emitted');
});

test('a day cursor is JSON {after, seen, t}: seen holds the files within the late margin, and is bounded by it', async (t) => {
  const h = await cloudTrailHarness(t);
  const old = h.write({ deliveryTime: T0 - 40 * MIN, count: 1 });
  const mid = h.write({ deliveryTime: T0 - 15 * MIN, count: 1 });
  const recent = h.write({ deliveryTime: T0 - 2 * MIN, count: 1 });
  await h.run();
  const position = JSON.parse(h.cursors.get('cloudtrail:us-east-1:2026/11/21')!);
  assert.equal(position.after, recent.key);
  assert.equal(position.t, T0);
  const name = (key: string) => key.slice(key.lastIndexOf('/') + 1);
  assert.deepEqual(position.seen, [name(recent.key)], 'files delivered more than 10 min before the newest one are forgotten');
  assert.ok(!position.seen.includes(name(old.key)) && !position.seen.includes(name(mid.key)));
  // The listing starts 10 minutes before the newest file, not at the start of the day.
  h.s3Requests.length = 0;
  h.clock.advance(MIN);
  await h.run();
  const list = h.s3Requests.find((r) => r.command === 'ListObjectsV2Command' && String(r.input.Prefix).includes('/2026/11/21/'));
  assert.match(String(list!.input.StartAfter), /_CloudTrail_us-east-1_20261121T1148Z$/);
});

test('a file delivered up to 10 minutes before the newest one read is still picked up; an older straggler is not', async (t) => {
  const h = await cloudTrailHarness(t);
  h.write({ deliveryTime: T0 - 2 * MIN, count: 2, eventNames: ['RunInstances'] });
  await h.run();
  h.clock.advance(5 * MIN);
  // Both appear now, with names (delivery minutes) well before the newest key already read.
  const withinMargin = h.write({ deliveryTime: T0 - 9 * MIN, count: 2, eventNames: ['RunInstances'] });
  const beyondMargin = h.write({ deliveryTime: T0 - 15 * MIN, count: 2, eventNames: ['RunInstances'] });
  h.s3Requests.length = 0;
  const r = await h.run();
  assert.deepEqual(h.downloaded(), [withinMargin.key]);
  assert.deepEqual(new Set(eventIds(r)), new Set(withinMargin.records.map((x) => x.eventID)));
  assert.ok(beyondMargin.key < withinMargin.key);
  // And the margin's files are not read twice.
  h.clock.advance(MIN);
  h.s3Requests.length = 0;
  assert.equal((await h.run()).events.length, 0);
  assert.deepEqual(h.downloaded(), []);
});

test('the same eventID in two files is emitted once per run; a record without eventID still becomes an event', async (t) => {
  const h = await cloudTrailHarness(t);
  const twice = record({ eventTime: isoSeconds(T0 - 3 * MIN) });
  const noId = record({ eventTime: isoSeconds(T0 - 3 * MIN) });
  delete noId.eventID;
  h.write({ deliveryTime: T0 - 2 * MIN, records: [twice] });
  h.write({ deliveryTime: T0 - MIN, records: [twice, noId] });
  const r = await h.run();
  assert.equal(r.events.filter((e) => e.dedupeKey === twice.eventID).length, 1);
  assert.equal(r.events.length, 2);
  assert.equal(r.events.find((e) => e.dedupeKey === undefined)?.name, 'AWS Action: RunInstances');
});

test('default filter: only records that are not read-only; filterRule (a regex on eventSource:eventName) replaces it', async (t) => {
  const h = await cloudTrailHarness(t);
  const at = isoSeconds(T0 - 3 * MIN);
  const recs = {
    writeFlagged: record({ eventName: 'CreateTags', readOnly: false, eventTime: at }),
    readFlagged: record({ eventName: 'ConsoleLogin', readOnly: true, eventTime: at, eventSource: 'signin.amazonaws.com' }),
    describeNoFlag: record({ eventName: 'DescribeInstances', readOnly: undefined, eventTime: at }),
    getNoFlag: record({ eventName: 'GetObject', readOnly: undefined, eventTime: at, eventSource: 's3.amazonaws.com' }),
    listNoFlag: record({ eventName: 'ListBuckets', readOnly: undefined, eventTime: at, eventSource: 's3.amazonaws.com' }),
    runNoFlag: record({ eventName: 'RunInstances', readOnly: undefined, eventTime: at }),
    terminate: record({ eventName: 'TerminateInstances', readOnly: false, eventTime: at }),
    describeFlaggedWrite: record({ eventName: 'DescribeThing', readOnly: false, eventTime: at }),
  };
  for (const r of Object.values(recs)) if (r.readOnly === undefined) delete r.readOnly;
  h.write({ deliveryTime: T0 - 2 * MIN, records: Object.values(recs) });

  const byDefault = await h.run();
  assert.deepEqual(
    byDefault.events.map((e) => e.annotations.eventName).sort(),
    ['CreateTags', 'DescribeThing', 'RunInstances', 'TerminateInstances'],
    'readOnly decides when present; otherwise Describe*/Get*/List* names are read-only',
  );

  // The same file through a filterRule (a fresh cursor so the file is read again).
  h.cursors.clear();
  const ruled = await h.run({ filterRule: '^ec2\\.amazonaws\\.com:(Run|Terminate|Describe)Instances$' });
  assert.deepEqual(ruled.events.map((e) => e.annotations.eventName).sort(), ['DescribeInstances', 'RunInstances', 'TerminateInstances']);

  h.cursors.clear();
  const caseInsensitive = await h.run({ filterRule: 'SIGNIN' });
  assert.deepEqual(caseInsensitive.events.map((e) => e.annotations.eventName), ['ConsoleLogin'], 'a read-only record is kept when the rule says so');

  h.cursors.clear();
  const empty = await h.run({ filterRule: '' });
  assert.equal(empty.events.length, byDefault.events.length, 'an empty rule is the default filter');
});

test('a catastrophic filterRule (nested quantifiers) finishes at once: user regexes run on a linear-time engine', async (t) => {
  const h = await cloudTrailHarness(t);
  const at = isoSeconds(T0 - 3 * MIN);
  h.write({ deliveryTime: T0 - 2 * MIN, records: [record({ eventTime: at }), record({ eventTime: at, eventName: 'ExportImage' })] });
  const started = performance.now();
  // On a backtracking engine `ec2\.(.+)+X` costs seconds on every record without an x after "ec2.".
  const r = await h.run({ filterRule: 'ec2\\.(.+)+X' });
  const ms = performance.now() - started;
  assert.ok(ms < 3000, `the run took ${Math.round(ms)} ms`);
  assert.deepEqual(r.partialErrors, []);
  assert.deepEqual(r.events.map((e) => e.annotations.eventName), ['ExportImage'], 'the rule still matches anywhere, case-insensitively');
});

test('digest files are never listed nor downloaded, and neither are other objects in the day prefix', async (t) => {
  const h = await cloudTrailHarness(t);
  const a = h.write({ deliveryTime: T0 - 10 * MIN, count: 3, digest: true });
  const b = h.write({ deliveryTime: T0 - 5 * MIN, count: 3, digest: true });
  assert.ok(a.digestKey && h.aws.sim.getObject(BUCKET, a.digestKey), 'the simulator wrote a digest');
  // A stray object in the day prefix that is not a log file.
  h.aws.sim.putObject({ bucket: BUCKET, key: `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/21/notes.txt`, body: 'hello' });
  const r = await h.run();
  assert.deepEqual(h.downloaded().sort(), [a.key, b.key].sort());
  assert.ok(!h.s3Requests.some((q) => String(q.input.Prefix ?? '').includes('CloudTrail-Digest')), 'no listing under CloudTrail-Digest/');
  assert.equal(r.events.length, [...a.records, ...b.records].filter((x) => x.readOnly === false).length);
});

test('organization trail: logs under AWSLogs/o-<org>/<account>/ are found (and only this account\'s), beside the account\'s own folder', async (t) => {
  const h = await cloudTrailHarness(t);
  // A log-archive account owns the bucket and lets the integration's account read it.
  const ARCHIVE = '999900001111';
  h.aws.sim.createAccount({ id: ARCHIVE });
  h.aws.sim.createBucket({ name: 'org-trail-bucket', accountId: ARCHIVE, region: 'eu-west-1', readers: [ACCOUNT] });
  const mine = h.write({ bucket: 'org-trail-bucket', orgId: 'o-abc123def4', deliveryTime: T0 - 10 * MIN, count: 4, eventNames: ['RunInstances'] });
  const mineEu = h.write({ bucket: 'org-trail-bucket', orgId: 'o-abc123def4', region: 'eu-west-1', deliveryTime: T0 - 8 * MIN, count: 2, eventNames: ['CreateTags'] });
  const other = h.write({ bucket: 'org-trail-bucket', orgId: 'o-abc123def4', accountId: '333344445555', deliveryTime: T0 - 10 * MIN, count: 4, eventNames: ['RunInstances'] });
  const own = h.write({ bucket: 'org-trail-bucket', deliveryTime: T0 - 7 * MIN, count: 2, eventNames: ['StopInstances'] });
  assert.match(mine.key, /^AWSLogs\/o-abc123def4\/444455556666\/CloudTrail\/us-east-1\/2026\/11\/21\//);

  const r = await h.run({ bucketName: 'org-trail-bucket', region: 'eu-west-1' });
  assert.deepEqual(r.partialErrors, []);
  const ids = new Set(eventIds(r));
  for (const rec of [...mine.records, ...mineEu.records, ...own.records]) assert.ok(ids.has(rec.eventID as string), 'this account\'s records, every region, both layouts');
  for (const rec of other.records) assert.ok(!ids.has(rec.eventID as string), 'another member account is not collected');
  assert.deepEqual(
    [...r.cursors.keys()].filter((k) => k.startsWith('cloudtrail:')).sort(),
    ['cloudtrail:o-abc123def4/eu-west-1:2026/11/21', 'cloudtrail:o-abc123def4/us-east-1:2026/11/21', 'cloudtrail:us-east-1:2026/11/21'],
  );
});

test('a prefix before AWSLogs/ is honoured (with or without AWSLogs in it)', async (t) => {
  const h = await cloudTrailHarness(t);
  const w = h.write({ prefix: 'trails/prod', deliveryTime: T0 - 5 * MIN, count: 2, eventNames: ['RunInstances'] });
  assert.equal((await h.run({ prefix: 'trails/prod' })).events.length, 2);
  h.cursors.clear();
  assert.equal((await h.run({ prefix: 'trails/prod/AWSLogs/' })).events.length, 2);
  h.cursors.clear();
  const none = await h.run();
  assert.equal(none.events.length, 0);
  assert.match(String(none.warning), /no CloudTrail logs of account 444455556666 under s3:\/\/trail-bucket\/AWSLogs\//);
  assert.ok(w.key.startsWith('trails/prod/AWSLogs/'));
});

test('midnight: yesterday\'s prefix is listed until a run after 01:00 UTC has listed it, then never again', async (t) => {
  const h = await cloudTrailHarness(t, { start: Date.UTC(2026, 10, 21, 23, 50) });
  const y1 = h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 45), count: 2, eventNames: ['RunInstances'] });
  await h.run();
  assert.equal(h.downloaded().length, 1);

  // 00:20: a file delivered into yesterday's prefix at 23:55, and one into today's.
  h.clock.set(Date.UTC(2026, 10, 22, 0, 20));
  const y2 = h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 55), count: 2, eventNames: ['RunInstances'] });
  const d1 = h.write({ deliveryTime: Date.UTC(2026, 10, 22, 0, 15), count: 2, eventNames: ['RunInstances'] });
  h.s3Requests.length = 0;
  const r1 = await h.run();
  assert.deepEqual(h.downloaded().sort(), [y2.key, d1.key].sort());
  assert.equal(r1.events.length, 4);

  // 01:10: the first run past the grace hour lists yesterday one last time.
  h.clock.set(Date.UTC(2026, 10, 22, 1, 10));
  const y3 = h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 59), count: 1, eventNames: ['RunInstances'] });
  h.s3Requests.length = 0;
  await h.run();
  assert.deepEqual(h.downloaded(), [y3.key]);

  // 01:20: yesterday is done.
  h.clock.set(Date.UTC(2026, 10, 22, 1, 20));
  h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 58), count: 1, eventNames: ['RunInstances'] });
  h.s3Requests.length = 0;
  await h.run();
  const listed = h.s3Requests.filter((q) => q.command === 'ListObjectsV2Command').map((q) => String(q.input.Prefix));
  assert.ok(!listed.some((p) => p.includes('/2026/11/21/')), `yesterday is not listed any more: ${listed.join(', ')}`);
  assert.ok(listed.some((p) => p.includes('/2026/11/22/')));
  assert.ok(y1.key.includes('/2026/11/21/'));
});

test('a new integration just after midnight starts one lookback back, in yesterday\'s prefix', async (t) => {
  const h = await cloudTrailHarness(t, { start: Date.UTC(2026, 10, 22, 0, 20) });
  h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 10), count: 2, eventNames: ['RunInstances'] });
  const inside = h.write({ deliveryTime: Date.UTC(2026, 10, 21, 23, 30), count: 2, eventNames: ['RunInstances'] });
  const today = h.write({ deliveryTime: Date.UTC(2026, 10, 22, 0, 10), count: 2, eventNames: ['RunInstances'] });
  await h.run();
  assert.deepEqual(h.downloaded().sort(), [inside.key, today.key].sort());
});

test('per-minute counters per event name and in total, tagged eventType, eventSource, Region, accountId, bucket; carried across runs', async (t) => {
  const h = await cloudTrailHarness(t);
  const m1 = Date.UTC(2026, 10, 21, 11, 50);
  const m2 = m1 + MIN;
  h.write({
    deliveryTime: T0 - 5 * MIN,
    records: [
      record({ eventTime: isoSeconds(m1 + 5_000), eventName: 'RunInstances' }),
      record({ eventTime: isoSeconds(m1 + 50_000), eventName: 'RunInstances' }),
      record({ eventTime: isoSeconds(m1 + 20_000), eventName: 'CreateBucket', eventSource: 's3.amazonaws.com' }),
      record({ eventTime: isoSeconds(m2 + 1_000), eventName: 'RunInstances' }),
      record({ eventTime: isoSeconds(m2 + 2_000), eventName: 'DescribeInstances', readOnly: true }),
    ],
  });
  const r1 = await h.run({}, { additionalTags: { env: 'prod' } });
  const value = (r: typeof r1, metric: string, ts: number, eventSource?: string) =>
    r.points.filter((p) => p.metric === metric && p.ts === ts && (eventSource === undefined || p.tags.eventSource === eventSource)).map((p) => p.value);
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.runinstances', m1), [2]);
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.runinstances', m2), [1]);
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.createbucket', m1), [1]);
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.total-per-minute', m1), [3]);
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.total-per-minute', m2), [1], 'read-only records are filtered out of the counts too');
  assert.deepEqual(value(r1, 'aws.cloudtrail.event.describeinstances', m2), []);
  const run = r1.points.find((p) => p.metric === 'aws.cloudtrail.event.runinstances')!;
  assert.equal(run.source, ACCOUNT);
  assert.deepEqual(run.tags, { env: 'prod', Region: 'us-east-1', accountId: ACCOUNT, bucket: BUCKET, eventType: 'AwsApiCall', eventSource: 'ec2.amazonaws.com' });
  const total = r1.points.find((p) => p.metric === 'aws.cloudtrail.event.total-per-minute')!;
  assert.deepEqual(total.tags, { env: 'prod', Region: 'us-east-1', accountId: ACCOUNT, bucket: BUCKET });

  // The next file (next run, after a restart) carries more records of minute m2: the point holds the running total.
  h.restart();
  h.clock.advance(5 * MIN);
  h.write({ records: [record({ eventTime: isoSeconds(m2 + 40_000), eventName: 'RunInstances' }), record({ eventTime: isoSeconds(T0 + MIN), eventName: 'RunInstances' })] });
  const r2 = await h.run({}, { additionalTags: { env: 'prod' } });
  assert.deepEqual(value(r2, 'aws.cloudtrail.event.runinstances', m2), [2]);
  assert.deepEqual(value(r2, 'aws.cloudtrail.event.total-per-minute', m2), [2]);
  assert.deepEqual(value(r2, 'aws.cloudtrail.event.runinstances', T0 + MIN), [1]);
  assert.deepEqual(value(r2, 'aws.cloudtrail.event.runinstances', m1), [], 'untouched minutes are not re-sent');
  assert.equal(r2.metricCount, 2);
});

test('an AccessDenied on the bucket is thrown (the scheduler disables the integration)', async (t) => {
  const h = await cloudTrailHarness(t);
  h.aws.sim.createAccount({ id: '121212121212' });
  h.aws.sim.createBucket({ name: 'someone-elses-bucket', accountId: '121212121212', region: 'us-east-1' });
  const err = await h.run({ bucketName: 'someone-elses-bucket' }).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.equal((err as Error).name, 'AccessDenied');
  assert.equal(classifyAwsError(err, { assumeRole: true }).kind, 'credentials');
});

test('a corrupt file is skipped with a warning; a transient failure keeps the day at the last good file', async (t) => {
  const h = await cloudTrailHarness(t);
  const good1 = h.write({ deliveryTime: T0 - 20 * MIN, count: 2, eventNames: ['RunInstances'] });
  const badKey = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/21/${ACCOUNT}_CloudTrail_us-east-1_20261121T1145Z_ZZZZZZZZZZZZZZZZ.json.gz`;
  h.aws.sim.putObject({ bucket: BUCKET, key: badKey, body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]) });
  const good2 = h.write({ deliveryTime: T0 - 10 * MIN, count: 2, eventNames: ['RunInstances'] });
  const r = await h.run();
  assert.match(String(r.warning), /skipped 1 unreadable log file/);
  assert.match(String(r.warning), /ZZZZZZZZZZZZZZZZ/);
  assert.equal(r.events.length, good1.records.length + good2.records.length);

  // A throttled download: the day stops there; the next run picks up from that file.
  h.clock.advance(5 * MIN);
  const n1 = h.write({ count: 2, eventNames: ['RunInstances'], deliveryTime: h.clock.now() - 2 * MIN });
  const n2 = h.write({ count: 2, eventNames: ['RunInstances'], deliveryTime: h.clock.now() - MIN });
  h.aws.sim.addFault({ kind: 'throttle', service: 's3', api: 'GetObject', count: 1 });
  const failed = await h.run();
  assert.equal(failed.partialErrors.length, 1);
  assert.equal(failed.partialErrors[0].kind, 'transient');
  assert.equal(failed.partialErrors[0].scope, 'cloudtrail:us-east-1:2026/11/21');
  h.s3Requests.length = 0;
  const retried = await h.run();
  assert.deepEqual(retried.partialErrors, []);
  const got = new Set([...eventIds(failed), ...eventIds(retried)]);
  for (const rec of [...n1.records, ...n2.records]) assert.ok(got.has(rec.eventID as string));
  assert.equal(eventIds(failed).length + eventIds(retried).length, got.size, 'nothing emitted twice');
});

test('a run reads at most maxFilesPerRun files; the rest follows in the next run', async (t) => {
  const h = await cloudTrailHarness(t, { deps: { maxFilesPerRun: 2 } });
  const files = [20, 15, 10, 5].map((m) => h.write({ deliveryTime: T0 - m * MIN, count: 1, eventNames: ['RunInstances'] }));
  const r1 = await h.run();
  assert.equal(r1.events.length, 2);
  assert.match(String(r1.warning), /2 log file\(s\) left for the next run/);
  h.clock.advance(MIN);
  const r2 = await h.run();
  assert.equal(r2.events.length, 2);
  assert.deepEqual(h.downloaded(), files.map((f) => f.key));
});
