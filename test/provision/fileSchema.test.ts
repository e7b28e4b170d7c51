import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FILE_SCHEMA_PATH, fileJsonSchema } from '../../src/provision/fileSchema.ts';
import { FILE_SCHEMA_URL_PATH } from '../../src/provision/export.ts';
import { parseFile } from '../../src/provision/readFile.ts';
import { buildTestApp } from '../helpers/app.ts';

test(`the committed ${FILE_SCHEMA_PATH} matches the TypeBox schema (run \`npm run openapi\` after changing it)`, async () => {
  const committed = await readFile(new URL(`../../${FILE_SCHEMA_PATH}`, import.meta.url), 'utf8');
  assert.equal(committed, fileJsonSchema());
});

test('every Skyport serves the schema for editors, without a token', async (t) => {
  const { app } = await buildTestApp(t);
  const res = await app.inject({ method: 'GET', url: FILE_SCHEMA_URL_PATH });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/schema\+json/);
  assert.equal(res.body, fileJsonSchema());
});

test('problems are reported all at once, each with its line, column and field', () => {
  const text = [
    'integrations:',
    '  a:',
    '    service: CLOUDWATCH',
    '    serviceRefreshRateInMins: 0',
    '    cloudWatch:',
    '      baseCredentials: { roleArn: "arn:aws:iam::123456789012:role/x", sessionName: s }',
    '  b:',
    '    service: ec2',
    'apigateway: {}',
    '',
  ].join('\n');
  assert.throws(() => parseFile('f.yaml', text), (err: Error) => {
    const lines = err.message.split('\n');
    assert.ok(lines.includes('f.yaml:9:1: apigateway: unknown field'), err.message);
    assert.ok(lines.includes('f.yaml:4:5: integrations.a.serviceRefreshRateInMins: must be >= 1'), err.message);
    assert.ok(lines.includes('f.yaml:6:71: integrations.a.cloudWatch.baseCredentials.sessionName: unknown field'), err.message);
    assert.ok(lines.includes('f.yaml:8:5: integrations.b.service: must be equal to one of the allowed values: CLOUDWATCH, CLOUDTRAIL, EC2'), err.message);
    return true;
  });
});

test('YAML problems: duplicate names, a section of another service, aliases beyond the bound', () => {
  const dup = 'integrations:\n  a: {service: EC2, ec2: {baseCredentials: {roleArn: "arn:aws:iam::123456789012:role/x"}}}\n  a: {service: EC2}\n';
  assert.throws(() => parseFile('f.yaml', dup), /f\.yaml:3:3: Map keys must be unique/);
  const other = [
    'integrations:',
    '  a:',
    '    service: EC2',
    '    ec2: { baseCredentials: { roleArn: "arn:aws:iam::123456789012:role/x" } }',
    '    cloudWatch: { baseCredentials: { roleArn: "arn:aws:iam::123456789012:role/x" } }',
    '',
  ].join('\n');
  assert.throws(() => parseFile('f.yaml', other), /f\.yaml:5:5: integrations\.a\.cloudWatch: does not belong to service EC2 \(its settings go under ec2\)/);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), ''].join('\n');
  assert.throws(() => parseFile('f.yaml', bomb), /alias|Excessive/i);
});
