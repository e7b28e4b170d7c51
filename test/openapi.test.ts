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
  assert.match(ui.body, /<title>Skyport API<\/title>/);
  assert.match(ui.body, /swagger-ui/);
  // Skyport's mark replaces the UI package's (Fastify's) logo, and the tab icon is Skyport's too.
  const initializer = await app.inject({ method: 'GET', url: '/api-docs/static/swagger-initializer.js' });
  assert.equal(initializer.statusCode, 200);
  const logo = /img\.src = 'data:image\/svg\+xml;base64,([^']+)'/.exec(initializer.body);
  assert.ok(logo, 'the top bar logo is replaced');
  assert.match(Buffer.from(logo[1], 'base64').toString(), /Skyport/);
  assert.doesNotMatch(Buffer.from(logo[1], 'base64').toString(), /fastify/i);
  assert.match(ui.body, /favicon\.svg/);
  assert.doesNotMatch(JSON.stringify(committed.info), /fastify/i);

  // GET / leads to the documentation.
  const root = await app.inject({ method: 'GET', url: '/' });
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/api-docs');

  const json = await app.inject({ method: 'GET', url: '/api-docs/json' });
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-type']), /^application\/json/);
  assert.deepEqual(json.json(), committed);

  // The document and the UI need no token.
  const noToken = await app.inject({ method: 'GET', url: '/api-docs/json', headers: { authorization: 'Bearer nope' } });
  assert.equal(noToken.statusCode, 200);
});

test('parameters with a default are optional (generated clients must not demand them)', () => {
  const defaulted: string[] = [];
  for (const { method, path, op } of operations()) {
    for (const p of (op.parameters ?? []) as Json[]) {
      const schema = p.schema as Json | undefined;
      if (schema && 'default' in schema) {
        defaulted.push(`${method} ${path} ${p.name}`);
        assert.notEqual(p.required, true, `${method.toUpperCase()} ${path} parameter ${p.name} has a default and must not be required`);
      }
    }
  }
  for (const name of ['get /api/v2/cloudintegration offset', 'get /api/v2/cloudintegration limit', 'delete /api/v2/cloudintegration/{id} skipTrash', 'get /api/v2/event limit']) {
    assert.ok(defaulted.includes(name), `${name} should have a default`);
  }
});

test('error responses are listed by code, each with an ERROR example carrying that code', () => {
  const responses = (committed.components as Json).responses as Record<string, Json>;
  for (const { method, path, op } of operations()) {
    if (!path.startsWith('/api/')) continue;
    const codes = Object.keys(op.responses as Json);
    for (const code of ['400', '401', '503']) assert.ok(codes.includes(code), `${method.toUpperCase()} ${path} does not document ${code}`);
    if (path.includes('{id}')) assert.ok(codes.includes('404'), `${method.toUpperCase()} ${path} does not document 404`);
    // Error codes only: 202 (a queued sync) and 304 (not modified) are successes.
    for (const code of codes.filter((c) => /^[45]\d\d$/.test(c))) {
      const ref = ((op.responses as Json)[code] as Json).$ref as string;
      const target = responses[ref.split('/').pop()!];
      const example = ((target.content as Json)['application/json'] as Json).example as { status: { result: string; code: number } };
      assert.deepEqual({ result: example.status.result, code: example.status.code }, { result: 'ERROR', code: Number(code) }, `${ref}`);
    }
  }
});

test('every example body of create and update is accepted by its own endpoint', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const bodyExamples = (op: Json) => (((op.requestBody as Json).content as Json)['application/json'] as Json).examples as Record<string, { value: Json }>;
  const create = committed.paths['/api/v2/cloudintegration'].post;
  const update = committed.paths['/api/v2/cloudintegration/{id}'].put;
  const services = Object.keys(bodyExamples(create));
  assert.deepEqual(services.sort(), ['CLOUDTRAIL', 'CLOUDWATCH', 'EC2']);
  for (const service of services) {
    const value = structuredClone(bodyExamples(create)[service].value);
    assert.equal(value.service, service);
    // The one part a reader must fill in: an external ID this server issued (a fixed one would be accepted by no Skyport).
    const issued = (await app.inject({ method: 'POST', url: '/api/v2/cloudintegration/awsExternalId', headers: { authorization: `Bearer ${admin}` } })).json().response;
    const text = JSON.stringify(value).replaceAll('Ab3dEf6hIj9kLm2n', issued);
    const created = await app.inject({ method: 'POST', url: '/api/v2/cloudintegration', headers, payload: text });
    assert.equal(created.statusCode, 200, `${service} example: ${created.body}`);
    assert.equal(created.headers.warning, undefined, `${service} example has fields the server ignores: ${created.headers.warning}`);

    const putValue = JSON.stringify(bodyExamples(update)[service].value).replaceAll('Ab3dEf6hIj9kLm2n', issued);
    const updated = await app.inject({ method: 'PUT', url: `/api/v2/cloudintegration/${created.json().response.id}`, headers, payload: putValue });
    assert.equal(updated.statusCode, 200, `${service} update example: ${updated.body}`);
  }
});
