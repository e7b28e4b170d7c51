import type { CallContext } from '../request.ts';
import type { LogGroup } from './store.ts';
import { invalidParameter, optionalString, resourceNotFound, type Json } from './wire.ts';

/** `logGroupName` or `logGroupIdentifier` (a name or an ARN in the caller's account and region), exactly one. */
export function resolveGroup(ctx: CallContext, body: Json, options: { identifierAllowed: boolean }): LogGroup {
  const name = optionalString(body, 'logGroupName');
  const identifier = options.identifierAllowed ? optionalString(body, 'logGroupIdentifier') : undefined;
  if (name !== undefined && identifier !== undefined) throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  let groupName = name;
  if (identifier !== undefined) {
    const arn = /^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(identifier);
    if (arn) {
      if (arn[1] !== ctx.region || arn[2] !== ctx.caller.accountId) throw resourceNotFound('The specified log group does not exist.');
      groupName = arn[3];
    } else {
      groupName = identifier;
    }
  }
  if (groupName === undefined) {
    throw invalidParameter(options.identifierAllowed ? 'Either LogGroupName or LogGroupIdentifier must be specified.' : "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
  }
  const group = ctx.state.logs.group(ctx.caller.accountId, ctx.region, groupName);
  if (!group) throw resourceNotFound('The specified log group does not exist.');
  return group;
}
