import type { Db } from '../../db/client.ts';
import { connectionQueries, type ConnectionViewRow } from '../../db/queries/apiGatewayConnections.ts';
import type { ConnectionCredentials } from '../collection/aws/connectionCredentials.ts';
import type { SecretBox } from '../secrets/secretBox.ts';

/** A stored connection's credentials, the secret decrypted (in memory only, for the AWS calls of one run). */
export async function storedCredentialsOf(db: Db, secrets: SecretBox, conn: ConnectionViewRow, customerId: string): Promise<ConnectionCredentials> {
  const c: ConnectionCredentials = { type: conn.credentialType as ConnectionCredentials['type'] };
  if (conn.roleArn) c.roleArn = conn.roleArn;
  if (conn.externalId) c.externalId = conn.externalId;
  if (conn.credentialType === 'ACCESS_KEY') {
    c.accessKeyId = conn.accessKeyId ?? undefined;
    const stored = await connectionQueries.secretOf(db, customerId, conn.id);
    if (!stored) throw new Error('the connection has no stored secret');
    c.secretAccessKey = await secrets.decrypt(stored, conn.id);
  }
  return c;
}
