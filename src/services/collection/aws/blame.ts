import { classifyAwsError } from './errors.ts';

/**
 * Who is to blame when a step fails: the settings a user gave (`request`: a 400 that says what to fix),
 * Skyport's own AWS identity (`server`: a 503 saying Skyport lacks credentials), or AWS for now
 * (`transient`: throttling, 5xx, timeouts; a 503 to retry). Used where a user's write is checked against AWS.
 */
export type Blame = 'request' | 'server' | 'transient';

export class AwsStepError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    readonly blame: Blame,
    message: string,
  ) {
    super(message);
    this.name = 'AwsStepError';
  }
}

// The SDK's own error when the default chain finds no identity at all (no env keys, profile or instance role).
const NO_CREDENTIALS = 'CredentialsProviderError';
// Codes that reject the signer itself (unlike AssumeRole's AccessDenied, which is the target role's trust policy).
const SIGNER_REJECTED = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
]);

/** `signedBySkyport`: the call was signed with Skyport's own identity, so a rejected signer is Skyport's problem. */
export function blameOf(err: unknown, signedBySkyport: boolean): { code: string; message: string; blame: Blame } {
  if ((err as Error)?.name === NO_CREDENTIALS) return { code: NO_CREDENTIALS, message: (err as Error).message, blame: 'server' };
  const c = classifyAwsError(err);
  if (c.kind === 'transient' || c.code === 'AbortError' || c.code === 'TimeoutError') return { code: c.code, message: c.message, blame: 'transient' };
  if (signedBySkyport && SIGNER_REJECTED.has(c.code)) return { code: c.code, message: c.message, blame: 'server' };
  return { code: c.code, message: c.message, blame: 'request' };
}

/** Runs one AWS call as a step: its failure becomes an AwsStepError naming `operation`, with the blame decided once. */
export async function awsStep<T>(operation: string, signedBySkyport: boolean, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AwsStepError) throw err;
    const b = blameOf(err, signedBySkyport);
    throw new AwsStepError(operation, b.code, b.blame, b.message);
  }
}
