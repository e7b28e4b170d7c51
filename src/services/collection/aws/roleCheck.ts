import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { badRequest, unavailable } from '../../../errors.ts';
import type { CredentialCheck } from '../../api/credentialCheck.ts';
import { assumeRole, sessionName } from './credentials.ts';
import { classifyAwsError } from './errors.ts';

/**
 * The create/update-time check of SPEC §5: Skyport assumes the role with the external ID once. A role that
 * rejects Skyport is a 400 saying what to fix; a transient AWS failure is a 503 (nothing is stored).
 */
export function awsCredentialCheck(sts: STSClient): CredentialCheck {
  let principal: Promise<string> | undefined;
  // Skyport's own ARN, named in the error so the user knows what the trust policy must allow.
  const ownPrincipal = () => {
    principal ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((r) => r.Arn ?? 'Skyport\'s AWS identity')
      .catch(() => {
        principal = undefined;
        return "Skyport's AWS identity";
      });
    return principal;
  };

  return async ({ roleArn, externalId }) => {
    try {
      await assumeRole(sts, { roleArn, externalId, session: sessionName(`check-${randomBytes(4).toString('hex')}`) });
    } catch (err) {
      const e = classifyAwsError(err, { assumeRole: true });
      if (e.kind === 'transient') {
        throw unavailable(`could not reach AWS STS to check the role (${e.code}: ${e.message}); nothing was stored, retry in a minute`);
      }
      if (e.kind === 'credentials') {
        throw badRequest(
          `Skyport could not assume role ${roleArn} (${e.code}: ${e.message}). Check that the role exists, that its trust policy ` +
            `allows sts:AssumeRole for ${await ownPrincipal()} with the condition sts:ExternalId = "${externalId}", and that the role ARN is spelled right. ` +
            'Set forceSave to true to store it without this check.',
        );
      }
      throw badRequest(`checking role ${roleArn} failed (${e.code}: ${e.message}); set forceSave to true to store it without this check`);
    }
  };
}
