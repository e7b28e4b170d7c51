import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  GetBucketLocationCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  type ListObjectsV2CommandInput,
} from '@aws-sdk/client-s3';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world, type Credentials, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('S3 (REST-XML, path style)', () => {
  let w: World;
  let creds: Credentials;
  let s3: S3Client;
  const client = (c: Credentials, region = 'us-east-1'): S3Client => new S3Client({ ...cfg(w.sim, c, region), forcePathStyle: true });

  before(async () => {
    w = await world({ clock: () => NOW });
    creds = await assume(w);
    s3 = client(creds);
    await s3.send(new CreateBucketCommand({ Bucket: 'logs-bucket' }));
  });
  after(async () => {
    s3.destroy();
    await w.sim.close();
  });

  test('CreateBucket makes a bucket owned by the caller account; a second create is BucketAlreadyOwnedByYou', async () => {
    assert.equal(w.sim.state.objects.buckets.get('logs-bucket')?.accountId, CUSTOMER_ACCOUNT);
    assert.equal(w.sim.state.objects.buckets.get('logs-bucket')?.region, 'us-east-1');
    const again = await errorOf(() => s3.send(new CreateBucketCommand({ Bucket: 'logs-bucket' })));
    assert.equal(again.name, 'BucketAlreadyOwnedByYou');
    assert.equal(again.$metadata?.httpStatusCode, 409);
    const other = client(w.base);
    const taken = await errorOf(() => other.send(new CreateBucketCommand({ Bucket: 'logs-bucket' })));
    other.destroy();
    assert.equal(taken.name, 'BucketAlreadyExists');
    const invalid = await errorOf(() => s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
    assert.equal(invalid.name, 'InvalidBucketName');
    const eu = client(creds, 'eu-west-1');
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const head = await eu.send(new HeadBucketCommand({ Bucket: 'eu-bucket' }));
    eu.destroy();
    assert.equal(head.BucketRegion, 'eu-west-1');
  });

  test('PutObject / GetObject round-trip strings, buffers and streams (aws-chunked)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'dir/a b+c.txt', Body: 'hello world', ContentType: 'text/plain', Metadata: { owner: 'skyport' } }));
    assert.equal(put.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'dir/a b+c.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello world');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ContentLength, 11);
    assert.equal(got.ETag, put.ETag);
    assert.deepEqual(got.Metadata, { owner: 'skyport' });
    assert.equal(got.LastModified?.getTime(), NOW);

    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'bin/buffer', Body: bytes }));
    const gotBytes = await s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'bin/buffer' }));
    assert.deepEqual(Buffer.from(await gotBytes.Body!.transformToByteArray()), bytes);

    await s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'bin/stream', Body: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000, 5000)]), ContentLength: 5000 }));
    assert.deepEqual(w.sim.getObject('logs-bucket', 'bin/stream')?.body, bytes.subarray(0, 5000));

    const range = await s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'dir/a b+c.txt', Range: 'bytes=6-10' }));
    assert.equal(await range.Body?.transformToString(), 'world');
    assert.equal(range.ContentRange, 'bytes 6-10/11');
    assert.equal(range.$metadata.httpStatusCode, 206);
  });

  test('HeadObject and HeadBucket; NoSuchKey, NoSuchBucket and NotFound', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'logs-bucket', Key: 'dir/a b+c.txt' }));
    assert.equal(head.ContentLength, 11);
    await s3.send(new HeadBucketCommand({ Bucket: 'logs-bucket' }));
    const noKey = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'missing' })));
    assert.equal(noKey.name, 'NoSuchKey');
    assert.equal(noKey.$metadata?.httpStatusCode, 404);
    const noBucket = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })));
    assert.equal(noBucket.name, 'NoSuchBucket');
    const list = await errorOf(() => s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));
    assert.equal(list.name, 'NoSuchBucket');
    const headMissing = await errorOf(() => s3.send(new HeadObjectCommand({ Bucket: 'logs-bucket', Key: 'missing' })));
    assert.equal(headMissing.name, 'NotFound');
    const headBucket = await errorOf(() => s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
    assert.equal(headBucket.name, 'NotFound');
  });

  test('DeleteObject removes the key', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'tmp/x', Body: 'x' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'logs-bucket', Key: 'tmp/x' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    const err = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'tmp/x' })));
    assert.equal(err.name, 'NoSuchKey');
  });

  describe('ListObjectsV2', () => {
    const keys: string[] = [];
    before(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'list-bucket' }));
      for (const day of ['01', '02', '03']) {
        for (let i = 0; i < 5; i++) keys.push(`AWSLogs/111/CloudTrail/us-east-1/2026/11/${day}/file-${i}.json.gz`);
      }
      keys.push('AWSLogs/111/CloudTrail/eu-west-1/2026/11/01/file-0.json.gz', 'AWSLogs/111/CloudTrail-Digest/x', 'top.txt', 'zeta/1', 'zeta/2');
      for (const key of keys) w.sim.putObject({ bucket: 'list-bucket', key, body: key });
      keys.sort();
    });

    const list = (input: Omit<ListObjectsV2CommandInput, 'Bucket'>) => s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', ...input }));

    test('lists every key in order with sizes, ETags and KeyCount', async () => {
      const out = await list({});
      assert.deepEqual(out.Contents?.map((c) => c.Key), keys);
      assert.equal(out.KeyCount, keys.length);
      assert.equal(out.IsTruncated, false);
      assert.equal(out.Contents?.[0].Size, keys[0].length);
      assert.match(out.Contents?.[0].ETag ?? '', /^"[0-9a-f]{32}"$/);
      assert.equal(out.Contents?.[0].LastModified?.getTime(), NOW);
    });

    test('Prefix and Delimiter give CommonPrefixes', async () => {
      const regions = await list({ Prefix: 'AWSLogs/111/CloudTrail/', Delimiter: '/' });
      assert.deepEqual(regions.CommonPrefixes?.map((p) => p.Prefix), ['AWSLogs/111/CloudTrail/eu-west-1/', 'AWSLogs/111/CloudTrail/us-east-1/']);
      assert.equal(regions.Contents, undefined);
      assert.equal(regions.KeyCount, 2);
      const days = await list({ Prefix: 'AWSLogs/111/CloudTrail/us-east-1/2026/11/', Delimiter: '/' });
      assert.deepEqual(days.CommonPrefixes?.map((p) => p.Prefix?.slice(-3)), ['01/', '02/', '03/']);
      const root = await list({ Delimiter: '/' });
      assert.deepEqual(root.CommonPrefixes?.map((p) => p.Prefix), ['AWSLogs/', 'zeta/']);
      assert.deepEqual(root.Contents?.map((c) => c.Key), ['top.txt']);
    });

    test('StartAfter continues after a key (the CloudTrail cursor)', async () => {
      const day = 'AWSLogs/111/CloudTrail/us-east-1/2026/11/02/';
      const out = await list({ Prefix: day, StartAfter: `${day}file-2.json.gz` });
      assert.deepEqual(out.Contents?.map((c) => c.Key), [`${day}file-3.json.gz`, `${day}file-4.json.gz`]);
      assert.equal(out.StartAfter, `${day}file-2.json.gz`);
    });

    test('MaxKeys and ContinuationToken page through keys and common prefixes', async () => {
      const seen: string[] = [];
      const pages: number[] = [];
      let token: string | undefined;
      do {
        const out = await list({ MaxKeys: 6, ContinuationToken: token });
        pages.push(out.KeyCount ?? 0);
        assert.equal(out.MaxKeys, 6);
        seen.push(...(out.Contents ?? []).map((c) => c.Key ?? ''));
        assert.equal(out.IsTruncated, out.NextContinuationToken !== undefined);
        token = out.NextContinuationToken;
      } while (token);
      assert.deepEqual(pages, [6, 6, 6, 2]);
      assert.deepEqual(seen, keys);

      const prefixes: string[] = [];
      token = undefined;
      do {
        const out = await list({ Prefix: 'AWSLogs/111/CloudTrail/us-east-1/2026/11/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token });
        prefixes.push(...(out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
        token = out.NextContinuationToken;
      } while (token);
      assert.deepEqual(prefixes.map((p) => p.slice(-3)), ['01/', '02/', '03/']);
    });

    test('MaxKeys above 1000 is capped at 1000; a bad token is InvalidArgument', async () => {
      const out = await list({ MaxKeys: 5000 });
      assert.equal(out.MaxKeys, 1000);
      const err = await errorOf(() => list({ ContinuationToken: 'not-a-token' }));
      assert.equal(err.name, 'InvalidArgument');
    });
  });

  test('other accounts are denied unless the bucket grants them read', async () => {
    const outsider = client(w.base);
    const denied = await errorOf(() => outsider.send(new ListObjectsV2Command({ Bucket: 'logs-bucket' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    w.sim.createBucket({ name: 'logs-bucket', accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', readers: [w.skyport.accountId] });
    const listed = await outsider.send(new ListObjectsV2Command({ Bucket: 'logs-bucket', Prefix: 'dir/' }));
    assert.equal(listed.KeyCount, 1);
    const write = await errorOf(() => outsider.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'x', Body: 'x' })));
    assert.equal(write.name, 'AccessDenied');
    outsider.destroy();
  });

  test('a request signed for another region than the bucket is AuthorizationHeaderMalformed', async () => {
    const wrong = client(creds, 'us-west-2');
    const err = await errorOf(() => wrong.send(new ListObjectsV2Command({ Bucket: 'logs-bucket' })));
    wrong.destroy();
    assert.equal(err.name, 'AuthorizationHeaderMalformed');
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  test('auth errors: InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken', async () => {
    const unknown = client({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x'.repeat(40) });
    const e1 = await errorOf(() => unknown.send(new ListObjectsV2Command({ Bucket: 'logs-bucket' })));
    unknown.destroy();
    assert.equal(e1.name, 'InvalidAccessKeyId');
    assert.equal(e1.$metadata?.httpStatusCode, 403);
    const bad = client({ ...creds, secretAccessKey: 'q'.repeat(40) });
    const e2 = await errorOf(() => bad.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'k', Body: 'v' })));
    bad.destroy();
    assert.equal(e2.name, 'SignatureDoesNotMatch');
    w.sim.clock.advance(3600_000);
    const e3 = await errorOf(() => s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'dir/a b+c.txt' })));
    w.sim.clock.reset();
    assert.equal(e3.name, 'ExpiredToken');
    assert.equal(e3.$metadata?.httpStatusCode, 400);
  });

  test('a multi-megabyte upload (Expect: 100-continue) round-trips', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    big.write('start');
    await s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'big/blob', Body: big }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'logs-bucket', Key: 'big/blob' }));
    assert.equal(got.ContentLength, big.length);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(big));
  });

  test('ListBuckets, GetBucketLocation and ListObjects (v1)', async () => {
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets?.map((b) => b.Name), ['eu-bucket', 'list-bucket', 'logs-bucket']);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'logs-bucket' }));
    assert.equal(location.LocationConstraint, undefined, 'us-east-1 is the empty location constraint');
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'list-bucket', Prefix: 'zeta/', MaxKeys: 1 }));
    assert.deepEqual(v1.Contents?.map((c) => c.Key), ['zeta/1']);
    assert.equal(v1.IsTruncated, true);
    const rest = await s3.send(new ListObjectsCommand({ Bucket: 'list-bucket', Prefix: 'zeta/', Marker: 'zeta/1' }));
    assert.deepEqual(rest.Contents?.map((c) => c.Key), ['zeta/2']);
  });

  test('a wrong CRC32 checksum is BadDigest', async () => {
    const err = await errorOf(() => s3.send(new PutObjectCommand({ Bucket: 'logs-bucket', Key: 'crc', Body: 'data', ChecksumCRC32: 'AAAAAA==' })));
    assert.equal(err.name, 'BadDigest');
  });
});
