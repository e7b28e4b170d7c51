import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createTtlCache } from '../ttlCache.ts';
import { logBase, type LogBase } from './layout.ts';

/** Where an account's logs are in the bucket: each folder with its region folders. */
export interface Layout {
  bases: Array<{ base: LogBase; regions: string[] }>;
}

async function listPrefixes(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const res = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      { abortSignal: signal },
    );
    for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Where the account's logs are: its own folder `AWSLogs/<account>/` and any organization folder
 * `AWSLogs/o-xxxx/<account>/` (both can exist when a trail became an organization trail), each with the
 * region folders under its `CloudTrail/` (or `fixedRegions` when set).
 */
export async function discoverLayout(
  s3: S3Client,
  where: { bucket: string; root: string; account: string },
  fixedRegions: string[] | undefined,
  signal: AbortSignal,
): Promise<Layout> {
  const { bucket, root, account } = where;
  const orgs = (await listPrefixes(s3, bucket, `${root}o-`, signal))
    .map((p) => p.slice(root.length, -1))
    .filter((o) => /^o-[a-z0-9]+$/.test(o));
  const candidates = [logBase(root, account), ...orgs.map((org) => logBase(root, account, org))];
  const bases: Layout['bases'] = [];
  for (const base of candidates) {
    const regions = (await listPrefixes(s3, bucket, base.trailPrefix, signal))
      .map((p) => p.slice(base.trailPrefix.length, -1))
      .filter((r) => /^[a-z0-9-]+$/.test(r));
    if (regions.length === 0) continue;
    bases.push({ base, regions: fixedRegions ?? regions.sort() });
  }
  return { bases };
}

/** Layouts per role × bucket × root × account: found ones kept `ttlMs`, an empty one only `emptyTtlMs`. */
export function createLayoutCache(opts: { ttlMs: number; emptyTtlMs: number; maxEntries: number }) {
  return createTtlCache<Layout>({
    ttlMs: opts.ttlMs,
    ttlOf: (layout) => (layout.bases.length > 0 ? opts.ttlMs : opts.emptyTtlMs),
    maxEntries: opts.maxEntries,
  });
}
