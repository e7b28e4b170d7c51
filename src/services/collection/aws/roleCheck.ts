import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientOptions, type AwsSettings } from './settings.ts';
import { randomBytes } from 'node:crypto';
import { badRequest, unavailable } from '../../../errors.ts';
import type { CredentialCheck } from '../../api/credentialCheck.ts';
import { assumeRole, sessionName } from './credentials.ts';
import { classifyAwsError } from './errors.ts';

/**
 * The create/update-time check of SPEC §5: Skyport assumes the role with the external ID once. A role that
 * rejects Skyport is a 400 saying what to fix; a transient AWS failure is a 503 (nothing is stored).
 */
export function awsCredentialCheck(sts: STSClient, aws?: AwsSettings): CredentialCheck {
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

  return async ({ roleArn, externalId, bucket }) => {
    let credentials;
    try {
      credentials = await assumeRole(sts, { roleArn, externalId, session: sessionName(`check-${randomBytes(4).toString('hex')}`) });
    } catch (err) {
      // The SDK found no credentials for Skyport itself: nothing the request could fix.
      if ((err as Error)?.name === 'CredentialsProviderError') throw unavailable(NO_OWN_CREDENTIALS(roleArn), 60);
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
    if (bucket && aws) await checkBucket(aws, credentials, roleArn, bucket);
  };
}

const NO_OWN_CREDENTIALS = (roleArn: string) =>
  `Skyport has no AWS credentials of its own, so it cannot assume role ${roleArn} (nor any other); nothing was stored. ` +
  'Give the Skyport server an AWS identity that may call sts:AssumeRole: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' +
  'AWS_PROFILE, or an EC2 instance or ECS task role (README, "AWS set-up"), then retry.';

/**
 * One cheap S3 call (HeadBucket) with the role's credentials: a CloudTrail integration whose bucket does not
 * exist, or that the role may not list, could never collect.
 */
async function checkBucket(aws: AwsSettings, credentials: AwsCredentialIdentity, roleArn: string, bucket: { name: string; region: string }) {
  const s3 = new S3Client({ ...clientOptions(aws, bucket.region), credentials, forcePathStyle: aws.forcePathStyle });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket.name }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const e = classifyAwsError(err);
    if (status === 404 || e.code === 'NotFound' || e.code === 'NoSuchBucket') {
      throw badRequest(`cloudTrail.bucketName: bucket "${bucket.name}" does not exist (checked in ${bucket.region}); name the bucket your trail delivers to, or set forceSave to true to store it anyway`);
    }
    if (status === 301 || status === 400) {
      throw badRequest(`cloudTrail.region: bucket "${bucket.name}" is not in ${bucket.region}; give the bucket's region`);
    }
    if (status === 403 || e.kind === 'denied' || e.kind === 'credentials') {
      throw badRequest(`role ${roleArn} may not list bucket "${bucket.name}" (s3:ListBucket); allow it in the role's policy, or set forceSave to true to store it anyway`);
    }
    if (e.kind === 'transient') throw unavailable(`could not reach S3 to check bucket "${bucket.name}" (${e.code}); nothing was stored, retry in a minute`);
    throw badRequest(`checking bucket "${bucket.name}" failed (${e.code}: ${e.message}); set forceSave to true to store it without this check`);
  } finally {
    s3.destroy();
  }
}
