import { APIGATEWAY_FAILURES } from './apigateway/failures.ts';
import type { FailureKind, FailureTable } from './failureKinds.ts';
import { LOGS_FAILURES } from './logs/failures.ts';

export type { FailureKind, FailureTable } from './failureKinds.ts';

/**
 * The AWS services the simulator speaks, named as in the SigV4 credential scope. API Gateway v2 signs with
 * the scope `apigateway` too; it is told apart by its `/v2/` paths so that its operations count separately.
 */
export type ServiceName = 'sts' | 'monitoring' | 'ec2' | 's3' | 'logs' | 'apigateway' | 'apigatewayv2';
export const SERVICES: readonly ServiceName[] = ['sts', 'monitoring', 'ec2', 's3', 'logs', 'apigateway', 'apigatewayv2'];

/**
 * An AWS error as the service would return it. Each protocol renders it in its own shape
 * (awsQuery XML, awsJson1_0 + x-amzn-query-error, EC2 XML, S3 XML).
 */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra XML/JSON fields some errors carry (S3 `Key`, `BucketName`, `Region`…). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }

  /** awsQuery `<Type>` and the second half of `x-amzn-query-error`. */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

const STS_LIKE: Record<FailureKind, [number, string, string]> = {
  'missing-auth': [403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'],
  'unknown-key': [403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'],
  'bad-signature': [
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ],
  'expired-token': [403, 'ExpiredToken', 'The security token included in the request is expired'],
  'access-denied': [403, 'AccessDenied', 'User is not authorized to perform this operation'],
  throttle: [400, 'Throttling', 'Rate exceeded'],
  'server-error': [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'],
  unavailable: [503, 'ServiceUnavailable', 'The service is unavailable. Please try again later.'],
};


const TABLE: Record<ServiceName, FailureTable> = {
  sts: STS_LIKE,
  monitoring: STS_LIKE,
  logs: LOGS_FAILURES,
  ec2: {
    'missing-auth': [401, 'MissingAuthenticationToken', 'Request is missing Authentication Token'],
    'unknown-key': [401, 'AuthFailure', 'AWS was not able to validate the provided access credentials'],
    'bad-signature': [
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    ],
    // EC2 answers an expired session token with RequestExpired, not ExpiredToken.
    'expired-token': [400, 'RequestExpired', 'Request has expired.'],
    'access-denied': [403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.'],
    throttle: [503, 'RequestLimitExceeded', 'Request limit exceeded.'],
    'server-error': [500, 'InternalError', 'An internal error has occurred'],
    unavailable: [503, 'Unavailable', 'The server is overloaded and cannot handle the request'],
  },
  s3: {
    'missing-auth': [403, 'AccessDenied', 'Access Denied'],
    'unknown-key': [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'],
    'bad-signature': [
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ],
    'expired-token': [400, 'ExpiredToken', 'The provided token has expired.'],
    'access-denied': [403, 'AccessDenied', 'Access Denied'],
    throttle: [503, 'SlowDown', 'Please reduce your request rate.'],
    'server-error': [500, 'InternalError', 'We encountered an internal error. Please try again.'],
    unavailable: [503, 'ServiceUnavailable', 'Service is unable to handle request.'],
  },
  apigateway: APIGATEWAY_FAILURES,
  apigatewayv2: APIGATEWAY_FAILURES,
};

/** The error a service returns for a generic failure kind; `code`/`message`/`status` override the defaults. */
export function failure(
  service: ServiceName,
  kind: FailureKind,
  override: { code?: string; message?: string; status?: number } = {},
  extra?: Record<string, string>,
): SimError {
  const [status, code, message] = TABLE[service][kind];
  return new SimError(override.status ?? status, override.code ?? code, override.message ?? message, extra);
}

/** Shorthands for the common client errors. */
export const invalidParameterValue = (message: string): SimError => new SimError(400, 'InvalidParameterValue', message);
export const validationError = (message: string): SimError => new SimError(400, 'ValidationError', message);
export const missingParameter = (message: string): SimError => new SimError(400, 'MissingParameter', message);
