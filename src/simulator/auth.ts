import { failure, SimError, type ServiceName } from './errors.ts';
import type { Caller, SimRequest } from './request.ts';
import { sha256Hex, verifySignature, type SigV4Authorization } from './sigv4.ts';
import type { SimState } from './state.ts';

export interface AuthOptions {
  /** Recompute and compare SigV4 signatures (default true). */
  verifySignatures: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Authenticates a request signed with SigV4:
 * 1. the Authorization header parses and names a known access key (else InvalidClientTokenId / AuthFailure /
 *    InvalidAccessKeyId);
 * 2. temporary keys carry their own X-Amz-Security-Token (else the same "invalid token" error);
 * 3. a literal x-amz-content-sha256 matches the body (S3: XAmzContentSHA256Mismatch);
 * 4. the signature recomputed with the key's secret matches (SignatureDoesNotMatch);
 * 5. temporary keys are not expired per the simulator clock (ExpiredToken; EC2: RequestExpired).
 */
export function authenticate(
  req: SimRequest,
  auth: SigV4Authorization | undefined,
  service: ServiceName,
  state: SimState,
  now: number,
  options: AuthOptions,
): Caller {
  if (!auth) throw failure(service, 'missing-auth');
  const key = state.iam.keys.get(auth.accessKeyId);
  if (!key) throw failure(service, 'unknown-key', {}, service === 's3' ? { AWSAccessKeyId: auth.accessKeyId } : undefined);
  const token = req.headers['x-amz-security-token'];
  if (key.sessionToken !== undefined ? token !== key.sessionToken : token !== undefined) {
    throw failure(service, 'unknown-key', {}, service === 's3' ? { AWSAccessKeyId: auth.accessKeyId } : undefined);
  }
  if (options.verifySignatures) {
    const declared = req.headers['x-amz-content-sha256'];
    let payloadHash: string;
    if (typeof declared === 'string') {
      payloadHash = declared;
      if (HEX64.test(declared) && sha256Hex(req.rawBody) !== declared) {
        if (service === 's3') {
          throw new SimError(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        throw failure(service, 'bad-signature');
      }
    } else {
      payloadHash = sha256Hex(req.rawBody);
    }
    if (verifySignature(req, auth, key.secretAccessKey, payloadHash) !== 'ok') throw failure(service, 'bad-signature');
  }
  if (key.expiresAt !== undefined && now >= key.expiresAt) throw failure(service, 'expired-token');
  const principal = key.principal;
  return {
    key,
    principal,
    accountId: principal.accountId,
    roleArn: principal.type === 'assumed-role' ? principal.role.arn : undefined,
  };
}
