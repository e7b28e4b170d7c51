import { parseRoleArn } from './accounts.ts';
import { SimError, validationError } from './errors.ts';
import { FormParams } from './form.ts';
import type { CallContext, Caller, ServiceHandler, SimRequest, SimResponse } from './request.ts';
import type { SimState } from './state.ts';
import { el, escapeXml, wrap, XML_DECLARATION } from './xml.ts';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,./@:-]{2,1224}$/;

/** Parsed form body, cached on the request (operation() and handle() both need it). */
const forms = new WeakMap<SimRequest, FormParams>();
export function formOf(req: SimRequest): FormParams {
  let form = forms.get(req);
  if (!form) {
    form = new FormParams(req.body.toString('utf8'));
    forms.set(req, form);
  }
  return form;
}

/** awsQuery success envelope: `<XResponse><XResult>…</XResult><ResponseMetadata>…`. */
export function queryResponse(xmlns: string, action: string, result: string, requestId: string): SimResponse {
  const body =
    `${XML_DECLARATION}<${action}Response xmlns="${xmlns}">` +
    `<${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** awsQuery error envelope. */
export function queryError(xmlns: string, err: SimError, requestId: string): SimResponse {
  const body =
    `${XML_DECLARATION}<ErrorResponse xmlns="${xmlns}"><Error>` +
    `<Type>${err.fault}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: err.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function denied(caller: Caller, roleArn: string): SimError {
  return new SimError(403, 'AccessDenied', `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
}

function assumeRole(ctx: CallContext): SimResponse {
  const form = formOf(ctx.req);
  const roleArn = form.get('RoleArn');
  const sessionName = form.get('RoleSessionName');
  if (roleArn === undefined) throw validationError("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (sessionName === undefined) throw validationError("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw validationError(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`);
  }
  if (sessionName.length < 2 || sessionName.length > 64) {
    throw validationError(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length ${sessionName.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 64'}`,
    );
  }
  if (!SESSION_NAME.test(sessionName)) {
    throw validationError(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration = form.int('DurationSeconds') ?? 3600;
  if (duration < 900) {
    throw validationError(`1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }
  if (duration > 43200) {
    throw validationError(`1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
  }
  const externalId = form.get('ExternalId');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw validationError(
      `1 validation error detected: Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`,
    );
  }
  if (!parseRoleArn(roleArn)) throw validationError(`${roleArn} is invalid`);

  const { caller, state } = ctx;
  const role = state.iam.roles.get(roleArn);
  // Unknown role, untrusted caller and a missing/wrong external id all look the same to the caller, as in AWS.
  if (!role || !state.iam.trusts(role, caller.principal)) throw denied(caller, roleArn);
  if (role.externalIds !== undefined && (externalId === undefined || !role.externalIds.includes(externalId))) throw denied(caller, roleArn);
  if (caller.principal.type === 'assumed-role' && duration > 3600) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  // Whole seconds, so the Expiration the client reads is exactly when the simulator starts refusing the key.
  const now = Math.floor(ctx.clock.now() / 1000) * 1000;
  const key = state.iam.issueSession(role, sessionName, duration, caller.principal, now);
  const principal = key.principal;
  const result =
    wrap('Credentials', el('AccessKeyId', key.accessKeyId) + el('SecretAccessKey', key.secretAccessKey) + el('SessionToken', key.sessionToken) + el('Expiration', isoSeconds(key.expiresAt ?? now))) +
    wrap('AssumedRoleUser', el('AssumedRoleId', principal.userId) + el('Arn', principal.arn));
  return queryResponse(XMLNS, 'AssumeRole', result, ctx.requestId);
}

function getCallerIdentity(ctx: CallContext): SimResponse {
  const p = ctx.caller.principal;
  return queryResponse(XMLNS, 'GetCallerIdentity', el('UserId', p.userId) + el('Account', p.accountId) + el('Arn', p.arn), ctx.requestId);
}

const OPERATIONS: Record<string, (ctx: CallContext) => SimResponse> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

export const sts: ServiceHandler = {
  service: 'sts',
  operation: (req) => formOf(req).get('Action') ?? 'Unknown',
  scope(req: SimRequest, _caller: Caller, _state: SimState) {
    if (formOf(req).get('Action') !== 'AssumeRole') return undefined;
    const roleArn = formOf(req).get('RoleArn') ?? '';
    const parsed = parseRoleArn(roleArn);
    return parsed ? { accountId: parsed.accountId, roleArn } : undefined;
  },
  handle(ctx) {
    const op = OPERATIONS[ctx.api];
    if (!op) throw new SimError(400, 'InvalidAction', `Could not find operation ${ctx.api} for version 2011-06-15`);
    return op(ctx);
  },
  renderError: (err, requestId) => queryError(XMLNS, err, requestId),
};
