import { and, asc, desc, eq, not, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { apiGatewayConnections, apiGatewaySubscriptions, integrations } from '../schema.ts';

/** How a search value matches a field. */
export type MatchMethod = 'EXACT' | 'CONTAINS' | 'STARTSWITH';

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

/** What a searchable table offers: its tenant, trash and order columns, the keys it matches and the fields it sorts by. */
interface SearchTable {
  customerId: AnyColumn;
  /** Unset for a resource without a trash (every row is live). */
  inTrash?: AnyColumn;
  createdMs: AnyColumn;
  id: AnyColumn;
  /** Searchable keys → the column (as text) they match against. */
  textKeys: Record<string, SQL>;
  /** What `freetext` matches. */
  freetext: SQL[];
  /** Keys whose values are compared case-insensitively even with EXACT (the API prints them in one case). */
  caselessExact: ReadonlySet<string>;
  /** Keys matched by a condition of their own (an element of an array column, say). */
  ownKeys?: Record<string, (value: string, m: MatchMethod) => SQL>;
  sortColumns: Record<string, AnyColumn>;
}

/**
 * The SQL of one resource's search: conditions → WHERE (scoped to a customer and to live or trashed rows),
 * the sort → ORDER BY (then creation order), and facet values.
 */
function searchOf(table: SearchTable) {
  const ownKeys = table.ownKeys ?? {};

  function condition(c: SearchCondition): SQL {
    const own = Object.hasOwn(ownKeys, c.key) ? ownKeys[c.key] : undefined;
    let matched: SQL;
    if (own) {
      matched = or(...c.values.map((v) => own(v, c.method)))!;
    } else {
      const columns = c.key === 'freetext' ? table.freetext : [table.textKeys[c.key]];
      const caseless = table.caselessExact.has(c.key);
      // coalesce: a NULL column never matches, and negation of a non-match is a match.
      matched = or(...c.values.flatMap((v) => columns.map((col) => sql`coalesce(${match(col, v, c.method, caseless)}, false)`)))!;
    }
    return c.negated ? not(matched) : matched;
  }

  return {
    /** The keys a condition can name (`freetext` included). */
    keys: [...Object.keys(table.textKeys), ...Object.keys(ownKeys), 'freetext'],
    sortFields: Object.keys(table.sortColumns),
    // hasOwn: a key named after an Object.prototype member (constructor, toString) is unknown too.
    isSearchKey: (key: string): boolean => key === 'freetext' || Object.hasOwn(table.textKeys, key) || Object.hasOwn(ownKeys, key),
    isSortField: (field: string): boolean => Object.hasOwn(table.sortColumns, field),

    /** One customer's rows in (or out of) the trash that meet every condition. */
    where(customerId: string, trashed: boolean, conditions: readonly SearchCondition[]): SQL {
      const trash = table.inTrash ? [eq(table.inTrash, trashed)] : trashed ? [sql`false`] : [];
      return and(eq(table.customerId, customerId), ...trash, ...conditions.map(condition))!;
    },

    /** The order of a search: the sort field if any, then creation order. */
    order(sort: { field: string; ascending: boolean } | undefined): SQL[] {
      const orderBy: SQL[] = [];
      if (sort) orderBy.push(sort.ascending ? asc(table.sortColumns[sort.field]) : desc(table.sortColumns[sort.field]));
      orderBy.push(asc(table.createdMs), asc(table.id));
      return orderBy;
    },
  };
}

export type ResourceSearch = ReturnType<typeof searchOf>;

const i = integrations;
const INTEGRATION_TEXT_KEYS: Record<string, SQL> = {
  id: sql`${i.id}::text`,
  name: sql`${i.name}`,
  service: sql`${i.service}`,
  disabled: sql`${i.disabled}::text`,
  creatorId: sql`${i.creatorId}`,
  updaterId: sql`${i.updaterId}`,
  lastProcessorId: sql`${i.lastProcessorId}`,
  lastError: sql`${i.lastError}`,
};

/** The cloudintegration search (`freetext`: name and service). */
export const integrationSearch = searchOf({
  customerId: i.customerId,
  inTrash: i.inTrash,
  createdMs: i.createdMs,
  id: i.id,
  textKeys: INTEGRATION_TEXT_KEYS,
  freetext: [INTEGRATION_TEXT_KEYS.name, INTEGRATION_TEXT_KEYS.service],
  caselessExact: new Set(['service', 'disabled', 'id']),
  sortColumns: {
    name: i.name,
    service: i.service,
    id: i.id,
    disabled: i.disabled,
    createdEpochMillis: i.createdMs,
    updatedEpochMillis: i.updatedMs,
    serviceRefreshRateInMins: i.refreshMins,
  },
});

const c = apiGatewayConnections;

/** The apigatewayconnection search (`freetext`: the name; `regions`: any one region of the list, ["*"] by "*"). */
export const connectionSearch = searchOf({
  customerId: c.customerId,
  inTrash: c.inTrash,
  createdMs: c.createdMs,
  id: c.id,
  textKeys: {
    id: sql`${c.id}::text`,
    name: sql`${c.name}`,
    disabled: sql`${c.disabled}::text`,
    credentialsType: sql`${c.credentialType}`,
    creatorId: sql`${c.creatorId}`,
    updaterId: sql`${c.updaterId}`,
    lastProcessorId: sql`${c.lastProcessorId}`,
    lastError: sql`${c.lastError}`,
  },
  freetext: [sql`${c.name}`],
  caselessExact: new Set(['id', 'disabled', 'credentialsType']),
  ownKeys: {
    regions: (v, m) => sql`EXISTS (SELECT 1 FROM unnest(${c.regions}) AS r(region) WHERE ${match(sql`r.region`, v, m, true)})`,
  },
  sortColumns: {
    name: c.name,
    id: c.id,
    disabled: c.disabled,
    createdEpochMillis: c.createdMs,
    updatedEpochMillis: c.updatedMs,
    syncIntervalMins: c.syncIntervalMins,
  },
});

const sub = apiGatewaySubscriptions;
const SUBSCRIPTION_TEXT_KEYS: Record<string, SQL> = {
  id: sql`${sub.id}::text`,
  name: sql`${sub.name}`,
  description: sql`${sub.description}`,
  status: sql`${sub.status}`,
  connectionId: sql`${sub.connectionId}::text`,
  region: sql`${sub.region}`,
  usagePlanId: sql`${sub.usagePlanId}`,
  awsApiKeyId: sql`${sub.awsApiKeyId}`,
  creatorId: sql`${sub.creatorId}`,
};

/** The apigatewaysubscription search (no trash; `freetext`: name and description). */
export const subscriptionSearch = searchOf({
  customerId: sub.customerId,
  createdMs: sub.createdMs,
  id: sub.id,
  textKeys: SUBSCRIPTION_TEXT_KEYS,
  freetext: [SUBSCRIPTION_TEXT_KEYS.name, SUBSCRIPTION_TEXT_KEYS.description],
  caselessExact: new Set(['id', 'status', 'connectionId']),
  sortColumns: { name: sub.name, status: sub.status, createdEpochMillis: sub.createdMs, updatedEpochMillis: sub.updatedMs },
});

/** The distinct non-null values of a cloudintegration facet (a search key other than freetext) over `where`, sorted. */
export async function facetValues(db: Db, facet: string, where: SQL): Promise<string[]> {
  const column = INTEGRATION_TEXT_KEYS[facet];
  const rows = await db
    .selectDistinct({ value: sql<string>`${column}`.as('value') })
    .from(integrations)
    .where(and(where, sql`${column} IS NOT NULL`))
    .orderBy(sql`1`);
  return rows.map((r) => r.value);
}
