import type { TSchema } from 'typebox';

type Schema = { $ref?: string; $id?: string; type?: unknown; properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema; anyOf?: Schema[] };

const MAX_REPORTED = 20;
const MAX_NAME = 80;

/**
 * The keys of a JSON body that its schema does not know, at every depth, as dotted paths
 * (`cloudWatch.namespace`, `query[0].matchingMode`). Unknown keys are accepted and ignored for Wavefront
 * compatibility; this lists them so the caller can be told. `alsoKnown` adds the properties of another schema
 * at the top (the read model, whose read-only fields clients send back). Bounded: at most MAX_REPORTED paths.
 */
export function createIgnoredFieldFinder(shared: TSchema[]) {
  const byId = new Map<string, Schema>();
  for (const s of shared as Schema[]) if (s.$id) byId.set(`${s.$id}#`, s);
  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? resolve(byId.get(s.$ref)) : s);

  return function ignoredFields(body: unknown, schema: TSchema, alsoKnown?: TSchema): string[] {
    const found: string[] = [];
    const walk = (value: unknown, raw: Schema | undefined, path: string, extra?: Schema) => {
      if (found.length >= MAX_REPORTED || value === null || typeof value !== 'object') return;
      const s = resolve(raw);
      if (!s) return;
      if (Array.isArray(value)) {
        if (s.items) value.forEach((item, i) => walk(item, s.items, `${path}[${i}]`));
        return;
      }
      // A map (tags, point tags): its keys are data, not field names.
      if (!s.properties) return;
      for (const [key, child] of Object.entries(value)) {
        const known = s.properties[key] ?? extra?.properties?.[key];
        const where = path ? `${path}.${key}` : key;
        if (!known) {
          if (found.length < MAX_REPORTED) found.push(where);
          continue;
        }
        // Read-only fields of the read model are ignored on purpose; only what the body schema knows is walked.
        if (s.properties[key]) walk(child, known, where);
      }
    };
    walk(body, schema as Schema, '', resolve(alsoKnown as Schema | undefined));
    return found;
  };
}

/** `299 skyport "ignored unknown field cloudWatch.namespace"`, with the name made safe for a header. */
export function warningHeaderValue(text: string): string {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
  return `299 skyport "${safe.length > MAX_NAME + 40 ? `${safe.slice(0, MAX_NAME + 40)}...` : safe}"`;
}
