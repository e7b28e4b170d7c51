import { and, asc, desc, eq, not, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { integrations } from '../schema.ts';

/** How a search value matches a field. */
export type MatchMethod = 'EXACT' | 'CONTAINS' | 'STARTSWITH';

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

/** The keys a condition can name (`freetext`: name and service). */
export const SEARCH_KEYS = [...Object.keys(TEXT_KEYS), 'freetext'];
export const SORT_FIELDS = Object.keys(SORT_COLUMNS);
// hasOwn: a key named after an Object.prototype member (constructor, toString) is unknown too.
export const isSearchKey = (key: string): boolean => key === 'freetext' || Object.hasOwn(TEXT_KEYS, key);
export const isSortField = (field: string): boolean => Object.hasOwn(SORT_COLUMNS, field);

/** One condition, checked: a known key, at least one value. */
export interface SearchCondition {
  key: string;
  values: string[];
  method: MatchMethod;
  negated: boolean;
}

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

export function match(column: SQL, value: string, m: MatchMethod, caselessExact: boolean): SQL {
  switch (m) {
    case 'EXACT':
      return caselessExact ? sql`lower(${column}) = lower(${value})` : sql`${column} = ${value}`;
    case 'CONTAINS':
      return sql`${column} ILIKE ${'%' + escapeLike(value) + '%'}`;
    case 'STARTSWITH':
      return sql`${column} ILIKE ${escapeLike(value) + '%'}`;
  }
}

function condition(c: SearchCondition): SQL {
  const columns = c.key === 'freetext' ? FREETEXT : [TEXT_KEYS[c.key]];
  const caseless = CASELESS_EXACT.has(c.key);
  // coalesce: a NULL column never matches, and negation of a non-match is a match.
  const matched = or(...c.values.flatMap((v) => columns.map((col) => sql`coalesce(${match(col, v, c.method, caseless)}, false)`)))!;
  return c.negated ? not(matched) : matched;
}

/** One customer's integrations in (or out of) the trash that meet every condition. */
export function searchWhere(customerId: string, trashed: boolean, conditions: readonly SearchCondition[]): SQL {
  return and(eq(integrations.customerId, customerId), eq(integrations.inTrash, trashed), ...conditions.map(condition))!;
}

/** The order of a search: the sort field if any, then creation order. */
export function searchOrder(sort: { field: string; ascending: boolean } | undefined): SQL[] {
  const orderBy: SQL[] = [];
  if (sort) orderBy.push(sort.ascending ? asc(SORT_COLUMNS[sort.field]) : desc(SORT_COLUMNS[sort.field]));
  orderBy.push(asc(integrations.createdMs), asc(integrations.id));
  return orderBy;
}

/** The distinct non-null values of a facet (a search key other than freetext) over `where`, sorted. */
export async function facetValues(db: Db, facet: string, where: SQL): Promise<string[]> {
  const column = TEXT_KEYS[facet];
  const rows = await db
    .selectDistinct({ value: sql<string>`${column}`.as('value') })
    .from(integrations)
    .where(and(where, sql`${column} IS NOT NULL`))
    .orderBy(sql`1`);
  return rows.map((r) => r.value);
}
