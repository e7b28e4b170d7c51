import { badRequest } from '../errors.ts';

/** Parses "k1=v1, k1=v2, k3=v3" into pairs; a malformed entry is a 400 naming the field. */
export function parseTagExpr(field: string, expr: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of expr.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw badRequest(`${field}: "${entry}" is not of the form key=value`);
    pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return pairs;
}
