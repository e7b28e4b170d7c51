import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePlan } from '../../src/provision/plan.ts';
import type { CloudIntegration } from '../../src/schemas/cloudIntegration.ts';
import type { ProvisioningFile } from '../../src/provision/fileSchema.ts';

const ROLE = 'arn:aws:iam::123456789012:role/x';

function stored(name: string, over: Partial<CloudIntegration> = {}): CloudIntegration {
  return {
    id: `id-${name}`, name, service: 'CLOUDWATCH', serviceRefreshRateInMins: 5, forceSave: false,
    cloudWatch: { baseCredentials: { roleArn: ROLE, externalId: 'AAAAAAAAAAAAAAAA' }, namespaces: ['AWS/EC2'] },
    creatorId: 't', updaterId: 't', createdEpochMillis: 1, updatedEpochMillis: 1, disabled: false, deleted: false, inTrash: false,
    ...over,
  };
}

const file = (integrations: Record<string, unknown>) => ({ integrations }) as ProvisioningFile;
const cw = (extra: Record<string, unknown> = {}, creds: Record<string, unknown> = {}) => ({
  service: 'CLOUDWATCH',
  cloudWatch: { baseCredentials: { roleArn: ROLE, ...creds }, namespaces: ['AWS/EC2'], ...extra },
});

test('an entry equal to the server (external ID left out, default refresh rate) is unchanged', () => {
  const plan = makePlan(file({ a: cw() }), [stored('a')], { prune: false });
  assert.deepEqual(plan.steps, []);
  assert.equal(plan.unchanged, 1);
});

test('differences are listed field by field, map keys and removals included', () => {
  const plan = makePlan(
    file({ a: { ...cw({ metricFilterRegex: '^aws' }), additionalTags: { team: 'sre' } } }),
    [stored('a', { cloudWatch: { baseCredentials: { roleArn: ROLE, externalId: 'AAAAAAAAAAAAAAAA' }, namespaces: ['AWS/EC2'], pointTagFilterRegex: 'env' } })],
    { prune: false },
  );
  assert.equal(plan.steps.length, 1);
  const step = plan.steps[0];
  assert.equal(step.kind, 'update');
  assert.deepEqual(step.kind === 'update' ? step.changes : [], [
    { field: 'additionalTags.team', from: undefined, to: 'sre' },
    { field: 'cloudWatch.metricFilterRegex', from: undefined, to: '^aws' },
    { field: 'cloudWatch.pointTagFilterRegex', from: 'env', to: undefined },
  ]);
});

test('what cannot be applied is an error per entry: another service, another external ID, a name used twice on the server', () => {
  const plan = makePlan(
    file({
      a: { service: 'EC2', ec2: { baseCredentials: { roleArn: ROLE } } },
      b: cw({}, { externalId: 'BBBBBBBBBBBBBBBB' }),
      c: cw(),
    }),
    [stored('a'), stored('b'), stored('c'), stored('c', { id: 'id-c2' })],
    { prune: true },
  );
  assert.deepEqual(plan.steps, []);
  assert.deepEqual(plan.errors.map((e) => e.name), ['a', 'b', 'c']);
  assert.match(plan.errors[0].message, /service cannot change \(the server has CLOUDWATCH\)/);
  assert.match(plan.errors[1].message, /externalId cannot change \(the server has AAAAAAAAAAAAAAAA\)/);
  assert.match(plan.errors[2].message, /2 integrations on the server are named "c" \(id-c, id-c2\)/);
});

test('unlisted integrations are kept and named, or deleted with prune', () => {
  const kept = makePlan(file({}), [stored('x')], { prune: false });
  assert.deepEqual([kept.steps, kept.unlisted], [[], ['x']]);
  const pruned = makePlan(file({}), [stored('x')], { prune: true });
  assert.deepEqual(pruned.steps, [{ kind: 'delete', name: 'x', id: 'id-x', service: 'CLOUDWATCH' }]);
});
