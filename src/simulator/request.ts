import type { IncomingHttpHeaders } from 'node:http';
import type { AccessKey, Principal } from './accounts.ts';
import type { SimClock } from './clock.ts';
import type { ServiceName, SimError } from './errors.ts';
import type { SimState } from './state.ts';

/** An incoming AWS request, read in full. */
export interface SimRequest {
  method: string;
  /** Percent-encoded path without the query. */
  rawPath: string;
  /** Query string without `?`. */
  rawQuery: string;
  /** Decoded query parameters (last value wins). */
  query: Map<string, string>;
  headers: IncomingHttpHeaders;
  /** The body as received: what the signature covers. */
  rawBody: Buffer;
  /** The payload: aws-chunked framing removed; for JSON/query services also gunzipped. */
  body: Buffer;
  /** Trailing headers of an aws-chunked body (e.g. x-amz-checksum-crc32). */
  trailers: Record<string, string>;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string | number>;
  body?: string | Buffer;
}

/** The authenticated caller. */
export interface Caller {
  key: AccessKey;
  principal: Principal;
  /** The account the call acts in: the user's account, or the assumed role's account. */
  accountId: string;
  /** Set for assumed-role sessions. */
  roleArn?: string;
}

export interface CallContext {
  req: SimRequest;
  requestId: string;
  service: ServiceName;
  region: string;
  api: string;
  caller: Caller;
  state: SimState;
  clock: SimClock;
}

/** The account/role a call is attributed to for faults and counters (defaults to the caller's). */
export interface CallScope {
  accountId: string;
  roleArn?: string;
}

export interface ServiceHandler {
  readonly service: ServiceName;
  /** The operation name (counted even when the call fails); 'Unknown' if it cannot be told. */
  operation(req: SimRequest): string;
  /** Overrides the account/role a call is attributed to (AssumeRole: the target role). */
  scope?(req: SimRequest, caller: Caller, state: SimState): CallScope | undefined;
  handle(ctx: CallContext): SimResponse | Promise<SimResponse>;
  renderError(err: SimError, requestId: string, req: SimRequest): SimResponse;
}
