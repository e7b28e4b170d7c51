import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * What an AWS failure means for Skyport, decided in this one place:
 * - `credentials`: Skyport cannot act as the integration's role (the integration gets disabled);
 * - `denied`: the role works but lacks a permission for one call (a region or API fails, not the account);
 * - `transient`: throttling, 5xx, timeouts, dropped connections (back off and retry; never disable);
 * - `other`: anything else (a bug, bad input); recorded, not retried harder.
 */
export type AwsErrorKind = 'credentials' | 'denied' | 'transient' | 'other';

export interface ClassifiedAwsError {
  kind: AwsErrorKind;
  /** The AWS error code (e.g. AccessDenied, Throttling), or the Node error code, or the error name. */
  code: string;
  message: string;
}

// Codes that mean the caller's identity itself is rejected, whatever the call.
const IDENTITY_CODES = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidToken',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AllAccessDisabled']);
// AssumeRole answers these for a role that is malformed or does not exist.
const BAD_ROLE_CODES = new Set(['ValidationError', 'MalformedPolicyDocument', 'NoSuchEntity', 'RegionDisabledException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Classifies an error thrown by an AWS SDK v3 client. `assumeRole` is true for errors of STS AssumeRole,
 * where AccessDenied means the role's trust policy (or the external ID) rejects Skyport: a credential failure.
 */
export function classifyAwsError(error: unknown, opts: { assumeRole?: boolean } = {}): ClassifiedAwsError {
  const e = (error ?? {}) as SdkLikeError;
  const code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'UnknownError';
  const message = e.message ?? String(error);
  const nodeCode = typeof e.code === 'string' ? e.code : '';
  const as = (kind: AwsErrorKind): ClassifiedAwsError => ({ kind, code: nodeCode && NETWORK_CODES.has(nodeCode) ? nodeCode : code, message });

  if (IDENTITY_CODES.has(code)) return as('credentials');
  if (DENIED_CODES.has(code)) return as(opts.assumeRole ? 'credentials' : 'denied');
  if (opts.assumeRole && BAD_ROLE_CODES.has(code)) return as('credentials');
  if (code === 'AbortError') return as('other');
  if (NETWORK_CODES.has(nodeCode) || NETWORK_CODES.has(code)) return as('transient');
  const sdkError = e as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError)) return as('transient');
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return as('transient');
  return as('other');
}

/** Did AWS throttle the call (the SDK's own list of throttling codes, HTTP 429, or a throttling trait)? */
export function isThrottling(error: unknown): boolean {
  return isThrottlingError((error ?? {}) as Parameters<typeof isThrottlingError>[0]);
}
