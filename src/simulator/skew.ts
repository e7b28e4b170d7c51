import type { IncomingHttpHeaders } from 'node:http';
import { SimError, type ServiceName } from './errors.ts';

/** AWS refuses a signed request whose X-Amz-Date is more than 15 minutes from its own clock. */
export const MAX_SKEW_MS = 15 * 60_000;

const amzDate = (text: string): number =>
  Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8), +text.slice(9, 11), +text.slice(11, 13), +text.slice(13, 15));

const compact = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * The error each service answers a request signed too far from its clock with (what the SDK's clock-skew
 * correction recognises): STS and CloudWatch `SignatureDoesNotMatch` "Signature expired/not yet current", EC2
 * `RequestExpired`, S3 `RequestTimeTooSkewed` with `ServerTime`. Requests without X-Amz-Date are left alone.
 */
export function clockSkewError(service: ServiceName, headers: IncomingHttpHeaders, nowMs: number): SimError | undefined {
  const raw = headers['x-amz-date'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text || !/^\d{8}T\d{6}Z$/.test(text)) return undefined;
  const signedMs = amzDate(text);
  if (Math.abs(signedMs - nowMs) <= MAX_SKEW_MS) return undefined;
  const early = signedMs < nowMs;
  switch (service) {
    case 'ec2':
      return new SimError(400, 'RequestExpired', `Request has expired. Timestamp date is ${new Date(signedMs).toISOString()}`);
    case 's3':
      return new SimError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
        RequestTime: text,
        ServerTime: new Date(nowMs).toISOString(),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      });
    default:
      return new SimError(
        403,
        'SignatureDoesNotMatch',
        early
          ? `Signature expired: ${text} is now earlier than ${compact(nowMs - MAX_SKEW_MS)} (${compact(nowMs)} - 15 min.)`
          : `Signature not yet current: ${text} is still later than ${compact(nowMs + MAX_SKEW_MS)} (${compact(nowMs)} + 15 min.)`,
      );
  }
}
