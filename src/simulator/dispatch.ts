import type { IncomingMessage } from 'node:http';
import { authenticate } from './auth.ts';
import { decodeAwsChunked, encodings, gunzipBody } from './body.ts';
import type { SimClock } from './clock.ts';
import { cloudwatch } from './cloudwatch.ts';
import type { CallCounters } from './counters.ts';
import { ec2 } from './ec2.ts';
import { logs } from './logs/service.ts';
import { failure, SimError, type ServiceName } from './errors.ts';
import type { FaultRegistry } from './faults.ts';
import { newRequestId } from './ids.ts';
import type { Caller, CallScope, ServiceHandler, SimRequest, SimResponse } from './request.ts';
import { s3 } from './s3.ts';
import { parseAuthorization } from './sigv4.ts';
import type { SimState } from './state.ts';
import { sts } from './sts.ts';
import { apigateway, apigatewayv2, apiGatewayServiceOf, isApiGatewayPath } from './apigateway/handler.ts';
import { clockSkewError } from './skew.ts';

export const HANDLERS: Record<ServiceName, ServiceHandler> = { sts, monitoring: cloudwatch, ec2, s3, logs, apigateway, apigatewayv2 };

export interface DispatchDeps {
  state: SimState;
  clock: SimClock;
  faults: FaultRegistry;
  counters: CallCounters;
  verifySignatures: boolean;
  /** Refuse requests signed more than 15 minutes from the simulator clock, as AWS does. */
  checkClockSkew: boolean;
}

/** Builds the SimRequest from a fully read HTTP request. */
export function toSimRequest(req: IncomingMessage, raw: Buffer, service: ServiceName): SimRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const query = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    query.set(safeDecode(eq < 0 ? part : part.slice(0, eq)), safeDecode(eq < 0 ? '' : part.slice(eq + 1)));
  }
  let body = raw;
  let trailers: Record<string, string> = {};
  const enc = encodings(req.headers['content-encoding']);
  if (enc.includes('aws-chunked')) ({ payload: body, trailers } = decodeAwsChunked(raw));
  // For S3 a gzip Content-Encoding describes the stored object; elsewhere it is request compression.
  if (service !== 's3' && enc.includes('gzip')) body = gunzipBody(body);
  return { method: req.method ?? 'GET', rawPath, rawQuery, query, headers: req.headers, rawBody: raw, body, trailers };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Which service a request is for: the SigV4 credential scope, else cues from the request itself. */
export function serviceOf(req: IncomingMessage, raw: Buffer): ServiceName | undefined {
  const auth = parseAuthorization(headerString(req.headers.authorization));
  if (auth) {
    const service = auth.service === 'apigateway' ? apiGatewayServiceOf(req.url ?? '/') : auth.service;
    return (service in HANDLERS ? service : undefined) as ServiceName | undefined;
  }
  if (isApiGatewayPath(req.url ?? '/')) return apiGatewayServiceOf(req.url ?? '/');
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('GraniteServiceVersion20100801.')) return 'monitoring';
  if (typeof target === 'string' && target.startsWith('Logs_20140328.')) return 'logs';
  if (req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const text = raw.toString('utf8');
    if (text.includes('Version=2011-06-15')) return 'sts';
    if (text.includes('Version=2016-11-15')) return 'ec2';
  }
  return 's3';
}

const headerString = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One AWS call: authenticate, check the region, count, apply faults, run the operation, render the
 * result or error in the service's protocol.
 */
export async function dispatch(httpReq: IncomingMessage, raw: Buffer, deps: DispatchDeps): Promise<SimResponse> {
  const service = serviceOf(httpReq, raw);
  const requestId = newRequestId();
  if (!service) {
    return {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>UnknownService</Code><Message>The simulator does not implement this service</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const handler = HANDLERS[service];
  const auth = parseAuthorization(headerString(httpReq.headers.authorization));
  const region = auth?.region ?? 'us-east-1';
  let req: SimRequest | undefined;
  let api = 'Unknown';
  let caller: Caller | undefined;
  let scope: CallScope | undefined;
  let errorCode = '';
  try {
    req = toSimRequest(httpReq, raw, service);
    api = handler.operation(req);
    const skewed = deps.checkClockSkew && auth ? clockSkewError(service, httpReq.headers, deps.clock.now()) : undefined;
    if (skewed) throw skewed;
    caller = authenticate(req, auth, service, deps.state, deps.clock.now(), { verifySignatures: deps.verifySignatures });
    scope = handler.scope?.(req, caller, deps.state) ?? { accountId: caller.accountId, roleArn: caller.roleArn };
    if (service === 'ec2' || service === 'monitoring' || service === 'logs') {
      // A region the account has not enabled rejects the credentials, as AWS does.
      const account = deps.state.iam.accounts.get(caller.accountId);
      if (!account || !account.regions.includes(region)) throw failure(service, 'unknown-key');
    }
    const { latencyMs, error } = deps.faults.evaluate({
      service,
      api,
      accountId: scope.accountId,
      roleArn: scope.roleArn,
      accessKeyId: caller.key.accessKeyId,
      region,
    });
    if (latencyMs > 0) await sleep(latencyMs);
    if (error) throw error;
    return await handler.handle({ req, requestId, service, region, api, caller, state: deps.state, clock: deps.clock });
  } catch (err) {
    const simError = err instanceof SimError ? err : failure(service, 'server-error', { message: `Simulator failure: ${(err as Error).message}` });
    if (!(err instanceof SimError)) console.error('[simulator] unexpected error', err);
    errorCode = simError.code;
    return handler.renderError(simError, requestId, req ?? { method: httpReq.method ?? 'GET', rawPath: '/', rawQuery: '', query: new Map(), headers: httpReq.headers, rawBody: raw, body: raw, trailers: {} });
  } finally {
    deps.counters.record({
      service,
      api,
      accountId: scope?.accountId ?? caller?.accountId ?? '',
      principal: caller?.roleArn ?? caller?.principal.arn ?? '',
      region,
      errorCode,
    });
  }
}
