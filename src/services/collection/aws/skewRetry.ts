import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

// The codes AWS refuses a skewed signature with (the SDK's own list of clock-skew errors).
const SKEW_CODES = new Set(['AuthFailure', 'InvalidSignatureException', 'RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed', 'SignatureDoesNotMatch']);

// What AWS says when the signing time is off; a wrong secret gives SignatureDoesNotMatch with another message.
const SKEW_MESSAGE = /signature expired|signature not yet current|request has expired|difference between the request time and the current time/i;

const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 0 });

/**
 * The SDK's retry strategy for Skyport's clients: no retries (throttling, 5xx and timeouts are retried by the
 * scheduler, with back-off), except ONE immediate retry of a call AWS refused because this machine's clock is
 * off (RequestTimeTooSkewed, RequestExpired, SignatureDoesNotMatch "Signature expired"): the SDK has then already
 * moved the client's clock offset (`systemClockOffset`) to AWS's `Date` (for this call or a concurrent one of the
 * same client), and the retry is signed with it. Without
 * it a skewed clock would fail the first call of every client and read like bad credentials.
 */
export const skewOnlyRetryStrategy: RetryStrategyV2 = {
  acquireInitialRetryToken: async () => token(0),
  refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
    const error = info.error as { name?: string; message?: string; $metadata?: { clockSkewCorrected?: boolean } } | undefined;
    // Corrected by this answer, or refused for skew while a concurrent call of the same client corrected the
    // offset (the SDK then does not flag this one): either way the retry is signed with AWS's time.
    const skewed = SKEW_CODES.has(error?.name ?? '') && (error?.$metadata?.clockSkewCorrected === true || SKEW_MESSAGE.test(error?.message ?? ''));
    if (skewed && previous.getRetryCount() === 0) return token(1);
    throw info.error ?? new Error('not retried');
  },
  recordSuccess: () => {},
};
