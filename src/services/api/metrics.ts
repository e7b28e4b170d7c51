import type { Db } from '../../db/client.ts';
import { listMetricNames, metricSeries } from '../../db/queries/metrics.ts';
import { badRequest } from '../../errors.ts';
import { globToLike } from '../../lib/glob.ts';
import type { MetricDetailsResponseType } from '../../schemas/metrics.ts';
import type { Principal } from './tokens.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(field: string, value: string) {
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) throw badRequest(`${field} contains a NUL character or broken Unicode`);
}

/** The continuation token of metric/detail: where the page ended (source, series id), opaque to clients. */
function encodeCursor(source: string, id: number): string {
  return Buffer.from(JSON.stringify([source, id])).toString('base64url');
}

function decodeCursor(token: string): { source: string; id: number } {
  try {
    const [source, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof source === 'string' && Number.isSafeInteger(id)) return { source, id: id as number };
  } catch {
    // answered below
  }
  throw badRequest('c is not a continuationToken this server returned; leave it out to start from the first page');
}

/** Metric discovery: which metric names exist, and which sources report one. */
export function createMetricService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async list(p: Principal, q: { prefix: string; offset: number; limit: number }) {
      checkText('prefix', q.prefix);
      const { rows, total } = await listMetricNames(db, { customerId: p.customerId, ...q });
      return { items: rows, offset: q.offset, limit: q.limit, totalItems: total, moreItems: q.offset + rows.length < total };
    },

    async detail(p: Principal, q: { m: string; l: number; c?: string; h?: string[] }): Promise<MetricDetailsResponseType> {
      checkText('m', q.m);
      for (const h of q.h ?? []) checkText('h', h);
      // One more than asked for tells whether a next page exists.
      const rows = await metricSeries(db, {
        customerId: p.customerId,
        metric: q.m,
        sourceLikes: (q.h ?? []).map(globToLike),
        ...(q.c ? { after: decodeCursor(q.c) } : {}),
        limit: q.l + 1,
      });
      const page = rows.slice(0, q.l);
      const out: MetricDetailsResponseType = { hosts: page.map((r) => ({ host: r.source, last_update: r.lastPointMs, tags: r.tags })) };
      if (rows.length > q.l) {
        const last = page[page.length - 1];
        out.continuationToken = encodeCursor(last.source, last.id);
      }
      return out;
    },
  };
}

export type MetricService = ReturnType<typeof createMetricService>;
