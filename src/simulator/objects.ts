import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface S3Object {
  key: string;
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
  /** Quoted MD5 hex, as S3 returns it for single-part uploads. */
  etag: string;
  /** Base64 big-endian CRC32 of the body (returned when the client asks for checksums). */
  crc32: string;
  lastModified: number;
  metadata: Record<string, string>;
}

export interface Bucket {
  name: string;
  accountId: string;
  region: string;
  createdAt: number;
  /** Other accounts allowed to read (a bucket policy granting s3:GetObject/ListBucket); `*` for any. */
  readers: Set<string>;
  objects: Map<string, S3Object>;
  /** Keys in UTF-8 binary order, as S3 lists them. */
  sortedKeys: string[];
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer | string;
  contentType?: string;
  contentEncoding?: string;
  metadata?: Record<string, string>;
}

const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const isValidBucketName = (name: string): boolean =>
  BUCKET_NAME.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);

export function crc32Base64(body: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(body) >>> 0);
  return out.toString('base64');
}

/** Compares strings by their UTF-8 bytes (S3's listing order); equal to code-unit order outside surrogates. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Bucket names are global, as in S3; each bucket belongs to one account and one region. */
export class ObjectStore {
  readonly buckets = new Map<string, Bucket>();

  createBucket(input: { name: string; accountId: string; region: string; readers?: string[] }, now: number): Bucket {
    if (!isValidBucketName(input.name)) throw new Error(`invalid bucket name ${input.name}`);
    const existing = this.buckets.get(input.name);
    if (existing) {
      if (existing.accountId !== input.accountId) throw new Error(`bucket ${input.name} belongs to ${existing.accountId}`);
      for (const r of input.readers ?? []) existing.readers.add(r);
      return existing;
    }
    const bucket: Bucket = {
      name: input.name,
      accountId: input.accountId,
      region: input.region,
      createdAt: now,
      readers: new Set(input.readers ?? []),
      objects: new Map(),
      sortedKeys: [],
    };
    this.buckets.set(input.name, bucket);
    return bucket;
  }

  putObject(input: PutObjectInput, now: number): S3Object {
    const bucket = this.buckets.get(input.bucket);
    if (!bucket) throw new Error(`unknown bucket ${input.bucket}`);
    const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body;
    const object: S3Object = {
      key: input.key,
      body,
      contentType: input.contentType ?? 'binary/octet-stream',
      contentEncoding: input.contentEncoding,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      crc32: crc32Base64(body),
      lastModified: now,
      metadata: { ...(input.metadata ?? {}) },
    };
    if (!bucket.objects.has(input.key)) {
      const i = lowerBound(bucket.sortedKeys, input.key);
      bucket.sortedKeys.splice(i, 0, input.key);
    }
    bucket.objects.set(input.key, object);
    return object;
  }

  deleteObject(bucketName: string, key: string): boolean {
    const bucket = this.buckets.get(bucketName);
    if (!bucket || !bucket.objects.delete(key)) return false;
    const i = lowerBound(bucket.sortedKeys, key);
    if (bucket.sortedKeys[i] === key) bucket.sortedKeys.splice(i, 1);
    return true;
  }

  getObject(bucketName: string, key: string): S3Object | undefined {
    return this.buckets.get(bucketName)?.objects.get(key);
  }
}

/** First index whose key is >= `key` (UTF-8 order). */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > `key`. */
export function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
