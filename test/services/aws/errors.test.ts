import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAwsError } from '../../../src/services/collection/aws/errors.ts';

// An error shaped as the AWS SDK v3 throws them: name = AWS error code, $metadata.httpStatusCode.
function sdkError(name: string, status = 400, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
}

test('identity failures are credential failures on any call', () => {
  for (const code of ['InvalidClientTokenId', 'ExpiredToken', 'SignatureDoesNotMatch', 'AuthFailure', 'UnrecognizedClientException', 'InvalidAccessKeyId']) {
    assert.equal(classifyAwsError(sdkError(code, 403)).kind, 'credentials', code);
    assert.equal(classifyAwsError(sdkError(code, 403)).code, code);
  }
});

test('AccessDenied is a credential failure on AssumeRole, a permission gap elsewhere', () => {
  for (const code of ['AccessDenied', 'AccessDeniedException']) {
    assert.equal(classifyAwsError(sdkError(code, 403), { assumeRole: true }).kind, 'credentials');
    assert.equal(classifyAwsError(sdkError(code, 403)).kind, 'denied');
  }
  assert.equal(classifyAwsError(sdkError('UnauthorizedOperation', 403)).kind, 'denied');
});

test('a malformed or unknown role is a credential failure of AssumeRole', () => {
  assert.equal(classifyAwsError(sdkError('ValidationError'), { assumeRole: true }).kind, 'credentials');
  assert.equal(classifyAwsError(sdkError('NoSuchEntity', 404), { assumeRole: true }).kind, 'credentials');
  // The same code on a data call is a plain client error, not an identity problem.
  assert.equal(classifyAwsError(sdkError('ValidationError')).kind, 'other');
});

test('every throttling code is transient', () => {
  for (const code of ['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'SlowDown', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded', 'EC2ThrottledException']) {
    assert.equal(classifyAwsError(sdkError(code, 400)).kind, 'transient', code);
  }
  assert.equal(classifyAwsError(sdkError('Whatever', 429)).kind, 'transient');
});

test('5xx, timeouts and dropped connections are transient', () => {
  for (const [code, status] of [['InternalFailure', 500], ['InternalError', 500], ['ServiceUnavailable', 503], ['Unknown', 502], ['Unknown', 504]] as const) {
    assert.equal(classifyAwsError(sdkError(code, status)).kind, 'transient', `${code} ${status}`);
  }
  assert.equal(classifyAwsError(sdkError('TimeoutError', 0)).kind, 'transient');
  assert.equal(classifyAwsError(sdkError('RequestTimeout', 400)).kind, 'transient');
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']) {
    const err = Object.assign(new Error('socket trouble'), { code });
    const classified = classifyAwsError(err);
    assert.equal(classified.kind, 'transient', code);
    assert.equal(classified.code, code);
  }
});

test('anything else is other, and an abort is never retried as transient', () => {
  assert.equal(classifyAwsError(sdkError('InvalidParameterValue')).kind, 'other');
  assert.equal(classifyAwsError(sdkError('AbortError', 0)).kind, 'other');
  assert.equal(classifyAwsError(new TypeError('boom')).kind, 'other');
  assert.equal(classifyAwsError(undefined).kind, 'other');
});
