/**
 * Errors that say the session (the assumed-role credentials, or the time they were signed at) is stale, not
 * that the role rejects Skyport: an expired session token (a process paused past its session, AWS's clock ahead
 * of ours) or a request signed too far from AWS's clock. Such an error calls for dropping the cached
 * credentials, assuming the role again and retrying once; only a failure of that fresh attempt disables.
 */
const SESSION_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  // EC2's answer to an expired session token, and to a request signed too long ago.
  'RequestExpired',
  'RequestTimeTooSkewed',
  'RequestInTheFuture',
  'InvalidSignatureException',
  // STS and CloudWatch answer a skewed signature with "Signature expired: …"; a wrong secret gives the same
  // code, which the fresh attempt then reports.
  'SignatureDoesNotMatch',
]);

/** An SDK error, or a classified one (`code`), that says the session is stale. */
export function isSessionError(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; Code?: string; code?: string };
  return SESSION_CODES.has(e.Code ?? '') || SESSION_CODES.has(e.name ?? '') || SESSION_CODES.has(e.code ?? '');
}
