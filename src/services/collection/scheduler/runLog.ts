import type { ClassifiedAwsError } from '../aws/errors.ts';

interface Logger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

// Errors of the AWS SDK's own credential chain: Skyport itself has no AWS identity to assume roles with.
const OWN_CREDENTIALS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);

/** What the operator should do about a failed collection, in one sentence. */
export function adviceFor(error: ClassifiedAwsError, integrationId: string): string {
  if (OWN_CREDENTIALS.has(error.code)) {
    return 'Skyport has no AWS credentials of its own to assume roles with: give its process credentials (README "AWS set-up"); it retries by itself';
  }
  switch (error.kind) {
    case 'credentials':
      return `the role refuses Skyport (trust policy, external ID or role ARN): fix the role, then POST /api/v2/cloudintegration/${integrationId}/enable`;
    case 'denied':
      return "the role lacks a permission: add it to the role's permissions policy (README \"AWS set-up\"); the next run picks it up";
    case 'transient':
      return 'AWS throttled or failed for a moment: retried with back-off, nothing to do unless it persists';
    default:
      return `retried at the next refresh; GET /api/v2/cloudintegration/${integrationId}/run shows each run`;
  }
}

/**
 * A failed collection as ONE log line: which integration, the AWS error code and what to do. The stack is
 * only of use to a developer, so it goes to a second line at debug level.
 */
export function logFailedRun(log: Logger, run: { id: string; name: string; service: string }, error: ClassifiedAwsError, err: unknown): void {
  log.warn(
    { integrationId: run.id, service: run.service, code: error.code },
    `collection of "${run.name}" failed: ${error.code}: ${error.message.split('\n')[0].slice(0, 300).replace(/\.$/, '')}. ${adviceFor(error, run.id)}`,
  );
  log.debug({ err, integrationId: run.id }, 'collection failure details');
}
