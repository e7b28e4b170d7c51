import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { dayPrefix } from '../../src/simulator/index.ts';
import { assume, cfg, CUSTOMER_ACCOUNT, world, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 7, 30);
const ACCT = CUSTOMER_ACCOUNT;

describe('CloudTrail log writer (read back through S3)', () => {
  let w: World;
  let s3: S3Client;
  before(async () => {
    w = await world({ clock: () => NOW });
    s3 = new S3Client({ ...cfg(w.sim, await assume(w)), forcePathStyle: true });
  });
  after(async () => {
    s3.destroy();
    await w.sim.close();
  });

  const read = async (bucket: string, key: string): Promise<{ raw: Buffer; json: unknown }> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const raw = Buffer.from(await out.Body!.transformToByteArray());
    return { raw, json: JSON.parse(gunzipSync(raw).toString('utf8')) };
  };

  test('writes gzipped {"Records":[…]} at <prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/', async () => {
    const r = w.sim.writeCloudTrail({ accountId: ACCT, region: 'us-east-1', bucket: 'ct-bucket', prefix: 'org-logs', count: 25, digest: false });
    assert.match(
      r.key,
      new RegExp(`^org-logs/AWSLogs/${ACCT}/CloudTrail/us-east-1/2026/11/21/${ACCT}_CloudTrail_us-east-1_20261121T1207Z_[A-Za-z0-9]{16}\\.json\\.gz$`),
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'ct-bucket', Prefix: `org-logs/AWSLogs/${ACCT}/CloudTrail/us-east-1/2026/11/21/` }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), [r.key]);
    const { json } = await read('ct-bucket', r.key);
    const records = (json as { Records: Array<Record<string, unknown>> }).Records;
    assert.equal(records.length, 25);
    assert.equal(new Set(records.map((x) => x.eventID)).size, 25);
    for (const rec of records) {
      assert.equal(rec.eventVersion, '1.11');
      assert.equal(rec.awsRegion, 'us-east-1');
      assert.equal(rec.eventSource, 'ec2.amazonaws.com');
      assert.equal(rec.recipientAccountId, ACCT);
      assert.equal(rec.eventType, 'AwsApiCall');
      assert.equal((rec.userIdentity as { accountId: string }).accountId, ACCT);
      const t = Date.parse(String(rec.eventTime));
      assert.ok(t <= NOW && t > NOW - 5 * 60_000, 'records are written in the 5 minutes before delivery');
      assert.equal(rec.readOnly, /^(Describe|Get|List)/.test(String(rec.eventName)));
    }
  });

  test('given records are written verbatim', async () => {
    const mine = [{ eventVersion: '1.11', eventName: 'RunInstances', eventID: 'e-1', eventTime: '2026-11-21T12:00:00Z', awsRegion: 'eu-west-1' }];
    const r = w.sim.writeCloudTrail({ accountId: ACCT, region: 'eu-west-1', bucket: 'ct-bucket', records: mine, digest: false });
    assert.ok(r.key.startsWith(`AWSLogs/${ACCT}/CloudTrail/eu-west-1/2026/11/21/`));
    assert.deepEqual((await read('ct-bucket', r.key)).json, { Records: mine });
  });

  test('organization trails insert o-<org> after AWSLogs/', async () => {
    const a = w.sim.writeCloudTrail({ accountId: ACCT, region: 'us-east-1', bucket: 'ct-bucket', orgId: 'o-abc123def4', count: 1, digest: false });
    const b = w.sim.writeCloudTrail({ accountId: ACCT, region: 'us-east-1', bucket: 'ct-bucket', orgId: 'xyz9876543', count: 1, digest: false });
    assert.ok(a.key.startsWith(`AWSLogs/o-abc123def4/${ACCT}/CloudTrail/us-east-1/2026/11/21/${ACCT}_CloudTrail_us-east-1_`));
    assert.ok(b.key.startsWith(`AWSLogs/o-xyz9876543/${ACCT}/CloudTrail/`));
    const orgs = await s3.send(new ListObjectsV2Command({ Bucket: 'ct-bucket', Prefix: 'AWSLogs/', Delimiter: '/' }));
    assert.deepEqual(orgs.CommonPrefixes?.map((p) => p.Prefix), [`AWSLogs/${ACCT}/`, 'AWSLogs/o-abc123def4/', 'AWSLogs/o-xyz9876543/']);
  });

  test('digest files go under CloudTrail-Digest/ and list the log file with its SHA-256', async () => {
    const r = w.sim.writeCloudTrail({ accountId: ACCT, region: 'us-west-2', bucket: 'digest-bucket', bucketRegion: 'us-east-1', count: 3 });
    assert.equal(
      r.digestKey,
      `AWSLogs/${ACCT}/CloudTrail-Digest/us-west-2/2026/11/21/${ACCT}_CloudTrail-Digest_us-west-2_management-events_us-west-2_20261121T120730Z.json.gz`,
    );
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'digest-bucket', Prefix: `AWSLogs/${ACCT}/`, Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), [`AWSLogs/${ACCT}/CloudTrail-Digest/`, `AWSLogs/${ACCT}/CloudTrail/`]);
    const digest = (await read('digest-bucket', r.digestKey!)).json as { awsAccountId: string; logFiles: Array<{ s3Object: string; hashValue: string; hashAlgorithm: string }> };
    assert.equal(digest.awsAccountId, ACCT);
    const log = await read('digest-bucket', r.key);
    assert.deepEqual(digest.logFiles.map((f) => [f.s3Object, f.hashAlgorithm, f.hashValue]), [[r.key, 'SHA-256', createHash('sha256').update(log.raw).digest('hex')]]);
  });

  test('a late file sorts before what a StartAfter cursor has already passed', async () => {
    const day = dayPrefix({ accountId: ACCT, region: 'ap-northeast-1' }, NOW);
    const written = [0, 1, 2].map((i) =>
      w.sim.writeCloudTrail({ accountId: ACCT, region: 'ap-northeast-1', bucket: 'late-bucket', bucketRegion: 'us-east-1', count: 2, deliveryTime: NOW - (2 - i) * 5 * 60_000, digest: false }),
    );
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'late-bucket', Prefix: day }));
    const cursor = first.Contents?.at(-1)?.Key;
    assert.equal(cursor, written[2].key);

    const late = w.sim.writeCloudTrail({ accountId: ACCT, region: 'ap-northeast-1', bucket: 'late-bucket', count: 2, late: true, digest: false });
    assert.ok(late.key.startsWith(day));
    assert.ok(late.key < cursor, `${late.key} sorts before ${cursor}`);
    assert.match(late.key, /_20261121T1207Z_/, 'same delivery minute as the newest file');
    const afterCursor = await s3.send(new ListObjectsV2Command({ Bucket: 'late-bucket', Prefix: day, StartAfter: cursor }));
    assert.equal(afterCursor.KeyCount, 0, 'a plain StartAfter cursor misses the late file');
    const withMargin = await s3.send(
      new ListObjectsV2Command({ Bucket: 'late-bucket', Prefix: day, StartAfter: `${day}${ACCT}_CloudTrail_ap-northeast-1_20261121T1200Z` }),
    );
    assert.deepEqual(withMargin.Contents?.map((c) => c.Key).sort(), [written[1].key, written[2].key, late.key].sort());
  });
});
