/**
 * Verifies, before an integration is stored, that Skyport can assume its role with its external ID.
 * Throws a SkyportError (400 for a rejected role, 503 for a transient AWS failure) when it cannot.
 */
export type CredentialCheck = (input: { roleArn: string; externalId: string }) => Promise<void>;

/** Accepts every role without calling AWS: the behaviour of forceSave, used until an AWS check is wired in. */
export const skipCredentialCheck: CredentialCheck = async () => {};
