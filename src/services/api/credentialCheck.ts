/**
 * Verifies, before an integration is stored, that Skyport can assume its role with its external ID, and for
 * CloudTrail that the role can see the trail's bucket. Throws a SkyportError (400 for a rejected role or a
 * missing bucket, 503 for a transient AWS failure or when Skyport itself has no AWS credentials) when it cannot.
 */
export type CredentialCheck = (input: { roleArn: string; externalId: string; bucket?: { name: string; region: string } }) => Promise<void>;

/** The CloudTrail bucket of an integration's config, for the check; undefined for other services. */
export function bucketOf(service: string, config: Record<string, unknown>): { name: string; region: string } | undefined {
  if (service !== 'CLOUDTRAIL' || typeof config.bucketName !== 'string' || typeof config.region !== 'string') return undefined;
  return { name: config.bucketName, region: config.region };
}
