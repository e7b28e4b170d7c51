import type { FailureTable } from '../failureKinds.ts';

/**
 * What CloudWatch Logs (awsJson1_1) answers for the generic failure kinds of auth and fault injection: the
 * `__type` names the SDK turns into its exception classes (UnrecognizedClientException, ThrottlingException,
 * ServiceUnavailableException, …). JSON services answer credential problems with 400, not 403.
 */
export const LOGS_FAILURES: FailureTable = {
  'missing-auth': [400, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
  'unknown-key': [400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
  'bad-signature': [
    400,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ],
  'expired-token': [400, 'ExpiredTokenException', 'The security token included in the request is expired'],
  'access-denied': [400, 'AccessDeniedException', 'User is not authorized to perform this operation'],
  throttle: [400, 'ThrottlingException', 'Rate exceeded'],
  'server-error': [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'],
  unavailable: [503, 'ServiceUnavailableException', 'The service cannot complete the request.'],
};
