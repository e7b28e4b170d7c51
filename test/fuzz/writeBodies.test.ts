// Random request bodies against every endpoint that reads one: create, update, search (live and deleted)
// and facets. Whatever arrives, the answer is a 2xx or a 4xx in the Wavefront envelope (never a 5xx), and
// nothing is half-stored: rows appear exactly for 200 creates, and a rejected PUT leaves its row
// byte-identical. Reproducible: FUZZ_SEED fixes the seed (printed on failure), FUZZ_RUNS the count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { client, manualClock } from '../helpers/app.ts';
import { issueExternalId, ok, rowText, suiteApp, createIntegration, ROLE_ARN, OTHER_ROLE_ARN, UUID_LOWER } from '../routes/fixtures.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
/** Created in the simulator by setup(), trusting Skyport until its first integration is stored, then not. */
const REVOKED_ROLE_ARN = 'arn:aws:iam::123456789012:role/revoked-reader';
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

// ---------- value generators ----------

const oddChars = fc.constantFrom('a', 'Z', '0', ' ', '\u0000', '\ud800', '\udc00', '\ud83d\ude80', 'é', '%', '_', '\\', '"', '/', '=', ',', '(', '[', '*', '\n');
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: oddChars, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(257), 'y'.repeat(1025), 'z'.repeat(5000)) },
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(0, -1, 1441, 1.5, 2 ** 53, -(2 ** 31), '5', 'true', [], {}),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Mostly `good`, sometimes anything. */
const mostly = <T>(good: fc.Arbitrary<T>, goodWeight = 6) => fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: weird });

const roleArn = fc.oneof(
  // Well-formed: roles Skyport can assume, and ones STS refuses it (revoked, never created, another partition).
  { weight: 6, arbitrary: fc.constantFrom(ROLE_ARN, OTHER_ROLE_ARN, REVOKED_ROLE_ARN, 'arn:aws:iam::123456789012:role/never-created', 'arn:aws-cn:iam::000000000000:role/a/b') },
  { weight: 1, arbitrary: fc.constantFrom('arn:aws::1234567:role/example-arn', 'arn:aws:iam::123456789012:user/u', '') },
  { weight: 1, arbitrary: text },
);
const regexish = fc.oneof(fc.constantFrom('^aws\\..*', 'cpu|mem', '(', '[a-', '*x', 'a{2,1}', '', '(?<n>x)'), text);
const tagExpr = fc.oneof(fc.constantFrom('env=prod', 'env=prod, team=core', 'oops', '=v', ''), text);
const stringList = (good: string[]) => fc.array(fc.oneof(fc.constantFrom(...good), text), { maxLength: 4 });
const tagMap = fc.dictionary(fc.oneof(fc.constantFrom('env', 'team'), text), fc.oneof(fc.constantFrom('prod', 'core'), text), { maxKeys: 4 });

function configs(externalIds: string[]) {
  const externalId = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...externalIds) },
    { weight: 1, arbitrary: fc.constantFrom('NotIssuedByUs123', '') },
    { weight: 1, arbitrary: text },
  );
  const baseCredentials = mostly(fc.record({ roleArn, externalId }, { requiredKeys: [] }), 10);
  const cloudWatch = fc.record(
    {
      baseCredentials,
      namespaces: mostly(stringList(['AWS/EC2', 'ec2', 'AWS/S3'])),
      metricFilterRegex: mostly(regexish),
      pointTagFilterRegex: mostly(regexish),
      instanceSelectionTags: mostly(tagMap),
      instanceSelectionTagsExpr: mostly(tagExpr),
      volumeSelectionTags: mostly(tagMap),
      volumeSelectionTagsExpr: mostly(tagExpr),
      s3BucketNameFilterRegex: mostly(regexish),
      threadDistributionInMins: mostly(fc.integer({ min: -2, max: 1500 })),
      surprise: weird,
    },
    { requiredKeys: ['baseCredentials'] },
  );
  const cloudTrail = fc.record(
    {
      baseCredentials,
      bucketName: mostly(fc.oneof(fc.constantFrom('acme-trail', 'my.bucket-1', 'Bad_Bucket', 'ab'), text), 8),
      region: mostly(fc.oneof(fc.constantFrom('us-east-1', 'eu-central-1', 'moon-1', 'US-EAST-1'), text), 8),
      prefix: mostly(text),
      filterRule: mostly(regexish),
      surprise: weird,
    },
    { requiredKeys: ['baseCredentials'] },
  );
  const ec2 = fc.record(
    {
      baseCredentials,
      hostNameTags: mostly(stringList(['Name', 'hostname'])),
      instanceSelectionTagsExpr: mostly(tagExpr),
      volumeSelectionTagsExpr: mostly(tagExpr),
      metricFilterRegex: mostly(regexish),
      pointTagFilterRegex: mostly(regexish),
      customNamespaces: mostly(stringList(['LIMITS'])),
    },
    { requiredKeys: ['baseCredentials'] },
  );
  return { cloudWatch, cloudTrail, ec2 };
}

const readOnly = fc.record(
  {
    id: fc.oneof(fc.uuid(), text),
    creatorId: text,
    createdEpochMillis: weird,
    disabled: weird,
    deleted: weird,
    inTrash: weird,
    lastError: weird,
    lastErrorEvent: fc.oneof(fc.constant(null), weird),
    lastMetricCount: weird,
  },
  { requiredKeys: [] },
);

// ---------- valid bodies, and mutations of them ----------

const safeChar = fc.constantFrom('a', 'b', 'X', 'Y', '0', '9', ' ', '-', '_', '.', '/', 'é', '🚀');
const safeText = fc.tuple(fc.constantFrom('p', 'Q'), fc.string({ unit: safeChar, maxLength: 24 })).map(([a, b]) => a + b);
const validRegex = fc.constantFrom('^aws\\..*', 'cpu|mem', '(?<n>x)', '', 'Name');
const validTagExpr = fc.constantFrom('env=prod', 'env=prod, team=core', '', 'k = v');
const validTags = fc.dictionary(fc.constantFrom('env', 'team', 'k.1'), safeText, { maxKeys: 3 });

/** An integration body every rule accepts (given a live external ID bound to that role). */
function validBodies(pairs: Array<{ roleArn: string; externalId: string }>) {
  const creds = fc.tuple(fc.constantFrom(...pairs), fc.boolean()).map(([p, dropId]) => (dropId ? { roleArn: p.roleArn } : { ...p }));
  const configOf = {
    cloudWatch: fc.record(
      {
        baseCredentials: creds,
        namespaces: fc.array(fc.constantFrom('AWS/EC2', 'ec2', 'AWS/S3', 'Custom/App'), { maxLength: 4 }),
        metricFilterRegex: validRegex,
        pointTagFilterRegex: validRegex,
        instanceSelectionTags: validTags,
        instanceSelectionTagsExpr: validTagExpr,
        volumeSelectionTags: validTags,
        volumeSelectionTagsExpr: validTagExpr,
        s3BucketNameFilterRegex: validRegex,
        threadDistributionInMins: fc.integer({ min: 1, max: 1440 }),
      },
      { requiredKeys: ['baseCredentials'] },
    ),
    cloudTrail: fc.record(
      {
        baseCredentials: creds,
        bucketName: fc.constantFrom('acme-trail', 'my.bucket-1', 'logs0'),
        region: fc.constantFrom('us-east-1', 'eu-central-1', 'ap-southeast-2'),
        prefix: safeText,
        filterRule: validRegex,
      },
      { requiredKeys: ['baseCredentials', 'bucketName', 'region'] },
    ),
    ec2: fc.record(
      {
        baseCredentials: creds,
        hostNameTags: fc.array(fc.constantFrom('Name', 'hostname'), { maxLength: 3 }),
        instanceSelectionTagsExpr: validTagExpr,
        volumeSelectionTagsExpr: validTagExpr,
        metricFilterRegex: validRegex,
        pointTagFilterRegex: validRegex,
        customNamespaces: fc.array(fc.constantFrom('LIMITS'), { maxLength: 1 }),
      },
      { requiredKeys: ['baseCredentials'] },
    ),
  };
  const services = [
    ['cloudWatch', ['CLOUDWATCH', 'cloudwatch', 'CloudWatch']],
    ['cloudTrail', ['CLOUDTRAIL', 'cloudTrail']],
    ['ec2', ['EC2', 'ec2']],
  ] as const;
  return fc.oneof(
    ...services.map(([key, names]) =>
      fc
        .tuple(
          fc.record(
            {
              name: safeText,
              service: fc.constantFrom(...names),
              config: configOf[key],
              serviceRefreshRateInMins: fc.integer({ min: 1, max: 1440 }),
              additionalTags: validTags,
              forceSave: fc.boolean(),
            },
            { requiredKeys: ['name', 'service', 'config'] },
          ),
          fc.record({ id: fc.uuid(), disabled: fc.boolean(), inTrash: fc.boolean(), lastErrorEvent: fc.constant(null), creatorId: safeText }, { requiredKeys: [] }),
        )
        .map(([{ config, ...rest }, ro]) => ({ ...ro, ...rest, [key]: config }) as Record<string, unknown>),
    ),
  );
}

const KNOWN_KEYS = [
  'name', 'service', 'serviceRefreshRateInMins', 'additionalTags', 'forceSave', 'cloudWatch', 'cloudTrail', 'ec2', 'id',
  'roleArn', 'externalId', 'baseCredentials', 'namespaces', 'metricFilterRegex', 'pointTagFilterRegex', 'instanceSelectionTags',
  'instanceSelectionTagsExpr', 'volumeSelectionTags', 'volumeSelectionTagsExpr', 's3BucketNameFilterRegex', 'threadDistributionInMins',
  'bucketName', 'region', 'prefix', 'filterRule', 'hostNameTags', 'customNamespaces', 'lastErrorEvent', 'extra',
];
/** Sets (or, with undefined, deletes) one key of the body, of its config object, or of its baseCredentials. */
const mutation = fc.record({
  where: fc.constantFrom('top', 'config', 'creds'),
  key: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: text }),
  value: fc.option(weird, { nil: undefined, freq: 4 }),
});

function applyMutations(body: Record<string, unknown>, mutations: Array<{ where: string; key: string; value: unknown }>) {
  const copy = structuredClone(body) as Record<string, any>;
  for (const m of mutations) {
    const configKey = ['cloudWatch', 'cloudTrail', 'ec2'].find((k) => copy[k] !== null && typeof copy[k] === 'object' && !Array.isArray(copy[k]));
    let target: Record<string, unknown> | undefined = copy;
    if (m.where !== 'top') target = configKey ? copy[configKey] : undefined;
    if (m.where === 'creds') target = target && typeof target.baseCredentials === 'object' && target.baseCredentials !== null ? (target.baseCredentials as Record<string, unknown>) : undefined;
    if (!target) continue;
    if (m.value === undefined) delete target[m.key];
    else target[m.key] = m.value;
  }
  return copy;
}

/** A body for POST or PUT /api/v2/cloudintegration, or the raw text of one (`{raw}`). */
function integrationBodies(externalIds: string[], pairs: Array<{ roleArn: string; externalId: string }>): fc.Arbitrary<unknown> {
  const c = configs(externalIds);
  const valid = validBodies(pairs);
  const nearValid = fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([body, ms]) => applyMutations(body, ms));
  // Anything-goes records: wrong services, several config objects, other services' names.
  const loose = fc.record(
    {
      name: mostly(fc.oneof(fc.constantFrom('prod', 'n'.repeat(256)), text)),
      serviceRefreshRateInMins: mostly(fc.integer({ min: -1, max: 1441 })),
      additionalTags: mostly(tagMap),
      forceSave: mostly(fc.boolean()),
      service: fc.oneof(fc.constantFrom('CLOUDWATCH', 'ec2', 'cloudTrail', 'GCP', 'AZURE', 'NEWRELIC', 'S3', ''), text, weird),
      cloudWatch: mostly(c.cloudWatch, 2),
      cloudTrail: mostly(c.cloudTrail, 2),
      ec2: mostly(c.ec2, 2),
      extra: weird,
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 6, arbitrary: nearValid },
    { weight: 3, arbitrary: fc.tuple(loose, readOnly).map(([body, ro]) => ({ ...ro, ...body })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.oneof(text, fc.constantFrom('{', '{"name":', 'null', '[]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}')).map((raw) => ({ raw })) },
  );
}

const searchQuery = fc.record(
  {
    key: mostly(fc.oneof(fc.constantFrom('id', 'name', 'service', 'disabled', 'freetext', 'creatorId', 'lastError', 'constructor', 'toString', '__proto__', 'bogus'), text)),
    value: mostly(text),
    values: mostly(fc.array(text, { maxLength: 3 })),
    matchingMethod: mostly(fc.constantFrom('EXACT', 'CONTAINS', 'STARTSWITH', 'exact', 'startsWith', 'REGEX', '')),
    negated: mostly(fc.boolean()),
  },
  { requiredKeys: [] },
);
const searchBodies: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        query: mostly(fc.array(searchQuery, { maxLength: 4 })),
        sort: mostly(
          fc.record(
            {
              field: mostly(fc.oneof(fc.constantFrom('name', 'service', 'id', 'disabled', 'createdEpochMillis', 'updatedEpochMillis', 'serviceRefreshRateInMins', 'constructor', 'valueOf'), text)),
              ascending: mostly(fc.boolean()),
              default: weird,
            },
            { requiredKeys: [] },
          ),
        ),
        limit: mostly(fc.integer({ min: -1, max: 1001 })),
        offset: mostly(fc.integer({ min: -1, max: 1_000_001 })),
        facets: mostly(fc.array(fc.oneof(fc.constantFrom('name', 'service', 'disabled', 'id', 'creatorId', 'updaterId', 'lastProcessorId', 'roleArn', 'constructor'), text), { maxLength: 4 })),
        facetQuery: mostly(text),
        facetQueryMatchingMethod: mostly(fc.constantFrom('EXACT', 'CONTAINS', 'STARTSWITH', 'NOPE')),
        extra: weird,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.oneof(text, fc.constantFrom('{', 'null', '')).map((raw) => ({ raw })) },
);

// ---------- the checks ----------

type Injected = { statusCode: number; body: string };

/** A 200 in the OK envelope, or a 4xx in the error envelope; never a 5xx. Returns the parsed body. */
function assertEnvelope(res: Injected, what: string): any {
  assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body}`);
  const body = JSON.parse(res.body);
  if (res.statusCode === 200) {
    assert.deepEqual(body.status, { result: 'OK', message: '', code: 200 }, what);
    assert.ok('response' in body, what);
  } else {
    assert.ok(res.statusCode >= 400, `${what}: unexpected ${res.statusCode}`);
    assert.deepEqual(Object.keys(body), ['status'], what);
    assert.equal(body.status.result, 'ERROR', what);
    assert.equal(body.status.code, res.statusCode, what);
    assert.ok(typeof body.status.message === 'string' && body.status.message.length > 0, what);
  }
  return body;
}

function assertStoredShape(integration: any) {
  assert.match(integration.id, UUID_LOWER);
  assert.ok(['CLOUDWATCH', 'CLOUDTRAIL', 'EC2'].includes(integration.service));
  assert.equal(integration.forceSave, false);
  const key = { CLOUDWATCH: 'cloudWatch', CLOUDTRAIL: 'cloudTrail', EC2: 'ec2' }[integration.service as string]!;
  assert.equal(typeof integration[key].baseCredentials.roleArn, 'string');
  assert.equal(typeof integration[key].baseCredentials.externalId, 'string');
  assert.ok(integration.serviceRefreshRateInMins >= 1 && integration.serviceRefreshRateInMins <= 1440);
}

async function runProperty<T>(name: string, arb: fc.Arbitrary<T>, seed: number, check: (value: T) => Promise<void>) {
  try {
    await fc.assert(fc.asyncProperty(arb, check), { seed, numRuns: RUNS });
  } catch (err) {
    console.error(`fuzz "${name}" failed: rerun with FUZZ_SEED=${SEED} (property seed ${seed})`);
    throw err;
  }
}

const FACETS = ['name', 'service', 'disabled', 'id', 'creatorId', 'updaterId', 'lastProcessorId'];

/** Text as a URL path segment; text that cannot be percent-encoded (lone surrogates) becomes a broken escape. */
function pathSegment(s: string) {
  try {
    return encodeURIComponent(s);
  } catch {
    return 'broken%ZZescape';
  }
}

const payloadOf = (body: unknown) =>
  body !== null && typeof body === 'object' && 'raw' in body && Object.keys(body).length === 1 ? String((body as { raw: unknown }).raw) : JSON.stringify(body);

describe(`fuzzing request bodies (seed ${SEED}, ${RUNS} runs per endpoint)`, () => {
  const clock = manualClock();
  // The token cache saves a token lookup per request: the fuzz is about bodies, not authentication.
  const ctx = suiteApp({ clock, env: { SKYPORT_EXTERNAL_ID_TTL: '1h', SKYPORT_AUTH_CACHE_TTL: '1h' } });

  let externalIds: string[] = [];
  let pairs: Array<{ roleArn: string; externalId: string }> = [];
  let targets: string[] = [];

  async function setup() {
    if (externalIds.length > 0) return;
    const { app, admin, aws } = ctx();
    const call = client(app, admin);
    const [a, b, c, d, expired, deleted] = [
      await issueExternalId(call),
      await issueExternalId(call),
      await issueExternalId(call),
      await issueExternalId(call),
      await issueExternalId(call),
      await issueExternalId(call),
    ];
    ok(await call('DELETE', `/api/v2/cloudintegration/awsExternalId/${deleted}`));
    const made = [
      (await createIntegration(call, { name: 'cw', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: ROLE_ARN, externalId: a } } })).id,
      (await createIntegration(call, { name: 'ct', service: 'CLOUDTRAIL', cloudTrail: { baseCredentials: { roleArn: ROLE_ARN, externalId: b }, bucketName: 'acme-trail', region: 'us-east-1' } })).id,
      (await createIntegration(call, { name: 'ec2', service: 'EC2', ec2: { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: c } } })).id,
    ];
    ok(await call('DELETE', `/api/v2/cloudintegration/${(await createIntegration(call, { name: 'trashed', service: 'EC2', ec2: { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: c } } })).id}`));
    // A role that trusted Skyport when `d` was first used with it (so `d` is bound to it and stays valid), and
    // whose trust policy then dropped Skyport: bodies with it pass every input rule and meet the real
    // AccessDenied of STS (a 400, nothing stored) unless they carry forceSave.
    aws.sim.createRole({ accountId: '123456789012', name: 'revoked-reader', trustedPrincipals: [aws.skyportArn] });
    await createIntegration(call, { name: 'revoked', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: REVOKED_ROLE_ARN, externalId: d } } });
    aws.sim.updateRoleTrust(REVOKED_ROLE_ARN, { trustedPrincipals: ['arn:aws:iam::111122223333:root'] });
    clock.advance(2 * 3_600_000); // `expired` is now past its TTL; a, b, c and d are in use and stay valid.
    targets = made;
    // Most well-formed bodies name a role Skyport can assume (so creates succeed often), one in four the revoked one.
    pairs = [{ roleArn: ROLE_ARN, externalId: a }, { roleArn: ROLE_ARN, externalId: b }, { roleArn: OTHER_ROLE_ARN, externalId: c }, { roleArn: REVOKED_ROLE_ARN, externalId: d }];
    externalIds = [a, b, c, d, expired, deleted];
  }

  const stsRefusals = () => ctx().aws.sim.callCount({ service: 'sts', api: 'AssumeRole', error: 'AccessDenied' });
  const rows = async () => (await ctx().database.pool.query('SELECT count(*)::int AS n FROM integrations')).rows[0].n as number;
  const send = (method: 'POST' | 'PUT', url: string, body: unknown) =>
    ctx().app.inject({ method, url, headers: { authorization: `Bearer ${ctx().admin}`, 'content-type': 'application/json' }, payload: payloadOf(body) });

  test('POST /api/v2/cloudintegration', async () => {
    await setup();
    const start = await rows();
    const refusedByStsBefore = stsRefusals();
    let created = 0;
    await runProperty('create', integrationBodies(externalIds, pairs), SEED, async (body) => {
      const res = await send('POST', '/api/v2/cloudintegration', body);
      const parsed = assertEnvelope(res, `create ${payloadOf(body)}`);
      if (res.statusCode === 200) {
        created++;
        assertStoredShape(parsed.response);
      }
      assert.equal(await rows(), start + created, `rows match 200 creates after ${payloadOf(body)} → ${res.statusCode}`);
    });
    assert.equal(await rows(), start + created);
    const refusedBySts = stsRefusals() - refusedByStsBefore;
    console.log(`create: ${created} of ${RUNS} bodies stored; STS refused the role of ${refusedBySts}`);
    if (RUNS >= 1000) assert.ok(created > RUNS / 20, `the generator reaches valid bodies too (${created} stored)`);
    if (RUNS >= 1000) assert.ok(refusedBySts > 0, 'the generator reaches roles that STS refuses too');
  });

  test('PUT /api/v2/cloudintegration/{id}', async () => {
    await setup();
    const start = await rows();
    const snapshots = new Map<string, string | undefined>();
    for (const id of targets) snapshots.set(id, await rowText(ctx(), id));
    let updated = 0;
    const target = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...targets) }, { weight: 1, arbitrary: fc.oneof(fc.uuid(), fc.constantFrom('not-a-uuid')) });
    await runProperty('update', fc.tuple(target, integrationBodies(externalIds, pairs)), SEED + 1, async ([id, body]) => {
      const res = await send('PUT', `/api/v2/cloudintegration/${id}`, body);
      const parsed = assertEnvelope(res, `put ${id} ${payloadOf(body)}`);
      if (!snapshots.has(id)) {
        // Body validation may answer first (400); the id itself can only be a 404.
        assert.ok(res.statusCode === 404 || res.statusCode === 400, `an unknown id is never stored, got ${res.statusCode}`);
        return;
      }
      const now = await rowText(ctx(), id);
      if (res.statusCode === 200) {
        updated++;
        assertStoredShape(parsed.response);
        assert.equal(parsed.response.id, id);
        snapshots.set(id, now);
      } else {
        assert.equal(now, snapshots.get(id), `rejected PUT (${res.statusCode}: ${parsed.status.message}) left the row as it was; body ${payloadOf(body)}`);
      }
    });
    assert.equal(await rows(), start, 'PUT never adds or removes rows');
    console.log(`update: ${updated} of ${RUNS} bodies applied`);
    if (RUNS >= 1000) assert.ok(updated > RUNS / 20, `the generator reaches valid updates too (${updated} applied)`);
  });

  test('POST /api/v2/search/cloudintegration and …/deleted', async () => {
    await setup();
    const start = await rows();
    await runProperty('search', fc.tuple(fc.boolean(), searchBodies), SEED + 2, async ([deleted, body]) => {
      const url = deleted ? '/api/v2/search/cloudintegration/deleted' : '/api/v2/search/cloudintegration';
      const res = await send('POST', url, body);
      const parsed = assertEnvelope(res, `search ${url} ${payloadOf(body)}`);
      if (res.statusCode === 200) {
        const page = parsed.response;
        assert.ok(Array.isArray(page.items) && page.items.length <= page.limit);
        assert.ok(page.items.every((i: any) => i.inTrash === deleted));
        assert.equal(page.moreItems, page.offset + page.items.length < page.totalItems);
      }
    });
    assert.equal(await rows(), start, 'search writes nothing');
  });

  test('POST /api/v2/search/cloudintegration/facets and /{facet} (live and deleted)', async () => {
    await setup();
    const facet = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('facets', ...FACETS) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('roleArn', 'constructor', '__proto__', 'x'.repeat(300)), text).map(pathSegment) },
    );
    await runProperty('facets', fc.tuple(fc.boolean(), facet, searchBodies), SEED + 3, async ([deleted, name, body]) => {
      const url = `/api/v2/search/cloudintegration/${deleted ? 'deleted/' : ''}${name}`;
      const res = await send('POST', url, body);
      const parsed = assertEnvelope(res, `facet ${url} ${payloadOf(body)}`);
      if (res.statusCode === 200 && FACETS.includes(name)) {
        assert.ok(Array.isArray(parsed.response.items) && parsed.response.items.every((v: unknown) => typeof v === 'string'));
      }
    });
  });
});
