import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';

/**
 * Two Ajv instances: query strings, params and headers are text and get coerced (so `skipTrash=True` and
 * `limit=50` work); JSON bodies are checked strictly, so `"serviceRefreshRateInMins": "5"` is a 400.
 * Both know every shared schema. Defaults apply to both; additional properties are left alone (ignored).
 */
export function installValidators(app: FastifyInstance, shared: TSchema[]) {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const strict = new Ajv({ ...common, coerceTypes: false });
  for (const schema of shared) {
    coercing.addSchema(schema);
    strict.addSchema(schema);
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
}
