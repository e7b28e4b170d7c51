import { ListMetricsCommand, type CloudWatchClient, type Metric } from '@aws-sdk/client-cloudwatch';
import { metricPart } from '../naming.ts';
import { serviceOfNamespace } from './namespaces.ts';
import { createTtlCache } from '../ttlCache.ts';

/**
 * Discovery: ListMetrics with RecentlyActive=PT3H (metrics with data in the last 3 hours; AWS would otherwise
 * list anything active in the last two weeks, and each listed metric costs money once requested), every page,
 * cached per role × region × namespace for `ttlMs` (about an hour). Each metric is prepared once per listing
 * for the per-run work: its name prefix and the dimensions the filters and source names look at.
 */
export interface ListedMetric {
  /** The metric as ListMetrics returned it; reused as MetricStat.Metric in GetMetricData. */
  metric: Metric;
  namespace: string;
  metricName: string;
  /** `aws.<service>.<metric>.` in lower case: the Wavefront name without its statistic. */
  prefix: string;
  /** AWS/EC2 InstanceId, AWS/EBS VolumeId, AWS/S3 BucketName dimensions. */
  instanceId?: string;
  volumeId?: string;
  bucketName?: string;
}

/** Metrics by namespace, each list in a stable order (metric name, then dimensions). */
export type Listing = Map<string, ListedMetric[]>;

export const RECENTLY_ACTIVE = 'PT3H';

function prepare(metric: Metric): ListedMetric | undefined {
  const namespace = metric.Namespace;
  const metricName = metric.MetricName;
  if (!namespace || !metricName) return undefined;
  const listed: ListedMetric = {
    metric,
    namespace,
    metricName,
    prefix: `aws.${serviceOfNamespace(namespace)}.${metricPart(metricName)}.`,
  };
  const wanted = namespace === 'AWS/EC2' ? 'InstanceId' : namespace === 'AWS/EBS' ? 'VolumeId' : namespace === 'AWS/S3' ? 'BucketName' : undefined;
  if (wanted && metric.Dimensions) {
    for (const d of metric.Dimensions) {
      if (d.Name !== wanted || d.Value === undefined) continue;
      if (wanted === 'InstanceId') listed.instanceId = d.Value;
      else if (wanted === 'VolumeId') listed.volumeId = d.Value;
      else listed.bucketName = d.Value;
    }
  }
  return listed;
}

function sortKey(m: ListedMetric): string {
  let key = m.metricName;
  const dims = m.metric.Dimensions;
  if (dims && dims.length > 0) {
    const parts = dims.map((d) => `${d.Name}=${d.Value}`);
    if (parts.length > 1) parts.sort();
    key += `\u0000${parts.join('\u0001')}`;
  }
  return key;
}

/** ListMetrics for one namespace, or for every namespace when `namespace` is undefined, grouped by namespace. */
export async function listMetrics(cw: CloudWatchClient, namespace: string | undefined, signal?: AbortSignal): Promise<Listing> {
  const keyed = new Map<string, Array<{ key: string; m: ListedMetric }>>();
  let token: string | undefined;
  do {
    const page = await cw.send(new ListMetricsCommand({ Namespace: namespace, RecentlyActive: RECENTLY_ACTIVE, NextToken: token }), { abortSignal: signal });
    for (const metric of page.Metrics ?? []) {
      const m = prepare(metric);
      if (!m) continue;
      let list = keyed.get(m.namespace);
      if (!list) keyed.set(m.namespace, (list = []));
      list.push({ key: sortKey(m), m });
    }
    token = page.NextToken || undefined;
  } while (token);
  const listing: Listing = new Map();
  for (const [ns, list] of [...keyed.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    listing.set(ns, list.map((e) => e.m));
  }
  return listing;
}

/** The long-lived ListMetrics cache of one collector. */
export function createListMetricsCache(opts: { ttlMs: number; maxEntries: number }) {
  const cache = createTtlCache<Listing>({ ttlMs: opts.ttlMs, maxEntries: opts.maxEntries });
  return {
    /** `owner` names whose view of the account this is (the role ARN); `namespace` undefined = every namespace. */
    get(owner: string, region: string, namespace: string | undefined, cw: CloudWatchClient, now: number, signal?: AbortSignal): Promise<Listing> {
      return cache.get(`${owner}|${region}|${namespace ?? '*'}`, now, () => listMetrics(cw, namespace, signal));
    },
    get size() {
      return cache.size;
    },
  };
}

export type ListMetricsCache = ReturnType<typeof createListMetricsCache>;
