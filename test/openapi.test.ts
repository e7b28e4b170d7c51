import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { generateOpenApi } from '../src/openapi.ts';
import { buildTestApp } from './helpers/app.ts';

type Json = Record<string, unknown>;

const committedText = await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
const committed = JSON.parse(committedText) as Json & {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function operations() {
  const ops: { method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(committed.paths)) {
    for (const [method, op] of Object.entries(item)) if (HTTP_METHODS.has(method)) ops.push({ method, path, op });
  }
  return ops;
}

test('the committed openapi/openapi.json matches the app (run `npm run openapi` after changing a route or schema)', async () => {
  const generated = await generateOpenApi();
  if (generated !== committedText) {
    // Show where it differs before failing: a deepEqual diff on the parsed documents is readable.
    assert.deepEqual(
      committed,
      JSON.parse(generated),
      'openapi/openapi.json is out of date with the routes and schemas: run `npm run openapi` and commit the result',
    );
    assert.fail('openapi/openapi.json differs from the generated document in formatting: run `npm run openapi` and commit the result');
  }
});

test('the document is a valid OpenAPI 3 document', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(committed));
  assert.equal(result.valid, true, `OpenAPI validation errors: ${JSON.stringify(result.errors, null, 2)}`);
  assert.match(String(committed.openapi), /^3\./);
});

test('every operation has a summary, tags and a unique operationId', () => {
  const ops = operations();
  assert.ok(ops.length >= 15, `expected the whole API in the document, found ${ops.length} operations`);
  const seen = new Map<string, string>();
  for (const { method, path, op } of ops) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.equal(typeof op.summary, 'string', `${where} has no summary`);
    assert.ok((op.summary as string).trim().length > 0, `${where} has an empty summary`);
    assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where} has no tags`);
    assert.equal(typeof op.operationId, 'string', `${where} has no operationId`);
    const id = op.operationId as string;
    assert.ok(!seen.has(id), `operationId ${id} is used by both ${seen.get(id)} and ${where}`);
    seen.set(id, where);
  }
  // The Wavefront client method names depend on these.
  for (const id of [
    'createAWSExternalId',
    'getAWSExternalId',
    'deleteAWSExternalId',
    'createCloudIntegration',
    'getAllCloudIntegration',
    'getCloudIntegration',
    'updateCloudIntegration',
    'deleteCloudIntegration',
    'disableCloudIntegration',
    'enableCloudIntegration',
    'undeleteCloudIntegration',
    'searchCloudIntegrationEntities',
    'searchDeletedCloudIntegrationEntities',
  ]) {
    assert.ok(seen.has(id), `operationId ${id} is missing`);
  }
});

test('every tag an operation uses is declared with a description', () => {
  const declared = new Map(((committed.tags ?? []) as { name: string; description?: string }[]).map((t) => [t.name, t.description]));
  for (const { method, path, op } of operations()) {
    for (const tag of op.tags as string[]) {
      assert.ok(declared.has(tag), `${method.toUpperCase()} ${path} uses undeclared tag "${tag}"`);
      assert.ok(declared.get(tag), `tag "${tag}" has no description`);
    }
  }
});

test('every schema in components, and every property in it, has a description', () => {
  const schemas = committed.components.schemas;
  const refTarget = (ref: string) => {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
    assert.ok(m, `unexpected $ref ${ref}`);
    const target = schemas[m[1]];
    assert.ok(target, `$ref ${ref} points at no component`);
    return target;
  };
  const missing: string[] = [];
  let properties = 0;

  // OpenAPI 3.0 ignores siblings of $ref, so a property that is a bare $ref takes its description from
  // the component it points at (every component is checked for one below).
  const describe = (schema: Json, where: string) => {
    if (typeof schema.$ref === 'string') {
      refTarget(schema.$ref);
      return;
    }
    if (typeof schema.description !== 'string' || schema.description.trim() === '') missing.push(where);
  };

  const walk = (schema: unknown, where: string): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Json;
    if (typeof s.$ref === 'string') return;
    if (s.properties && typeof s.properties === 'object') {
      for (const [name, prop] of Object.entries(s.properties as Record<string, Json>)) {
        properties++;
        describe(prop, `${where}.${name}`);
        walk(prop, `${where}.${name}`);
      }
    }
    if (s.items) walk(s.items, `${where}[]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${where}{}`);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      if (Array.isArray(s[key])) (s[key] as unknown[]).forEach((sub, i) => walk(sub, `${where}/${key}[${i}]`));
    }
  };

  assert.ok(Object.keys(schemas).length > 0, 'no component schemas');
  for (const [name, schema] of Object.entries(schemas)) {
    if (typeof schema.description !== 'string' || schema.description.trim() === '') missing.push(name);
    walk(schema, name);
  }
  assert.ok(properties > 50, `expected the models' properties, walked only ${properties}`);
  assert.deepEqual(missing, [], `schemas or properties without a description: ${missing.join(', ')}`);
});

test('the CloudIntegration model carries the Wavefront fields', () => {
  const props = Object.keys((committed.components.schemas.CloudIntegration.properties ?? {}) as Json);
  for (const field of ['id', 'name', 'service', 'serviceRefreshRateInMins', 'cloudWatch', 'cloudTrail', 'ec2', 'disabled', 'inTrash', 'deleted', 'forceSave', 'lastErrorEvent']) {
    assert.ok(props.includes(field), `CloudIntegration has no ${field}`);
  }
});

test('security schemes: api_key in the X-AUTH-TOKEN header and a bearer token', () => {
  const schemes = committed.components.securitySchemes;
  assert.deepEqual(
    { type: schemes.api_key?.type, in: schemes.api_key?.in, name: schemes.api_key?.name },
    { type: 'apiKey', in: 'header', name: 'X-AUTH-TOKEN' },
  );
  const bearer = Object.entries(schemes).find(([, s]) => s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer');
  assert.ok(bearer, 'no http bearer security scheme');
  // Both are accepted document-wide: either one authorises a call.
  const security = committed.security as Record<string, unknown>[];
  assert.ok(security.some((s) => 'api_key' in s), 'api_key is not a global security requirement');
  assert.ok(security.some((s) => bearer[0] in s), `${bearer[0]} is not a global security requirement`);
  // Open endpoints say so; API endpoints inherit the token requirement.
  for (const { method, path, op } of operations()) {
    if (path.startsWith('/api/')) assert.equal(op.security, undefined, `${method.toUpperCase()} ${path} must require a token`);
    else assert.deepEqual(op.security, [], `${method.toUpperCase()} ${path} needs no token and should say so`);
  }
});

test('GET /api-docs serves Swagger UI and /api-docs/json the committed document', async (t) => {
  const { app } = await buildTestApp(t);

  const ui = await app.inject({ method: 'GET', url: '/api-docs' });
  assert.equal(ui.statusCode, 200);
  assert.match(String(ui.headers['content-type']), /^text\/html/);
  assert.match(ui.body, /Swagger UI/);
  assert.match(ui.body, /swagger-ui/);

  const json = await app.inject({ method: 'GET', url: '/api-docs/json' });
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-type']), /^application\/json/);
  assert.deepEqual(json.json(), committed);

  // The document and the UI need no token.
  const noToken = await app.inject({ method: 'GET', url: '/api-docs/json', headers: { authorization: 'Bearer nope' } });
  assert.equal(noToken.statusCode, 200);
});
