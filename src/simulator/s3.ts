import { createHash } from 'node:crypto';
import { failure, SimError } from './errors.ts';
import { compareKeys, crc32Base64, isValidBucketName, lowerBound, upperBound, type Bucket, type S3Object } from './objects.ts';
import type { CallContext, ServiceHandler, SimRequest, SimResponse } from './request.ts';
import { el, escapeXml, firstElementText, wrap, XML_DECLARATION } from './xml.ts';

/** S3 REST-XML, path-style addressing only (`/<bucket>/<key>`). */
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

interface Target {
  bucket?: string;
  key?: string;
}

function decodePath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new SimError(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

function targetOf(req: SimRequest): Target {
  const path = req.rawPath.startsWith('/') ? req.rawPath.slice(1) : req.rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  const bucket = decodePath(slash < 0 ? path : path.slice(0, slash));
  const rawKey = slash < 0 ? '' : path.slice(slash + 1);
  return rawKey === '' ? { bucket } : { bucket, key: decodePath(rawKey) };
}

function operationOf(req: SimRequest): string {
  const { bucket, key } = targetOf(req);
  const m = req.method;
  if (bucket === undefined) return m === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) {
    if (m === 'PUT' && req.query.size === 0) return 'CreateBucket';
    if (m === 'HEAD') return 'HeadBucket';
    if (m === 'DELETE' && req.query.size === 0) return 'DeleteBucket';
    if (m === 'GET' && req.query.has('location')) return 'GetBucketLocation';
    if (m === 'GET' && req.query.get('list-type') === '2') return 'ListObjectsV2';
    if (m === 'GET' && ![...req.query.keys()].some((k) => !['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'].includes(k))) return 'ListObjects';
    return 'Unknown';
  }
  const sub = [...req.query.keys()].filter((k) => k !== 'x-id');
  if (sub.length > 0) return 'Unknown';
  if (m === 'PUT') return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (m === 'GET') return 'GetObject';
  if (m === 'HEAD') return 'HeadObject';
  if (m === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

function xml(requestId: string, body: string, status = 200, headers: Record<string, string | number> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/xml', ...baseHeaders(requestId), ...headers }, body: XML_DECLARATION + body };
}

function baseHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64') };
}

const noSuchBucket = (name: string): SimError => new SimError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });

/** The bucket, checked for existence, region (the client must sign for the bucket's region) and access. */
function bucketFor(ctx: CallContext, name: string, write: boolean): Bucket {
  const bucket = ctx.state.objects.buckets.get(name);
  if (!bucket) throw noSuchBucket(name);
  if (bucket.region !== ctx.region) {
    throw new SimError(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${ctx.region}' is wrong; expecting '${bucket.region}'`,
      { Region: bucket.region },
    );
  }
  const account = ctx.caller.accountId;
  const allowed = bucket.accountId === account || (!write && (bucket.readers.has(account) || bucket.readers.has('*')));
  if (!allowed) throw failure('s3', 'access-denied');
  return bucket;
}

function createBucket(ctx: CallContext, name: string): SimResponse {
  if (!isValidBucketName(name)) throw new SimError(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
  const body = ctx.req.body.toString('utf8');
  const constraint = body ? firstElementText(body, 'LocationConstraint') : undefined;
  const region = constraint || 'us-east-1';
  if (region !== ctx.region && !(constraint === undefined && ctx.region === 'us-east-1')) {
    throw new SimError(
      400,
      'IllegalLocationConstraintException',
      `The ${region} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const existing = ctx.state.objects.buckets.get(name);
  if (existing) {
    if (existing.accountId === ctx.caller.accountId) {
      throw new SimError(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
    }
    throw new SimError(409, 'BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', { BucketName: name });
  }
  ctx.state.objects.createBucket({ name, accountId: ctx.caller.accountId, region }, ctx.clock.now());
  return { status: 200, headers: { ...baseHeaders(ctx.requestId), location: `/${name}` }, body: '' };
}

function objectHeaders(o: S3Object): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': o.contentType,
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (o.contentEncoding) headers['content-encoding'] = o.contentEncoding;
  for (const [k, v] of Object.entries(o.metadata)) headers[`x-amz-meta-${k}`] = v;
  return headers;
}

function putObject(ctx: CallContext, bucketName: string, key: string): SimResponse {
  const bucket = bucketFor(ctx, bucketName, true);
  if (key.length > 1024) throw new SimError(400, 'KeyTooLongError', 'Your key is too long');
  const { req } = ctx;
  const body = req.body;
  const decodedLength = req.headers['x-amz-decoded-content-length'];
  if (typeof decodedLength === 'string' && Number(decodedLength) !== body.length) {
    throw new SimError(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
  }
  const md5 = req.headers['content-md5'];
  if (typeof md5 === 'string' && createHash('md5').update(body).digest('base64') !== md5) {
    throw new SimError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const crc = (req.headers['x-amz-checksum-crc32'] as string | undefined) ?? req.trailers['x-amz-checksum-crc32'];
  if (crc !== undefined && crc !== crc32Base64(body)) {
    throw new SimError(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  const encoding = String(req.headers['content-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'aws-chunked')
    .join(',');
  const object = ctx.state.objects.putObject(
    {
      bucket: bucket.name,
      key,
      body,
      contentType: (req.headers['content-type'] as string | undefined) ?? 'binary/octet-stream',
      contentEncoding: encoding || undefined,
      metadata,
    },
    ctx.clock.now(),
  );
  const headers: Record<string, string> = { ...baseHeaders(ctx.requestId), etag: object.etag };
  if (crc !== undefined) headers['x-amz-checksum-crc32'] = object.crc32;
  return { status: 200, headers, body: '' };
}

function parseRange(header: string, size: number): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new SimError(416, 'InvalidRange', 'The requested range is not satisfiable');
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) throw new SimError(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header });
  return [start, end];
}

function getObject(ctx: CallContext, bucketName: string, key: string, head: boolean): SimResponse {
  const bucket = bucketFor(ctx, bucketName, false);
  const object = bucket.objects.get(key);
  if (!object) throw new SimError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
  const headers: Record<string, string | number> = { ...baseHeaders(ctx.requestId), ...objectHeaders(object) };
  const rangeHeader = ctx.req.headers.range;
  const range = typeof rangeHeader === 'string' ? parseRange(rangeHeader, object.body.length) : undefined;
  let body = object.body;
  let status = 200;
  if (range) {
    body = object.body.subarray(range[0], range[1] + 1);
    status = 206;
    headers['content-range'] = `bytes ${range[0]}-${range[1]}/${object.body.length}`;
  } else if (ctx.req.headers['x-amz-checksum-mode'] === 'ENABLED') {
    headers['x-amz-checksum-crc32'] = object.crc32;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  headers['content-length'] = body.length;
  return { status, headers, body: head ? undefined : body };
}

interface ListEntry {
  key: string;
  object?: S3Object;
  commonPrefix?: boolean;
}

/** The first string greater than every string starting with `prefix`. */
function successor(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function listEntries(bucket: Bucket, prefix: string, delimiter: string, startPos: number, limit: number): { entries: ListEntry[]; truncated: boolean } {
  const keys = bucket.sortedKeys;
  const entries: ListEntry[] = [];
  let i = Math.max(startPos, lowerBound(keys, prefix));
  while (i < keys.length) {
    const key = keys[i];
    if (!key.startsWith(prefix)) break;
    let entry: ListEntry = { key, object: bucket.objects.get(key) };
    if (delimiter !== '') {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) entry = { key: key.slice(0, at + delimiter.length), commonPrefix: true };
    }
    if (entries.length === limit) return { entries, truncated: true };
    entries.push(entry);
    i = entry.commonPrefix ? lowerBound(keys, successor(entry.key)) : i + 1;
  }
  return { entries, truncated: false };
}

function listObjectsV2(ctx: CallContext, bucketName: string): SimResponse {
  const bucket = bucketFor(ctx, bucketName, false);
  const q = ctx.req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after');
  const token = q.get('continuation-token');
  const maxKeysRaw = q.get('max-keys');
  const encodeUrl = q.get('encoding-type') === 'url';
  let maxKeys = 1000;
  if (maxKeysRaw !== undefined) {
    if (!/^\d+$/.test(maxKeysRaw)) throw new SimError(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: maxKeysRaw });
    maxKeys = Math.min(1000, Number(maxKeysRaw));
  }
  let startPos = 0;
  if (token !== undefined) {
    let cursor: { k: string; p: boolean };
    try {
      cursor = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { k: string; p: boolean };
      if (typeof cursor.k !== 'string') throw new Error('bad token');
    } catch {
      throw new SimError(400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    }
    startPos = cursor.p ? lowerBound(bucket.sortedKeys, successor(cursor.k)) : upperBound(bucket.sortedKeys, cursor.k);
  } else if (startAfter !== undefined) {
    startPos = upperBound(bucket.sortedKeys, startAfter);
  }
  const { entries, truncated } = listEntries(bucket, prefix, delimiter, startPos, maxKeys);
  const enc = (s: string): string => (encodeUrl ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const last = entries[entries.length - 1];
  const contents = entries
    .filter((e) => !e.commonPrefix && e.object)
    .map((e) => {
      const o = e.object as S3Object;
      return wrap(
        'Contents',
        el('Key', enc(o.key)) + el('LastModified', new Date(o.lastModified)) + el('ETag', o.etag) + el('Size', o.body.length) + el('StorageClass', 'STANDARD'),
      );
    })
    .join('');
  const prefixes = entries
    .filter((e) => e.commonPrefix)
    .map((e) => wrap('CommonPrefixes', el('Prefix', enc(e.key))))
    .join('');
  const body =
    `<ListBucketResult xmlns="${XMLNS}">` +
    el('Name', bucket.name) +
    el('Prefix', enc(prefix)) +
    (delimiter ? el('Delimiter', enc(delimiter)) : '') +
    el('MaxKeys', maxKeys) +
    el('KeyCount', entries.length) +
    el('IsTruncated', truncated) +
    (encodeUrl ? el('EncodingType', 'url') : '') +
    (token !== undefined ? el('ContinuationToken', token) : '') +
    (startAfter !== undefined ? el('StartAfter', enc(startAfter)) : '') +
    (truncated && last ? el('NextContinuationToken', Buffer.from(JSON.stringify({ k: last.key, p: !!last.commonPrefix })).toString('base64')) : '') +
    contents +
    prefixes +
    '</ListBucketResult>';
  return xml(ctx.requestId, body);
}

function listObjectsV1(ctx: CallContext, bucketName: string): SimResponse {
  const bucket = bucketFor(ctx, bucketName, false);
  const q = ctx.req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker');
  const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000) || 0);
  const startPos = marker !== undefined ? upperBound(bucket.sortedKeys, marker) : 0;
  const { entries, truncated } = listEntries(bucket, prefix, delimiter, startPos, maxKeys);
  const last = entries[entries.length - 1];
  const body =
    `<ListBucketResult xmlns="${XMLNS}">` +
    el('Name', bucket.name) +
    el('Prefix', prefix) +
    el('Marker', marker ?? '') +
    (delimiter ? el('Delimiter', delimiter) : '') +
    el('MaxKeys', maxKeys) +
    el('IsTruncated', truncated) +
    (truncated && last && delimiter ? el('NextMarker', last.key) : '') +
    entries
      .filter((e) => !e.commonPrefix && e.object)
      .map((e) => {
        const o = e.object as S3Object;
        return wrap('Contents', el('Key', o.key) + el('LastModified', new Date(o.lastModified)) + el('ETag', o.etag) + el('Size', o.body.length) + el('StorageClass', 'STANDARD'));
      })
      .join('') +
    entries
      .filter((e) => e.commonPrefix)
      .map((e) => wrap('CommonPrefixes', el('Prefix', e.key)))
      .join('') +
    '</ListBucketResult>';
  return xml(ctx.requestId, body);
}

function listBuckets(ctx: CallContext): SimResponse {
  const mine = [...ctx.state.objects.buckets.values()]
    .filter((b) => b.accountId === ctx.caller.accountId)
    .sort((a, b) => compareKeys(a.name, b.name));
  const body =
    `<ListAllMyBucketsResult xmlns="${XMLNS}">` +
    wrap('Owner', el('ID', createHash('sha256').update(ctx.caller.accountId).digest('hex'))) +
    wrap('Buckets', mine.map((b) => wrap('Bucket', el('Name', b.name) + el('CreationDate', new Date(b.createdAt)) + el('BucketRegion', b.region))).join('')) +
    '</ListAllMyBucketsResult>';
  return xml(ctx.requestId, body);
}

function handle(ctx: CallContext): SimResponse {
  const { bucket, key } = targetOf(ctx.req);
  const headers = baseHeaders(ctx.requestId);
  switch (ctx.api) {
    case 'ListBuckets':
      return listBuckets(ctx);
    case 'CreateBucket':
      return createBucket(ctx, bucket as string);
    case 'HeadBucket': {
      const b = bucketFor(ctx, bucket as string, false);
      return { status: 200, headers: { ...headers, 'x-amz-bucket-region': b.region }, body: undefined };
    }
    case 'GetBucketLocation': {
      const b = bucketFor(ctx, bucket as string, false);
      return xml(ctx.requestId, `<LocationConstraint xmlns="${XMLNS}">${b.region === 'us-east-1' ? '' : escapeXml(b.region)}</LocationConstraint>`);
    }
    case 'DeleteBucket': {
      const b = bucketFor(ctx, bucket as string, true);
      if (b.objects.size > 0) throw new SimError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: b.name });
      ctx.state.objects.buckets.delete(b.name);
      return { status: 204, headers, body: undefined };
    }
    case 'ListObjectsV2':
      return listObjectsV2(ctx, bucket as string);
    case 'ListObjects':
      return listObjectsV1(ctx, bucket as string);
    case 'PutObject':
      return putObject(ctx, bucket as string, key as string);
    case 'GetObject':
      return getObject(ctx, bucket as string, key as string, false);
    case 'HeadObject':
      return getObject(ctx, bucket as string, key as string, true);
    case 'DeleteObject':
      bucketFor(ctx, bucket as string, true);
      ctx.state.objects.deleteObject(bucket as string, key as string);
      return { status: 204, headers, body: undefined };
    default:
      throw new SimError(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented');
  }
}

export const s3: ServiceHandler = {
  service: 's3',
  operation: operationOf,
  handle,
  renderError(err, requestId, req) {
    const headers: Record<string, string | number> = { ...baseHeaders(requestId) };
    if (err.extra.Region) headers['x-amz-bucket-region'] = err.extra.Region;
    // HEAD responses have no body: the SDK sees only the status (404 → NotFound).
    if (req.method === 'HEAD') return { status: err.status, headers, body: undefined };
    const extra = Object.entries(err.extra)
      .map(([k, v]) => el(k, v))
      .join('');
    const body = wrap('Error', el('Code', err.code) + el('Message', err.message) + extra + el('RequestId', requestId) + el('HostId', headers['x-amz-id-2'] as string));
    return { status: err.status, headers: { 'content-type': 'application/xml', ...headers }, body: XML_DECLARATION + body };
  },
};
