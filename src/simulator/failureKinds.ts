/** The generic failure kinds that auth and fault injection raise; each service maps them to its own code. */
export type FailureKind =
  | 'missing-auth'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired-token'
  | 'access-denied'
  | 'throttle'
  | 'server-error'
  | 'unavailable';

/** A service's answer to each failure kind: HTTP status, error code, message. */
export type FailureTable = Record<FailureKind, [number, string, string]>;
