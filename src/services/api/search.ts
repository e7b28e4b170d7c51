import type { Db } from '../../db/client.ts';
import type { IntegrationQueries } from '../../db/queries/integrations.ts';
import type { SQL } from 'drizzle-orm';
import {
  facetValues as queryFacetValues,
  integrationSearch,
  type MatchMethod,
  type ResourceSearch,
  type SearchCondition,
} from '../../db/queries/search.ts';
import type {
  FacetSearchRequestContainer,
  FacetsSearchRequestContainer,
  SortableSearchRequest,
} from '../../schemas/search.ts';
import { MATCHING_METHODS } from '../../schemas/search.ts';
import { badRequest } from '../../errors.ts';
import type { Principal } from './tokens.ts';
import { toCloudIntegration } from './integrationView.ts';

type Condition = NonNullable<SortableSearchRequest['query']>[number];

export const FACET_KEYS = ['name', 'service', 'disabled', 'creatorId', 'updaterId', 'id', 'lastProcessorId'] as const;

export function method(raw: string | undefined, field: string): MatchMethod {
  const m = (raw ?? 'CONTAINS').toUpperCase();
  const known = MATCHING_METHODS.find((x) => x === m);
  if (!known) throw badRequest(`${field} "${raw}" is not supported; use EXACT, CONTAINS or STARTSWITH`);
  return known;
}

/** A request's condition, checked; a 400 naming it at the first problem. */
function checked(search: ResourceSearch, q: Condition, index: number): SearchCondition {
  const values = [...(q.values ?? []), ...(q.value !== undefined ? [q.value] : [])];
  if (values.length === 0) throw badRequest(`query[${index}] needs a value or values`);
  const m = method(q.matchingMethod, `query[${index}].matchingMethod`);
  if (!search.isSearchKey(q.key)) throw badRequest(`query[${index}].key "${q.key}" is not searchable; use one of ${search.keys.join(', ')}`);
  return { key: q.key, values, method: m, negated: q.negated === true };
}

/**
 * Most values one search may hold in all its conditions (`value` and `values`): each becomes a bind
 * parameter or two, and PostgreSQL takes at most 65,535 per statement.
 */
export const MAX_SEARCH_VALUES = 400;

/** The condition values a search holds in all; a 400 beyond MAX_SEARCH_VALUES. */
export function checkSearchSize(query: readonly Condition[] | undefined): void {
  const total = (query ?? []).reduce((n, q) => n + (q.values?.length ?? 0) + (q.value !== undefined ? 1 : 0), 0);
  if (total > MAX_SEARCH_VALUES) {
    throw badRequest(`a search may hold at most ${MAX_SEARCH_VALUES} values in all its query conditions (value and values); this one has ${total}`);
  }
}

/**
 * The WHERE and ORDER BY of a search request over one resource (`search`: its SQL in db/queries/search.ts),
 * scoped to the caller's customer and to live or trashed rows; a 400 naming the first bad condition or sort.
 */
export function searchClauses(search: ResourceSearch, p: Principal, trashed: boolean, req: Pick<SortableSearchRequest, 'query' | 'sort'>): { where: SQL; orderBy: SQL[] } {
  checkSearchSize(req.query);
  const where = search.where(p.customerId, trashed, (req.query ?? []).map((q, i) => checked(search, q, i)));
  if (req.sort && !search.isSortField(req.sort.field)) {
    throw badRequest(`sort.field "${req.sort.field}" is not sortable; use one of ${search.sortFields.join(', ')}`);
  }
  return { where, orderBy: search.order(req.sort ? { field: req.sort.field, ascending: req.sort.ascending !== false } : undefined) };
}

const whereOf = (p: Principal, trashed: boolean, query: Condition[] | undefined) => searchClauses(integrationSearch, p, trashed, { query }).where;

function matchesFacetQuery(value: string, facetQuery: string | undefined, m: MatchMethod): boolean {
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
    if (!(FACET_KEYS as readonly string[]).includes(facet)) {
      throw badRequest(`facet "${facet}" is unknown; use one of ${FACET_KEYS.join(', ')}`);
    }
    const m = method(req.facetQueryMatchingMethod, 'facetQueryMatchingMethod');
    const values = await queryFacetValues(db, facet, whereOf(p, trashed, req.query));
    return values.filter((v) => matchesFacetQuery(v, req.facetQuery, m));
  }

  return {
    async search(p: Principal, trashed: boolean, req: SortableSearchRequest) {
      const offset = req.offset ?? 0;
      const limit = req.limit ?? 100;
      const { where, orderBy } = searchClauses(integrationSearch, p, trashed, req);
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
