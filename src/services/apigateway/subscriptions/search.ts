import { and, asc, desc, eq, not, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { match } from '../../../db/queries/search.ts';
import { apiGatewaySubscriptions as t } from '../../../db/schema.ts';
import { badRequest } from '../../../errors.ts';
import type { SortableSearchRequest } from '../../../schemas/search.ts';
import { checkSearchSize, method } from '../../api/search.ts';
import type { Principal } from '../../api/tokens.ts';

// Searchable keys → the column as text; `freetext` looks at name and description.
const KEYS: Record<string, SQL> = {
  id: sql`${t.id}::text`,
  name: sql`${t.name}`,
  description: sql`${t.description}`,
  status: sql`${t.status}`,
  connectionId: sql`${t.connectionId}::text`,
  region: sql`${t.region}`,
  usagePlanId: sql`${t.usagePlanId}`,
  awsApiKeyId: sql`${t.awsApiKeyId}`,
  creatorId: sql`${t.creatorId}`,
};
const CASELESS = new Set(['id', 'status', 'connectionId']);
const SORTS: Record<string, AnyColumn> = { name: t.name, status: t.status, createdEpochMillis: t.createdMs, updatedEpochMillis: t.updatedMs };

/** The WHERE and ORDER BY of a subscription search (SPEC.md §3 rules), scoped to the caller's customer. */
export function subscriptionSearchClauses(p: Principal, req: SortableSearchRequest): { where: SQL; orderBy: SQL[] } {
  checkSearchSize(req.query);
  const conditions = (req.query ?? []).map((q, i) => {
    const values = [...(q.values ?? []), ...(q.value !== undefined ? [q.value] : [])];
    if (values.length === 0) throw badRequest(`query[${i}] needs a value or values`);
    const how = method(q.matchingMethod, `query[${i}].matchingMethod`);
    const columns = q.key === 'freetext' ? [KEYS.name, KEYS.description] : Object.hasOwn(KEYS, q.key) ? [KEYS[q.key]] : undefined;
    if (!columns) throw badRequest(`query[${i}].key "${q.key}" is not searchable; use one of ${[...Object.keys(KEYS), 'freetext'].join(', ')}`);
    const hit = or(...values.flatMap((v) => columns.map((c) => sql`coalesce(${match(c, v, how, CASELESS.has(q.key))}, false)`)))!;
    return q.negated ? not(hit) : hit;
  });
  const sort = req.sort && (Object.hasOwn(SORTS, req.sort.field) ? SORTS[req.sort.field] : undefined);
  if (req.sort && !sort) throw badRequest(`sort.field "${req.sort.field}" is not sortable; use one of ${Object.keys(SORTS).join(', ')}`);
  return { where: and(eq(t.customerId, p.customerId), ...conditions)!, orderBy: sort ? [req.sort!.ascending === false ? desc(sort) : asc(sort)] : [] };
}

/** Every subscription of one customer (the list's WHERE). */
export const customerSubscriptions = (p: Principal): SQL => eq(t.customerId, p.customerId);
