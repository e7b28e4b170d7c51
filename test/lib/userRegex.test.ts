import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SkyportError } from '../../src/errors.ts';
import { assertUserRegex, compileUserRegex, optionalUserRegex, userRegexProblem } from '../../src/lib/userRegex.ts';

test('whole match and match anywhere, both ignoring letter case', () => {
  const whole = compileUserRegex('aws\\.ec2\\..*', 'f', 'whole');
  assert.equal(whole.test('AWS.EC2.cpuutilization.average'), true);
  assert.equal(whole.test('x.aws.ec2.cpu'), false, 'a match inside the text is not a whole match');
  assert.equal(compileUserRegex('cpu|mem', 'f', 'whole').test('mem'), true, 'alternatives are whole matches each');
  const anywhere = compileUserRegex('SIGNIN', 'f', 'anywhere');
  assert.equal(anywhere.test('signin.amazonaws.com:ConsoleLogin'), true);
  assert.equal(compileUserRegex('^ec2', 'f', 'anywhere').test('s3:ec2'), false, 'anchors hold');
});

test('nested quantifiers run in linear time', () => {
  const re = compileUserRegex('aws\\.(.+)+X', 'f', 'whole');
  const started = performance.now();
  assert.equal(re.test(`aws.${'a'.repeat(100_000)}`), false);
  assert.ok(performance.now() - started < 2000);
});

test('what RE2 cannot take is a 400 naming the field and the reason; empty means no filter', () => {
  for (const [pattern, reason] of [['(?=a)b', '(?='], ['(a)\\1', '\\1'], ['(?<!x)y', '(?<!'], ['a{2000}', '{2000}'], ['[a-', 'missing closing ]']]) {
    assert.ok(userRegexProblem(pattern)?.includes(reason), `${pattern}: ${userRegexProblem(pattern)}`);
    assert.throws(
      () => compileUserRegex(pattern, 'cloudWatch.metricFilterRegex', 'whole'),
      (err: unknown) => err instanceof SkyportError && err.statusCode === 400 && err.message.startsWith('cloudWatch.metricFilterRegex ') && err.message.includes(reason),
    );
  }
  assert.equal(userRegexProblem('(?<name>x)'), undefined, 'named groups are RE2 syntax');
  assert.doesNotThrow(() => assertUserRegex('', 'f'));
  assert.equal(optionalUserRegex('', 'f', 'whole'), undefined);
  assert.equal(optionalUserRegex(undefined, 'f', 'whole'), undefined);
});
