import { createHash } from 'node:crypto';
import { SimError } from '../errors.ts';
import type { SimRequest, SimResponse } from '../request.ts';

/**
 * awsJson1_1 as @aws-sdk/client-cloudwatch-logs speaks it: `POST /`, `X-Amz-Target: Logs_20140328.<Op>`,
 * `Content-Type: application/x-amz-json-1.1`, timestamps as epoch milliseconds; errors are
 * `{"__type": "<Code>", "message": "…"}` from which the SDK picks its exception class.
 */
export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type Json = Record<string, unknown>;

const bodies = new WeakMap<SimRequest, Json>();

export function bodyOf(req: SimRequest): Json {
  let body = bodies.get(req);
  if (!body) {
    const text = req.body.toString('utf8').trim();
    try {
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Json;
    } catch {
      throw new SimError(400, 'SerializationException', 'Could not parse the request body as JSON');
    }
    bodies.set(req, body);
  }
  return body;
}

export function json(requestId: string, value: unknown): SimResponse {
  return { status: 200, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: JSON.stringify(value) };
}

export function renderLogsError(err: SimError, requestId: string): SimResponse {
  return {
    status: err.status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}

export const invalidParameter = (message: string): SimError => new SimError(400, 'InvalidParameterException', message);
export const resourceNotFound = (message: string): SimError => new SimError(400, 'ResourceNotFoundException', message);
export const alreadyExists = (message: string): SimError => new SimError(400, 'ResourceAlreadyExistsException', message);

/** AWS's wording for a model constraint failure (CloudWatch Logs reports it as InvalidParameterException). */
export const constraint = (value: unknown, field: string, rule: string): SimError =>
  invalidParameter(`1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' failed to satisfy constraint: ${rule}`);

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function optionalString(body: Json, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimError(400, 'SerializationException', `${field} must be a string`);
  return v;
}

export function optionalInteger(body: Json, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SimError(400, 'SerializationException', `${field} must be an integer`);
  if (v < min) throw constraint(v, field, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw constraint(v, field, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optionalBoolean(body: Json, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new SimError(400, 'SerializationException', `${field} must be a boolean`);
  return v;
}

/** Opaque paging tokens, bound to the request they continue (any other parameter changed: invalid). */
export function fingerprint(body: Json): string {
  const { nextToken: _ignored, ...rest } = body;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64url').slice(0, 16);
}

export function encodeToken(position: unknown, body: Json): string {
  return Buffer.from(JSON.stringify({ p: position, f: fingerprint(body) })).toString('base64url');
}

export function decodeToken<T>(body: Json, valid: (p: unknown) => p is T): T | undefined {
  const token = optionalString(body, 'nextToken');
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; f?: unknown };
    if (parsed.f === fingerprint(body) && valid(parsed.p)) return parsed.p;
  } catch {
    // fall through
  }
  throw invalidParameter('The specified nextToken is invalid.');
}

export const isOffset = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 0;
