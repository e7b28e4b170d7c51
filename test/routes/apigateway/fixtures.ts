// Shared pieces of the API Gateway connection tests. Not a test file itself.
import { ROLE_ARN, issueExternalId, ok, type Call } from '../fixtures.ts';

/** A fixed secret key for the app (tests never write a key file into the working tree). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
export const BASE = '/api/v2/apigatewayconnection';

export function roleBody(externalId: string | undefined, extra: Record<string, unknown> = {}, roleArn = ROLE_ARN) {
  return {
    name: 'prod API Gateway',
    credentials: { type: 'ROLE', roleArn, ...(externalId !== undefined ? { externalId } : {}) },
    regions: ['us-east-1', 'eu-west-1'],
    ...extra,
  };
}

export function accessKeyBody(accessKeyId: string, secretAccessKey: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    name: 'keys connection',
    credentials: { type: 'ACCESS_KEY', accessKeyId, ...(secretAccessKey !== undefined ? { secretAccessKey } : {}) },
    regions: ['us-east-1'],
    ...extra,
  };
}

/** Issues an external ID and creates a ROLE connection with forceSave (no AWS call); returns it as the API did. */
export async function createRoleConnection(call: Call, extra: Record<string, unknown> = {}) {
  const externalId = await issueExternalId(call);
  return ok(await call('POST', BASE, roleBody(externalId, { forceSave: true, ...extra })), 'create connection');
}
