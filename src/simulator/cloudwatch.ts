import { createHash } from 'node:crypto';
import { invalidParameterValue, missingParameter, SimError, validationError } from './errors.ts';
import {
  type Dimension,
  type MetricSeries,
  type PointInput,
  type Statistic,
  STATISTICS,
} from './metric-store.ts';
import type { CallContext, ServiceHandler, SimRequest, SimResponse } from './request.ts';

/**
 * CloudWatch as @aws-sdk/client-cloudwatch ≥ 3.949 speaks it: awsJson1_0 with awsQueryCompatible.
 * POST /, `X-Amz-Target: GraniteServiceVersion20100801.<Op>`, `x-amzn-query-mode: true`, JSON bodies with
 * epoch-second timestamps; errors carry `__type` and the `x-amzn-query-error: <Code>;<Sender|Receiver>` header
 * from which the SDK takes the error code.
 */
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const LIST_PAGE = 500;
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;

/** `__type` of each query error code; codes CloudWatch models use its own shape names. */
const ERROR_TYPES: Record<string, string> = {
  InvalidParameterValue: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
  InvalidParameterCombination: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
  MissingParameter: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
  InvalidNextToken: 'com.amazonaws.cloudwatch#InvalidNextToken',
  ValidationError: 'com.amazonaws.cloudwatch#ValidationException',
  InternalServiceError: 'com.amazonaws.cloudwatch#InternalServiceFault',
  LimitExceeded: 'com.amazonaws.cloudwatch#LimitExceededFault',
  Throttling: 'com.amazon.coral.availability#ThrottlingException',
  ServiceUnavailable: 'com.amazon.coral.availability#ServiceUnavailableException',
  InternalFailure: 'com.amazon.coral.service#InternalFailure',
  AccessDenied: 'com.amazon.coral.service#AccessDeniedException',
  InvalidClientTokenId: 'com.amazon.coral.service#UnrecognizedClientException',
  ExpiredToken: 'com.amazon.coral.service#ExpiredTokenException',
  SignatureDoesNotMatch: 'com.amazon.coral.service#InvalidSignatureException',
  MissingAuthenticationToken: 'com.amazon.coral.service#MissingAuthenticationTokenException',
  UnknownOperation: 'com.amazon.coral.service#UnknownOperationException',
  SerializationException: 'com.amazon.coral.service#SerializationException',
};

type Json = Record<string, unknown>;

const bodies = new WeakMap<SimRequest, Json>();
function bodyOf(req: SimRequest): Json {
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

function json(requestId: string, value: unknown): SimResponse {
  return { status: 200, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: JSON.stringify(value) };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

/** Epoch seconds (number) as awsJson sends timestamps; ISO strings accepted too. Returns epoch ms. */
function timestamp(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  throw invalidParameterValue(`The value ${String(v)} for parameter ${name} is invalid.`);
}

function dimensionsOf(v: unknown, where: string): Dimension[] {
  const list = arr(v) ?? [];
  if (list.length > 30) throw invalidParameterValue(`The collection ${where} must not have a size greater than 30.`);
  return list.map((d, i) => {
    const name = str(obj(d)?.Name);
    const value = str(obj(d)?.Value);
    if (!name || value === undefined) throw invalidParameterValue(`The value for parameter ${where}.member.${i + 1} is invalid.`);
    return { Name: name, Value: value };
  });
}

/** Opaque pagination tokens bound to the request they continue. */
function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64');
}

function decodeToken(token: string | undefined, fingerprint: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.f === fingerprint) return parsed.o;
  } catch {
    // fall through
  }
  throw new SimError(400, 'InvalidNextToken', 'The service couldn\'t process the NextToken.');
}

function fingerprint(body: Json): string {
  const { NextToken: _ignored, ...rest } = body;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64').slice(0, 16);
}

function listMetrics(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const recentlyActive = str(body.RecentlyActive);
  if (recentlyActive !== undefined && recentlyActive !== 'PT3H') {
    throw invalidParameterValue(`The value ${recentlyActive} for parameter RecentlyActive is invalid.`);
  }
  const filters = (arr(body.Dimensions) ?? []).map((d, i) => {
    const name = str(obj(d)?.Name);
    if (!name) throw invalidParameterValue(`The value for parameter Dimensions.member.${i + 1}.Name is invalid.`);
    return { Name: name, Value: str(obj(d)?.Value) };
  });
  if (filters.length > 10) throw invalidParameterValue('The collection Dimensions must not have a size greater than 10.');
  const now = ctx.clock.now();
  const since = now - (recentlyActive ? 3 * 3600_000 : 14 * 24 * 3600_000);
  const offset = decodeToken(str(body.NextToken), fingerprint(body));
  const metrics: Json[] = [];
  let index = 0;
  let more = false;
  for (const series of ctx.state.metrics.list(ctx.caller.accountId, ctx.region, {
    namespace: str(body.Namespace),
    metricName: str(body.MetricName),
    dimensions: filters.length > 0 ? filters : undefined,
    since,
    now,
  })) {
    if (index++ < offset) continue;
    if (metrics.length === LIST_PAGE) {
      more = true;
      break;
    }
    metrics.push({ Namespace: series.namespace, MetricName: series.metricName, Dimensions: series.dimensions });
  }
  const out: Json = { Metrics: metrics };
  if (more) out.NextToken = encodeToken(offset + LIST_PAGE, fingerprint(body));
  return json(ctx.requestId, out);
}

interface ParsedQuery {
  id: string;
  label: string;
  returnData: boolean;
  series: MetricSeries | undefined;
  period: number;
  stat: Statistic;
}

const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
const isValidPeriod = (p: number): boolean => Number.isInteger(p) && p > 0 && ([1, 5, 10, 20, 30].includes(p) || p % 60 === 0);

function parseQueries(ctx: CallContext, body: Json): ParsedQuery[] {
  const list = arr(body.MetricDataQueries);
  if (!list) throw validationError("1 validation error detected: Value null at 'metricDataQueries' failed to satisfy constraint: Member must not be null");
  if (list.length > MAX_QUERIES) {
    throw validationError(`1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERIES}`);
  }
  const ids = new Set<string>();
  return list.map((raw, i) => {
    const where = `MetricDataQueries.member.${i + 1}`;
    const q = obj(raw) ?? {};
    const id = str(q.Id) ?? '';
    if (!QUERY_ID.test(id) || id.length > 255) throw validationError(`The value ${id} for parameter ${where}.Id is invalid.`);
    if (ids.has(id)) throw validationError('The values for parameter id in MetricDataQueries are not unique.');
    ids.add(id);
    if (q.Expression !== undefined) {
      throw validationError(`The simulator does not evaluate metric math (${where}.Expression); use MetricStat.`);
    }
    const metricStat = obj(q.MetricStat);
    if (!metricStat) throw validationError(`Exactly one of ${where}.MetricStat or ${where}.Expression must be set.`);
    const metric = obj(metricStat.Metric);
    const namespace = str(metric?.Namespace);
    const metricName = str(metric?.MetricName);
    if (!namespace || !metricName) throw missingParameter(`The parameters ${where}.MetricStat.Metric.Namespace and MetricName are required.`);
    const period = metricStat.Period;
    if (typeof period !== 'number' || !isValidPeriod(period)) {
      throw validationError(`The parameter ${where}.MetricStat.Period must be a multiple of 60 or equal to 1, 5, 10, 20 or 30.`);
    }
    const stat = str(metricStat.Stat);
    if (!stat || !STATISTICS.includes(stat as Statistic)) {
      throw invalidParameterValue(`The value ${String(stat)} for parameter ${where}.MetricStat.Stat is invalid.`);
    }
    const dims = dimensionsOf(metric?.Dimensions, `${where}.MetricStat.Metric.Dimensions`);
    return {
      id,
      label: str(q.Label) ?? metricName,
      returnData: q.ReturnData !== false,
      series: ctx.state.metrics.find(ctx.caller.accountId, ctx.region, namespace, metricName, dims),
      period,
      stat: stat as Statistic,
    };
  });
}

/** CloudWatch rounds StartTime down: to the minute (< 15 days old), 5 minutes (< 63 days), else the hour. */
function roundStart(start: number, now: number, period: number): number {
  if (period < 60) return start;
  const age = now - start;
  const unit = age < 15 * 86_400_000 ? 60_000 : age < 63 * 86_400_000 ? 300_000 : 3_600_000;
  return Math.floor(start / unit) * unit;
}

function getMetricData(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const queries = parseQueries(ctx, body);
  if (body.StartTime === undefined || body.EndTime === undefined) throw validationError('The parameters StartTime and EndTime are required.');
  const start = timestamp(body.StartTime, 'StartTime');
  const end = timestamp(body.EndTime, 'EndTime');
  if (start >= end) throw validationError('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = str(body.ScanBy) ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    throw validationError(`1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`);
  }
  const maxDatapoints = body.MaxDatapoints === undefined ? DEFAULT_MAX_DATAPOINTS : body.MaxDatapoints;
  if (typeof maxDatapoints !== 'number' || !Number.isInteger(maxDatapoints) || maxDatapoints < 1) {
    throw invalidParameterValue(`The value ${String(maxDatapoints)} for parameter MaxDatapoints is invalid.`);
  }
  const fp = fingerprint(body);
  const offset = decodeToken(str(body.NextToken), fp);
  const now = ctx.clock.now();

  // Datapoints are numbered across queries in request order; a page holds [offset, offset + maxDatapoints).
  const results: Json[] = [];
  let position = 0;
  let more = false;
  for (const q of queries) {
    if (!q.returnData) continue;
    const points = q.series ? ctx.state.metrics.aggregate(q.series, roundStart(start, now, q.period), end, q.period, q.stat, now) : [];
    if (scanBy === 'TimestampDescending') points.reverse();
    const from = Math.max(0, offset - position);
    const to = Math.max(0, Math.min(points.length, offset + maxDatapoints - position));
    position += points.length;
    if (to < points.length) more = true;
    const page = from < to ? points.slice(from, to) : [];
    if (page.length === 0 && (offset > 0 || to < points.length)) continue; // nothing of this query on this page
    results.push({
      Id: q.id,
      Label: q.label,
      Timestamps: page.map(([t]) => t / 1000),
      Values: page.map(([, v]) => v),
      StatusCode: to < points.length ? 'PartialData' : 'Complete',
    });
  }
  const out: Json = { MetricDataResults: results, Messages: [] };
  if (more) out.NextToken = encodeToken(offset + maxDatapoints, fp);
  return json(ctx.requestId, out);
}

function putMetricData(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const namespace = str(body.Namespace);
  if (!namespace) throw missingParameter('The parameter Namespace is required.');
  if (namespace.startsWith('AWS/')) throw invalidParameterValue(`The value ${namespace} for parameter Namespace is invalid.`);
  const data = arr(body.MetricData);
  if (!data || data.length === 0) throw missingParameter('The parameter MetricData is required.');
  if (data.length > 1000) throw invalidParameterValue('The collection MetricData must not have a size greater than 1000.');
  const now = ctx.clock.now();
  const parsed = data.map((raw, i) => {
    const where = `MetricData.member.${i + 1}`;
    const d = obj(raw) ?? {};
    const metricName = str(d.MetricName);
    if (!metricName) throw missingParameter(`The parameter ${where}.MetricName is required.`);
    const values = arr(d.Values)?.map(Number);
    const counts = arr(d.Counts)?.map(Number);
    const sv = obj(d.StatisticValues);
    const given = [d.Value !== undefined, values !== undefined, sv !== undefined].filter(Boolean).length;
    if (given > 1) throw new SimError(400, 'InvalidParameterCombination', `The parameters ${where}.Value, ${where}.Values and ${where}.StatisticValues are mutually exclusive.`);
    if (counts && values && counts.length !== values.length) {
      throw invalidParameterValue(`The parameters ${where}.Values and ${where}.Counts must be of the same size.`);
    }
    const point: PointInput = { timestamp: d.Timestamp === undefined ? now : timestamp(d.Timestamp, `${where}.Timestamp`) };
    if (sv) {
      const n = (k: string): number => {
        const v = sv[k];
        if (typeof v !== 'number') throw missingParameter(`The parameter ${where}.StatisticValues.${k} is required.`);
        return v;
      };
      point.statisticValues = { sampleCount: n('SampleCount'), sum: n('Sum'), minimum: n('Minimum'), maximum: n('Maximum') };
    } else if (values) {
      point.values = values;
      point.counts = counts;
    } else {
      if (typeof d.Value !== 'number') throw missingParameter(`The parameter ${where}.Value is required.`);
      point.value = d.Value;
    }
    return { metricName, dimensions: dimensionsOf(d.Dimensions, `${where}.Dimensions`), point };
  });
  for (const p of parsed) {
    ctx.state.metrics.addSeries({
      accountId: ctx.caller.accountId,
      region: ctx.region,
      namespace,
      metricName: p.metricName,
      dimensions: p.dimensions,
      points: [p.point],
    });
  }
  return json(ctx.requestId, {});
}

const OPERATIONS: Record<string, (ctx: CallContext) => SimResponse> = {
  ListMetrics: listMetrics,
  GetMetricData: getMetricData,
  PutMetricData: putMetricData,
};

export const cloudwatch: ServiceHandler = {
  service: 'monitoring',
  operation(req) {
    const target = req.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  },
  handle(ctx) {
    const op = OPERATIONS[ctx.api];
    if (!op) throw new SimError(400, 'UnknownOperation', `Unknown operation ${ctx.api}`);
    return op(ctx);
  },
  renderError(err, requestId) {
    const type = ERROR_TYPES[err.code] ?? `com.amazonaws.cloudwatch#${err.code}`;
    return {
      status: err.status,
      headers: {
        'content-type': CONTENT_TYPE,
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${err.code};${err.fault}`,
      },
      body: JSON.stringify({ __type: type, message: err.message }),
    };
  },
};
