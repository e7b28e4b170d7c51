/**
 * Verifies, before an integration is stored, that Skyport can assume its role with its external ID.
 * Throws a SkyportError (400 for a rejected role, 503 for a transient AWS failure) when it cannot.
 */
export type CredentialCheck = (input: { roleArn: string; externalId: string }) => Promise<void>;
