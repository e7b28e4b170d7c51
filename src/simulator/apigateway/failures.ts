import type { FailureTable } from '../failureKinds.ts';

/**
 * What API Gateway (v1 and v2, REST JSON) answers for the generic failures of authentication and fault
 * injection. The SDK reads the code from the `x-amzn-ErrorType` header; codes its model knows
 * (TooManyRequestsException, ServiceUnavailableException…) become their exception classes.
 */
export const APIGATEWAY_FAILURES: FailureTable = {
  'missing-auth': [403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
  'unknown-key': [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
  'bad-signature': [
    403,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ],
  'expired-token': [403, 'ExpiredTokenException', 'The security token included in the request is expired'],
  'access-denied': [403, 'AccessDeniedException', 'User is not authorized to access this resource'],
  throttle: [429, 'TooManyRequestsException', 'Too Many Requests'],
  'server-error': [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'],
  unavailable: [503, 'ServiceUnavailableException', 'Service Unavailable'],
};
