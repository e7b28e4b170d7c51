import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { httpApiExport, restExport } from '../../../src/simulator/apigateway/export.ts';
import type { RestDeployment, RestStage, V2Api, V2Route } from '../../../src/simulator/apigateway/model.ts';
import { DefinitionParseError, parseDefinition } from '../../../src/services/apigateway/spec/parseDefinition.ts';

const deployment: RestDeployment = {
  id: 'd1',
  createdDate: Date.UTC(2026, 0, 1),
  apiName: 'pets',
  resources: [
    { path: '/', methods: [] },
    { path: '/pets', methods: [{ httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, operationName: 'listPets' }, { httpMethod: 'POST', authorizationType: 'AWS_IAM', apiKeyRequired: false }] },
    { path: '/pets/{petId}', methods: [{ httpMethod: 'DELETE', authorizationType: 'COGNITO_USER_POOLS', apiKeyRequired: false }] },
    { path: '/{proxy+}', methods: [{ httpMethod: 'ANY', authorizationType: 'CUSTOM', apiKeyRequired: false }] },
  ],
};
const stage: RestStage = { stageName: 'prod', deploymentId: 'd1', tracingEnabled: false, tags: {}, createdDate: 0, lastUpdatedDate: 0 };

const expected = [
  { method: 'GET', path: '/pets', operationId: 'listPets', authorizationType: 'NONE', apiKeyRequired: true, classification: 'DOCUMENTED' },
  { method: 'POST', path: '/pets', operationId: null, authorizationType: 'AWS_IAM', apiKeyRequired: false, classification: 'DOCUMENTED' },
  { method: 'DELETE', path: '/pets/{petId}', operationId: null, authorizationType: 'COGNITO_USER_POOLS', apiKeyRequired: false, classification: 'DOCUMENTED' },
  { method: 'ANY', path: '/{proxy+}', operationId: null, authorizationType: 'CUSTOM', apiKeyRequired: false, classification: 'PROXY' },
];

describe('parseDefinition', () => {
  for (const kind of ['oas30', 'swagger'] as const) {
    for (const upperCaseMethods of [false, true]) {
      test(`the simulator's ${kind} export${upperCaseMethods ? ' with upper-case method keys' : ''}`, () => {
        const doc = restExport({ kind, extensions: 'apigateway', apiId: 'a1', region: 'us-east-1', stage, deployment, upperCaseMethods });
        const parsed = parseDefinition(JSON.stringify(doc));
        assert.equal(parsed.format, kind === 'oas30' ? 'oas3' : 'swagger2');
        assert.equal(parsed.title, 'pets');
        assert.deepEqual(parsed.endpoints, expected);
      });
    }
  }

  test("an HTTP API's export: routes with templates, $default as a PROXY ANY", () => {
    const routes: V2Route[] = [
      { routeId: 'r1', routeKey: 'GET /items/{id}', authorizationType: 'JWT', apiKeyRequired: false, operationName: 'getItem' },
      { routeId: 'r2', routeKey: '$default', authorizationType: 'NONE', apiKeyRequired: false },
    ];
    const api = { apiId: 'h1', name: 'items', createdDate: 0, protocolType: 'HTTP' } as unknown as V2Api;
    const parsed = parseDefinition(httpApiExport(api, routes, 'us-east-1', '$default', false));
    assert.deepEqual(parsed.endpoints, [
      { method: 'ANY', path: '/$default', operationId: null, authorizationType: 'NONE', apiKeyRequired: false, classification: 'PROXY' },
      { method: 'GET', path: '/items/{id}', operationId: 'getItem', authorizationType: 'JWT', apiKeyRequired: false, classification: 'DOCUMENTED' },
    ]);
  });

  test('empty and null path items, non-method keys and mixed-case keys', () => {
    const parsed = parseDefinition({
      swagger: '2.0',
      info: { title: 't', version: '1' },
      securityDefinitions: { key: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
      security: [{ key: [] }],
      paths: { '/empty': {}, '/null': null, '/a': { parameters: [], summary: 's', Get: { operationId: 'a' }, 'X-Amazon-Apigateway-Any-Method': {}, 'x-other': {} } },
    });
    assert.deepEqual(parsed.endpoints, [
      { method: 'ANY', path: '/a', operationId: null, authorizationType: 'NONE', apiKeyRequired: true, classification: 'DOCUMENTED' },
      { method: 'GET', path: '/a', operationId: 'a', authorizationType: 'NONE', apiKeyRequired: true, classification: 'DOCUMENTED' },
    ]);
  });

  test('a definition without paths has no endpoints', () => {
    assert.deepEqual(parseDefinition('{"openapi":"3.0.1","info":{"title":"x","version":"1"}}').endpoints, []);
  });

  test('what is not OAS 3 or Swagger 2.0 JSON is refused with a reason', () => {
    assert.throws(() => parseDefinition('not json'), DefinitionParseError);
    assert.throws(() => parseDefinition('[]'), DefinitionParseError);
    assert.throws(() => parseDefinition('{"swagger":"1.2","paths":{}}'), /neither OpenAPI 3/);
    assert.throws(() => parseDefinition('{"openapi":"3.0.1","paths":[]}'), /paths/);
  });
});
