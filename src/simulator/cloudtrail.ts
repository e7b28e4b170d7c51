import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { newUniqueString, prng } from './ids.ts';
import { lowerBound } from './objects.ts';
import type { SimState } from './state.ts';

/** A CloudTrail record (`{"Records":[…]}` element); fields as in CloudTrail's record contents. */
export type CloudTrailRecord = Record<string, unknown>;

export interface CloudTrailWriteInput {
  accountId: string;
  /** The trail's region of the events (the `<region>` in the key). */
  region: string;
  bucket: string;
  /** Key prefix before `AWSLogs/` (no trailing slash). */
  prefix?: string;
  /** Organization trail: `o-xxxx` (or `xxxx`), inserted as `AWSLogs/o-xxxx/<account>/…`. */
  orgId?: string;
  /** Records to write; or `count` records are generated. */
  records?: CloudTrailRecord[];
  count?: number;
  /** Delivery time (epoch ms) used in the key; default the simulator's now. */
  deliveryTime?: number;
  /**
   * A late delivery: the file's name sorts before the greatest log key already in that day's prefix
   * (same minute with a smaller UniqueString when possible, else an earlier minute).
   */
  late?: boolean;
  /** Also write a digest file under CloudTrail-Digest/ listing this log file (default true). */
  digest?: boolean;
  trailName?: string;
  /** Region of the bucket if it has to be created (default `region`). */
  bucketRegion?: string;
  /** Seed for generated records (deterministic event names/times); event ids stay unique. */
  seed?: number;
  /** Event names cycled through by generated records. */
  eventNames?: string[];
}

export interface CloudTrailWriteResult {
  bucket: string;
  key: string;
  digestKey?: string;
  records: CloudTrailRecord[];
}

const DEFAULT_EVENTS = [
  'RunInstances',
  'StopInstances',
  'StartInstances',
  'TerminateInstances',
  'CreateTags',
  'DescribeInstances',
  'AttachVolume',
  'DetachVolume',
  'AuthorizeSecurityGroupIngress',
  'DescribeVolumes',
];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function dateParts(ms: number): { y: string; m: string; d: string; minute: string; second: string } {
  const t = new Date(ms);
  const y = String(t.getUTCFullYear());
  const m = pad(t.getUTCMonth() + 1);
  const d = pad(t.getUTCDate());
  const hm = `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}`;
  return { y, m, d, minute: `${y}${m}${d}T${hm}Z`, second: `${y}${m}${d}T${hm}${pad(t.getUTCSeconds())}Z` };
}

/** `<prefix>/AWSLogs/[o-org/]<account>` */
export function accountBase(input: { prefix?: string; orgId?: string; accountId: string }): string {
  const org = input.orgId ? `${input.orgId.startsWith('o-') ? input.orgId : `o-${input.orgId}`}/` : '';
  const prefix = input.prefix ? `${input.prefix.replace(/\/+$/, '')}/` : '';
  return `${prefix}AWSLogs/${org}${input.accountId}`;
}

/** The S3 key of a log file delivered at `deliveryTime`. */
export function logFileKey(input: { prefix?: string; orgId?: string; accountId: string; region: string }, deliveryTime: number, unique: string): string {
  const p = dateParts(deliveryTime);
  return `${accountBase(input)}/CloudTrail/${input.region}/${p.y}/${p.m}/${p.d}/${input.accountId}_CloudTrail_${input.region}_${p.minute}_${unique}.json.gz`;
}

/** The `…/CloudTrail/<region>/YYYY/MM/DD/` prefix of a day. */
export function dayPrefix(input: { prefix?: string; orgId?: string; accountId: string; region: string }, time: number): string {
  const p = dateParts(time);
  return `${accountBase(input)}/CloudTrail/${input.region}/${p.y}/${p.m}/${p.d}/`;
}

export function generateRecords(input: { accountId: string; region: string; count: number; deliveryTime: number; seed?: number; eventNames?: string[] }): CloudTrailRecord[] {
  const random = prng(input.seed ?? input.deliveryTime);
  const names = input.eventNames ?? DEFAULT_EVENTS;
  const records: CloudTrailRecord[] = [];
  for (let i = 0; i < input.count; i++) {
    const eventName = names[i % names.length];
    const readOnly = /^(Describe|Get|List)/.test(eventName);
    // Records are written before delivery: up to 5 minutes earlier.
    const eventTime = new Date(input.deliveryTime - 1000 - Math.floor(random() * 299_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    records.push({
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEROLEID0001:session-${i % 7}`,
        arn: `arn:aws:sts::${input.accountId}:assumed-role/Operator/session-${i % 7}`,
        accountId: input.accountId,
        accessKeyId: 'ASIAEXAMPLEKEYID0001',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID0001', arn: `arn:aws:iam::${input.accountId}:role/Operator`, accountId: input.accountId, userName: 'Operator' },
          attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
        },
      },
      eventTime,
      eventSource: 'ec2.amazonaws.com',
      eventName,
      awsRegion: input.region,
      sourceIPAddress: `203.0.113.${1 + Math.floor(random() * 254)}`,
      userAgent: 'aws-cli/2.15.0 Python/3.11.6',
      requestParameters: readOnly ? null : { instancesSet: { items: [{ instanceId: `i-${Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0')}` }] } },
      responseElements: null,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: input.accountId,
      eventCategory: 'Management',
    });
  }
  return records;
}

/**
 * Writes one CloudTrail log file (gzipped `{"Records":[…]}`) at the real key layout, and optionally its digest.
 * Creates the bucket (owned by the account) if it does not exist.
 */
export function writeCloudTrail(state: SimState, now: number, input: CloudTrailWriteInput): CloudTrailWriteResult {
  const objects = state.objects;
  if (!objects.buckets.has(input.bucket)) {
    state.iam.ensureAccount(input.accountId);
    objects.createBucket({ name: input.bucket, accountId: input.accountId, region: input.bucketRegion ?? input.region }, now);
  }
  const bucket = objects.buckets.get(input.bucket);
  if (!bucket) throw new Error('bucket vanished');
  let deliveryTime = input.deliveryTime ?? now;
  let unique = newUniqueString();
  if (input.late) {
    // The greatest log key of that day: a late file must sort before it.
    const day = dayPrefix(input, deliveryTime);
    const end = lowerBound(bucket.sortedKeys, day.slice(0, -1) + '0'); // '0' follows '/'
    const start = lowerBound(bucket.sortedKeys, day);
    const greatest = end > start ? bucket.sortedKeys[end - 1] : undefined;
    if (greatest) {
      const m = /_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$/.exec(greatest);
      if (m) {
        const stamp = m[1];
        deliveryTime = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13));
        unique = '0' + newUniqueString().slice(1);
        if (!(logFileKey(input, deliveryTime, unique) < greatest)) {
          unique = '0000000000000000'.slice(0, 8) + newUniqueString().slice(8);
          if (!(logFileKey(input, deliveryTime, unique) < greatest)) deliveryTime -= 60_000;
        }
      }
    }
  }
  const records = input.records ?? generateRecords({ accountId: input.accountId, region: input.region, count: input.count ?? 10, deliveryTime, seed: input.seed, eventNames: input.eventNames });
  const key = logFileKey(input, deliveryTime, unique);
  const body = gzipSync(JSON.stringify({ Records: records }));
  objects.putObject({ bucket: input.bucket, key, body, contentType: 'application/json' }, now);

  let digestKey: string | undefined;
  if (input.digest !== false) {
    const trail = input.trailName ?? 'management-events';
    const p = dateParts(now);
    digestKey = `${accountBase(input)}/CloudTrail-Digest/${input.region}/${p.y}/${p.m}/${p.d}/${input.accountId}_CloudTrail-Digest_${input.region}_${trail}_${input.region}_${p.second}.json.gz`;
    const times = records.map((r) => String(r.eventTime ?? '')).filter((t) => t !== '').sort();
    // Several deliveries in the same second share one digest: keep the files listed before.
    const previous = objects.getObject(input.bucket, digestKey);
    const earlierFiles = previous ? (JSON.parse(gunzipSync(previous.body).toString('utf8')) as { logFiles: unknown[] }).logFiles : [];
    const digest = {
      awsAccountId: input.accountId,
      digestStartTime: new Date(now - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      digestEndTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      digestS3Bucket: input.bucket,
      digestS3Object: digestKey,
      digestPublicKeyFingerprint: createHash('md5').update(input.accountId).digest('hex'),
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: times[times.length - 1] ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [
        ...earlierFiles,
        {
          s3Bucket: input.bucket,
          s3Object: key,
          hashValue: createHash('sha256').update(body).digest('hex'),
          hashAlgorithm: 'SHA-256',
          newestEventTime: times[times.length - 1] ?? null,
          oldestEventTime: times[0] ?? null,
        },
      ],
    };
    objects.putObject({ bucket: input.bucket, key: digestKey, body: gzipSync(JSON.stringify(digest)), contentType: 'application/json' }, now);
  }
  return { bucket: input.bucket, key, digestKey, records };
}

