import { and, asc, desc, eq, not, or, sql, type SQL, type AnyColumn } from 'drizzle-orm';
import { integrations } from '../../db/schema.ts';
import type { Db } from '../../db/client.ts';
import type { IntegrationQueries } from '../../db/queries/integrations.ts';
import type {
  FacetSearchRequestContainer,
  FacetsSearchRequestContainer,
  SortableSearchRequest,
} from '../../schemas/search.ts';
import { MATCHING_METHODS } from '../../schemas/search.ts';
import { badRequest } from '../../errors.ts';
import type { Principal } from './tokens.ts';
import { toCloudIntegration } from './integrationView.ts';

type Method = (typeof MATCHING_METHODS)[number];
type Condition = NonNullable<SortableSearchRequest['query']>[number];

// Searchable keys → the column (as text) they match against.
const TEXT_KEYS: Record<string, SQL> = {
  id: sql`${integrations.id}::text`,
  name: sql`${integrations.name}`,
  service: sql`${integrations.service}`,
  disabled: sql`${integrations.disabled}::text`,
  creatorId: sql`${integrations.creatorId}`,
  updaterId: sql`${integrations.updaterId}`,
  lastProcessorId: sql`${integrations.lastProcessorId}`,
  lastError: sql`${integrations.lastError}`,
};
const FREETEXT = [TEXT_KEYS.name, TEXT_KEYS.service];
// Keys whose values are compared case-insensitively even with EXACT (the API prints them in one case).
const CASELESS_EXACT = new Set(['service', 'disabled', 'id']);

const SORT_COLUMNS: Record<string, AnyColumn> = {
  name: integrations.name,
  service: integrations.service,
  id: integrations.id,
  disabled: integrations.disabled,
  createdEpochMillis: integrations.createdMs,
  updatedEpochMillis: integrations.updatedMs,
  serviceRefreshRateInMins: integrations.refreshMins,
};

export const FACET_KEYS = ['name', 'service', 'disabled', 'creatorId', 'updaterId', 'id', 'lastProcessorId'] as const;

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

function method(raw: string | undefined, field: string): Method {
  const m = (raw ?? 'CONTAINS').toUpperCase();
  if (!(MATCHING_METHODS as readonly string[]).includes(m)) {
    throw badRequest(`${field} "${raw}" is not supported; use EXACT, CONTAINS or STARTSWITH`);
  }
  return m as Method;
}

function match(column: SQL, value: string, m: Method, caselessExact: boolean): SQL {
  switch (m) {
    case 'EXACT':
      return caselessExact ? sql`lower(${column}) = lower(${value})` : sql`${column} = ${value}`;
    case 'CONTAINS':
      return sql`${column} ILIKE ${'%' + escapeLike(value) + '%'}`;
    case 'STARTSWITH':
      return sql`${column} ILIKE ${escapeLike(value) + '%'}`;
  }
}

function condition(q: Condition, index: number): SQL {
  const values = [...(q.values ?? []), ...(q.value !== undefined ? [q.value] : [])];
  if (values.length === 0) throw badRequest(`query[${index}] needs a value or values`);
  const m = method(q.matchingMethod, `query[${index}].matchingMethod`);
  let columns: SQL[];
  if (q.key === 'freetext') columns = FREETEXT;
  else if (Object.hasOwn(TEXT_KEYS, q.key)) columns = [TEXT_KEYS[q.key]];
  else throw badRequest(`query[${index}].key "${q.key}" is not searchable; use one of ${[...Object.keys(TEXT_KEYS), 'freetext'].join(', ')}`);
  const caseless = CASELESS_EXACT.has(q.key);
  // coalesce: a NULL column never matches, and negation of a non-match is a match.
  const matched = or(...values.flatMap((v) => columns.map((c) => sql`coalesce(${match(c, v, m, caseless)}, false)`)))!;
  return q.negated ? not(matched) : matched;
}

function whereOf(p: Principal, trashed: boolean, query: Condition[] | undefined): SQL {
  return and(
    eq(integrations.customerId, p.customerId),
    eq(integrations.inTrash, trashed),
    ...(query ?? []).map(condition),
  )!;
}

function matchesFacetQuery(value: string, facetQuery: string | undefined, m: Method): boolean {
  if (!facetQuery) return true;
  const v = value.toLowerCase();
  const q = facetQuery.toLowerCase();
  if (m === 'EXACT') return value === facetQuery;
  return m === 'STARTSWITH' ? v.startsWith(q) : v.includes(q);
}

/** Search, facets and their trashed twins over one customer's integrations. */
export function createSearchService(deps: { db: Db; queries: IntegrationQueries }) {
  const { db, queries } = deps;

  async function facetValues(p: Principal, trashed: boolean, facet: string, req: FacetSearchRequestContainer) {
    const column = TEXT_KEYS[facet];
    if (!(FACET_KEYS as readonly string[]).includes(facet)) {
      throw badRequest(`facet "${facet}" is unknown; use one of ${FACET_KEYS.join(', ')}`);
    }
    const m = method(req.facetQueryMatchingMethod, 'facetQueryMatchingMethod');
    const rows = await db
      .selectDistinct({ value: sql<string>`${column}`.as('value') })
      .from(integrations)
      .where(and(whereOf(p, trashed, req.query), sql`${column} IS NOT NULL`))
      .orderBy(sql`1`);
    return rows.map((r) => r.value).filter((v) => matchesFacetQuery(v, req.facetQuery, m));
  }

  return {
    async search(p: Principal, trashed: boolean, req: SortableSearchRequest) {
      const offset = req.offset ?? 0;
      const limit = req.limit ?? 100;
      const where = whereOf(p, trashed, req.query);
      const orderBy: SQL[] = [];
      if (req.sort) {
        // hasOwn: a field named after an Object.prototype member (constructor, toString) is unknown too.
        const column = Object.hasOwn(SORT_COLUMNS, req.sort.field) ? SORT_COLUMNS[req.sort.field] : undefined;
        if (!column) throw badRequest(`sort.field "${req.sort.field}" is not sortable; use one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
        orderBy.push(req.sort.ascending === false ? desc(column) : asc(column));
      }
      orderBy.push(asc(integrations.createdMs), asc(integrations.id));
      const { rows, total } = await queries.page(where, orderBy, offset, limit);
      return { items: rows.map(toCloudIntegration), offset, limit, totalItems: total, moreItems: offset + rows.length < total };
    },

    async facets(p: Principal, trashed: boolean, req: FacetsSearchRequestContainer) {
      const limit = req.limit ?? 100;
      const names = req.facets && req.facets.length > 0 ? req.facets : [...FACET_KEYS];
      const facets: Record<string, string[]> = {};
      for (const name of names) facets[name] = (await facetValues(p, trashed, name, req)).slice(0, limit);
      return { facets, limit };
    },

    async facet(p: Principal, trashed: boolean, facet: string, req: FacetSearchRequestContainer) {
      const offset = req.offset ?? 0;
      const limit = req.limit ?? 100;
      const all = await facetValues(p, trashed, facet, req);
      const items = all.slice(offset, offset + limit);
      return { items, offset, limit, totalItems: all.length, moreItems: offset + items.length < all.length };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
