// The streaming reader of CloudTrail log files: records are found across arbitrary chunk boundaries, the
// file is never held whole, and a 100 MB (uncompressed) file is read with bounded memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LogFormatError, readLogStream, RecordsSplitter, type CloudTrailRecord } from '../../../src/services/collection/collectors/cloudtrail/records.ts';
import { ACCOUNT, cloudTrailHarness, MIN, T0 } from './cloudtrailSetup.ts';

function split(doc: Buffer, cuts: number[], maxRecordBytes?: number): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  const s = new RecordsSplitter((r) => out.push(r), maxRecordBytes);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    s.push(doc.subarray(at, cut));
    at = cut;
  }
  s.push(doc.subarray(at));
  s.end();
  return out;
}

test('records are found whatever the chunk boundaries: escapes, multi-byte characters, nested brackets in strings', () => {
  const records = [
    { s: 'quote " backslash \\ both \\" end \\\\', u: 'héllo ✓ 𝄞 日本', n: { a: [1, 2, { b: '}]' }], e: {}, z: [] } },
    { eventName: 'RunInstances', requestParameters: { text: '{"Records":[' } },
    {},
  ];
  const doc = Buffer.from(JSON.stringify({ eventVersionFirst: { Records: [{ decoy: true }] }, Records: [...records, 7, null, 'x', [1]], After: [1, { c: 2 }] }, null, 2));
  for (let a = 0; a <= doc.length; a++) {
    assert.deepEqual(split(doc, [a, Math.min(doc.length, a + 1), Math.min(doc.length, a + 2)]), records, `cut at ${a}`);
  }
  // One byte at a time.
  assert.deepEqual(split(doc, Array.from({ length: doc.length }, (_, i) => i)), records);
});

test('property: any records array, split anywhere, comes out as JSON.parse reads it', () => {
  fc.assert(
    fc.property(
      fc.array(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (records, cutSeeds, pretty) => {
        const doc = Buffer.from(JSON.stringify({ Records: records }, null, pretty ? 1 : 0));
        const cuts = cutSeeds.map((n) => n % (doc.length + 1));
        assert.deepEqual(split(doc, cuts), JSON.parse(doc.toString('utf8')).Records);
      },
    ),
    { numRuns: 300 },
  );
});

test('malformed files are LogFormatErrors: not an object, truncated, trailing data, bad record, record too large', () => {
  const cases: Array<[string, RegExp, number?]> = [
    ['', /empty/],
    ['[{"a":1}]', /not a JSON object/],
    ['{"Records":[{"a":1}', /truncated/],
    ['{"Records":[{"a":"unterminated', /truncated/],
    ['{"Records":[{"a":1}]} {', /after the end/],
    ['{"Records":[{"a":tru}]}', /malformed record/],
    ['{"Records":[{"a":"' + 'x'.repeat(200) + '"}]}', /larger than 100 bytes/, 100],
  ];
  for (const [text, message, max] of cases) {
    assert.throws(() => split(Buffer.from(text), [Math.floor(text.length / 2)], max), (e: unknown) => e instanceof LogFormatError && message.test((e as Error).message), text.slice(0, 40));
  }
  assert.deepEqual(split(Buffer.from('{}'), []), []);
  assert.deepEqual(split(Buffer.from('{"Records":[]}'), []), []);
});

test('readLogStream reads gzipped and plain bodies, in any chunking; a broken gzip stream is a zlib error', async () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ eventID: `e${i}`, eventName: 'CreateTags', payload: 'p'.repeat(i * 5) }));
  const json = Buffer.from(JSON.stringify({ Records: records }));
  const gz = gzipSync(json);
  const chunks = (buf: Buffer, size: number) => Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size));
  for (const body of [gz, json]) {
    for (const size of [1, 7, 1000, body.length]) {
      const got: CloudTrailRecord[] = [];
      const res = await readLogStream(Readable.from(chunks(body, size)), (r) => got.push(r));
      assert.deepEqual(got, records);
      assert.deepEqual(res, { records: 50, bytes: json.length });
    }
  }
  await assert.rejects(readLogStream(Readable.from([gz.subarray(0, gz.length - 20)]), () => {}), (e: NodeJS.ErrnoException) => String(e.code).startsWith('Z_'));
});

/** A gzipped `{"Records":[…]}` of at least `bytes` uncompressed, built as a stream (never whole in memory). */
async function bigLogFile(bytes: number, keepEvery: number): Promise<{ body: Buffer; records: number; kept: number; size: number }> {
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(40);
  let records = 0;
  let kept = 0;
  let size = 0;
  const gzip = createGzip({ level: 1 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const write = (s: string) => {
    size += Buffer.byteLength(s);
    gzip.write(s);
  };
  write('{"Records":[');
  const t = new Date(T0 - 3 * MIN).toISOString();
  while (size < bytes) {
    const parts: string[] = [];
    for (let i = 0; i < 64; i++, records++) {
      const k = records % keepEvery === 0;
      if (k) kept++;
      parts.push(
        `${records === 0 ? '' : ','}{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::${ACCOUNT}:assumed-role/Operator/s${records % 9}"},` +
          `"eventTime":"${t}","eventSource":"ec2.amazonaws.com","eventName":"${k ? 'RunInstances' : 'DescribeInstances'}","awsRegion":"us-east-1",` +
          `"sourceIPAddress":"203.0.113.9","requestParameters":{"filter":"${filler}","n":${records},"escaped":"a \\"quoted\\" \\\\ value"},` +
          `"eventID":"00000000-0000-4000-8000-${String(records).padStart(12, '0')}","readOnly":${k ? 'false' : 'true'},"eventType":"AwsApiCall","recipientAccountId":"${ACCOUNT}"}`,
      );
    }
    write(parts.join(''));
  }
  write(']}');
  gzip.end();
  await done;
  return { body: Buffer.concat(out), records, kept, size };
}

test('a 100 MB (uncompressed) log file is read through S3 with bounded memory', { timeout: 120_000 }, async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const h = await cloudTrailHarness(t);
  const file = await bigLogFile(100 * 1024 * 1024, 100);
  assert.ok(file.size >= 100 * 1024 * 1024);
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/21/${ACCOUNT}_CloudTrail_us-east-1_20261121T1158Z_BIGFILE000000001.json.gz`;
  h.aws.sim.createBucket({ name: 'trail-bucket', accountId: ACCOUNT, region: 'us-east-1' });
  h.aws.sim.putObject({ bucket: 'trail-bucket', key, body: file.body });

  gc();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    const used = process.memoryUsage().heapUsed;
    if (used > peak) peak = used;
  }, 2);
  const started = performance.now();
  let result;
  try {
    result = await h.run();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const growth = peak - baseline;
  t.diagnostic(
    `${(file.size / 1e6).toFixed(0)} MB uncompressed (${(file.body.length / 1e6).toFixed(1)} MB gzipped), ${file.records} records in ${seconds.toFixed(2)} s; ` +
      `heap growth peak ${(growth / 1e6).toFixed(1)} MB`,
  );
  assert.deepEqual(result.partialErrors, []);
  assert.equal(result.events.length, file.kept, 'every record was parsed: the kept ones are all there');
  assert.ok(growth < 40 * 1024 * 1024, `heap grew by ${(growth / 1e6).toFixed(1)} MB while reading a ${(file.size / 1e6).toFixed(0)} MB file`);
});
