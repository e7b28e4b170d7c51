import { SimError } from '../errors.ts';
import type { CallContext, ServiceHandler, SimResponse } from '../request.ts';
import { filterLogEvents, getLogEvents } from './read.ts';
import { putLogEvents } from './put.ts';
import { resolveGroup } from './resolve.ts';
import { logGroupArn, logStreamArn } from './store.ts';
import {
  alreadyExists,
  bodyOf,
  constraint,
  decodeToken,
  encodeToken,
  invalidParameter,
  isOffset,
  json,
  optionalBoolean,
  optionalInteger,
  optionalString,
  renderLogsError,
  resourceNotFound,
  TARGET_PREFIX,
  type Json,
} from './wire.ts';

/** CloudWatch Logs (`logs` in the SigV4 scope): groups, streams, PutLogEvents, FilterLogEvents, GetLogEvents. */

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const DESCRIBE_PAGE = 50;

function requiredName(body: Json, field: string, pattern?: RegExp): string {
  const v = optionalString(body, field);
  if (v === undefined) throw constraint(undefined, field, 'Member must not be null');
  if (v.length < 1 || v.length > 512) throw constraint(v, field, 'Member must have length less than or equal to 512');
  if (pattern && !pattern.test(v)) throw constraint(v, field, `Member must satisfy regular expression pattern: ${pattern.source}`);
  return v;
}

function createLogGroup(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const name = requiredName(body, 'logGroupName', GROUP_NAME);
  const created = ctx.state.logs.createGroup(ctx.caller.accountId, ctx.region, name, ctx.clock.now());
  if (!created) throw alreadyExists('The specified log group already exists');
  return json(ctx.requestId, {});
}

function createLogStream(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const streamName = requiredName(body, 'logStreamName', /^[^:*]*$/);
  const group = resolveGroup(ctx, body, { identifierAllowed: false });
  if (!ctx.state.logs.createStream(group, streamName, ctx.clock.now())) throw alreadyExists('The specified log stream already exists');
  return json(ctx.requestId, {});
}

function describeLogGroups(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const prefix = optionalString(body, 'logGroupNamePrefix');
  const pattern = optionalString(body, 'logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined) throw invalidParameter('LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.');
  const limit = optionalInteger(body, 'limit', 1, 50) ?? DESCRIBE_PAGE;
  optionalBoolean(body, 'includeLinkedAccounts');
  const offset = decodeToken(body, isOffset) ?? 0;
  const needle = pattern?.toLowerCase();
  const groups = ctx.state.logs
    .groupsOf(ctx.caller.accountId, ctx.region)
    .filter((g) => (prefix === undefined || g.name.startsWith(prefix)) && (needle === undefined || g.name.toLowerCase().includes(needle)));
  const page = groups.slice(offset, offset + limit);
  const out: Json = {
    logGroups: page.map((g) => ({
      logGroupName: g.name,
      creationTime: g.creationTime,
      metricFilterCount: 0,
      arn: `${logGroupArn(g)}:*`,
      storedBytes: 0,
      logGroupClass: 'STANDARD',
      logGroupArn: logGroupArn(g),
    })),
  };
  if (offset + limit < groups.length) out.nextToken = encodeToken(offset + limit, body);
  return json(ctx.requestId, out);
}

function describeLogStreams(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const group = resolveGroup(ctx, body, { identifierAllowed: true });
  const prefix = optionalString(body, 'logStreamNamePrefix');
  const orderBy = optionalString(body, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw constraint(orderBy, 'orderBy', 'Member must satisfy enum value set: [LogStreamName, LastEventTime]');
  }
  if (orderBy === 'LastEventTime' && prefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const descending = optionalBoolean(body, 'descending') ?? false;
  const limit = optionalInteger(body, 'limit', 1, 50) ?? DESCRIBE_PAGE;
  const offset = decodeToken(body, isOffset) ?? 0;
  const streams = group.streamList.filter((s) => prefix === undefined || s.name.startsWith(prefix));
  if (orderBy === 'LogStreamName') streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  else streams.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || (a.name < b.name ? -1 : 1));
  if (descending) streams.reverse();
  const page = streams.slice(offset, offset + limit);
  const out: Json = {
    logStreams: page.map((s) => ({
      logStreamName: s.name,
      creationTime: s.creationTime,
      firstEventTimestamp: s.firstEventTimestamp,
      lastEventTimestamp: s.lastEventTimestamp,
      lastIngestionTime: s.lastIngestionTime,
      uploadSequenceToken: String(s.events + 1).padStart(56, '0'),
      arn: logStreamArn(group, s),
      storedBytes: 0,
    })),
  };
  if (offset + limit < streams.length) out.nextToken = encodeToken(offset + limit, body);
  return json(ctx.requestId, out);
}

function deleteLogGroup(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const group = resolveGroup(ctx, body, { identifierAllowed: false });
  ctx.state.logs.deleteGroup(group);
  return json(ctx.requestId, {});
}

const OPERATIONS: Record<string, (ctx: CallContext) => SimResponse> = {
  CreateLogGroup: createLogGroup,
  CreateLogStream: createLogStream,
  DeleteLogGroup: deleteLogGroup,
  DescribeLogGroups: describeLogGroups,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  FilterLogEvents: filterLogEvents,
  GetLogEvents: getLogEvents,
};

export const logs: ServiceHandler = {
  service: 'logs',
  operation(req) {
    const target = req.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  },
  handle(ctx) {
    const op = OPERATIONS[ctx.api];
    if (!op) throw new SimError(400, 'UnknownOperationException', `Unknown operation ${ctx.api}`);
    return op(ctx);
  },
  renderError(err, requestId) {
    return renderLogsError(err, requestId);
  },
};
