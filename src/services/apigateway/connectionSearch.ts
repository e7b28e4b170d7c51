import { and, asc, desc, eq, not, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { apiGatewayConnections as t } from '../../db/schema.ts';
import { badRequest } from '../../errors.ts';
import type { SortableSearchRequest } from '../../schemas/search.ts';
import { match } from '../../db/queries/search.ts';
import { checkSearchSize, method } from '../api/search.ts';
import type { Principal } from '../api/tokens.ts';

type Condition = NonNullable<SortableSearchRequest['query']>[number];

// Searchable keys → the column (as text) they match against. `regions` matches any one region of the list.
const TEXT_KEYS: Record<string, SQL> = {
  id: sql`${t.id}::text`,
  name: sql`${t.name}`,
  disabled: sql`${t.disabled}::text`,
  credentialsType: sql`${t.credentialType}`,
  creatorId: sql`${t.creatorId}`,
  updaterId: sql`${t.updaterId}`,
  lastProcessorId: sql`${t.lastProcessorId}`,
  lastError: sql`${t.lastError}`,
};
const KEYS = [...Object.keys(TEXT_KEYS), 'regions', 'freetext'];
const CASELESS_EXACT = new Set(['id', 'disabled', 'credentialsType']);

const SORT_COLUMNS: Record<string, AnyColumn> = {
  name: t.name,
  id: t.id,
  disabled: t.disabled,
  createdEpochMillis: t.createdMs,
  updatedEpochMillis: t.updatedMs,
  syncIntervalMins: t.syncIntervalMins,
};

function condition(q: Condition, index: number): SQL {
  const values = [...(q.values ?? []), ...(q.value !== undefined ? [q.value] : [])];
  if (values.length === 0) throw badRequest(`query[${index}] needs a value or values`);
  const m = method(q.matchingMethod, `query[${index}].matchingMethod`);
  let matched: SQL;
  if (q.key === 'regions') {
    // Any region of the connection's list matches (["*"] is matched by "*").
    matched = or(...values.map((v) => sql`EXISTS (SELECT 1 FROM unnest(${t.regions}) AS r(region) WHERE ${match(sql`r.region`, v, m, true)})`))!;
  } else {
    const columns = q.key === 'freetext' ? [TEXT_KEYS.name] : Object.hasOwn(TEXT_KEYS, q.key) ? [TEXT_KEYS[q.key]] : undefined;
    if (!columns) throw badRequest(`query[${index}].key "${q.key}" is not searchable; use one of ${KEYS.join(', ')}`);
    const caseless = CASELESS_EXACT.has(q.key);
    // coalesce: a NULL column never matches, and negation of a non-match is a match.
    matched = or(...values.flatMap((v) => columns.map((c) => sql`coalesce(${match(c, v, m, caseless)}, false)`)))!;
  }
  return q.negated ? not(matched) : matched;
}

/** The WHERE and ORDER BY of a connection search, scoped to the caller's customer and to live or trashed rows. */
export function connectionSearchClauses(p: Principal, trashed: boolean, req: SortableSearchRequest): { where: SQL; orderBy: SQL[] } {
  checkSearchSize(req.query);
  const where = and(eq(t.customerId, p.customerId), eq(t.inTrash, trashed), ...(req.query ?? []).map(condition))!;
  const orderBy: SQL[] = [];
  if (req.sort) {
    const column = Object.hasOwn(SORT_COLUMNS, req.sort.field) ? SORT_COLUMNS[req.sort.field] : undefined;
    if (!column) throw badRequest(`sort.field "${req.sort.field}" is not sortable; use one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
    orderBy.push(req.sort.ascending === false ? desc(column) : asc(column));
  }
  return { where, orderBy };
}

/** Live connections of one customer, in creation order. */
export const liveConnections = (p: Principal): SQL => and(eq(t.customerId, p.customerId), eq(t.inTrash, false))!;
