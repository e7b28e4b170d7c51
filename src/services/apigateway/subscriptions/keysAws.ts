import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
  type APIGatewayClient,
  type ApiKey,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';

/**
 * The API Gateway calls of subscriptions, on already-made clients: `v1` comes from the shared client factory
 * (every call paced by the account × region budget, key writes also by AWS's 5/s per account, and counted);
 * `retry` retries what AWS throttles within the caller's deadline.
 */
export interface KeyClients {
  v1: APIGatewayClient;
  retry: ThrottleRetry;
}

/** Page size of every list (AWS's largest). */
const PAGE = 500;
/** Stops a list whose positions never end (a misbehaving endpoint) instead of looping for ever. */
const MAX_PAGES = 1_000;

export const isNotFound = (err: unknown): boolean => (err as { name?: string })?.name === 'NotFoundException';

/** NotFound means the thing is already gone: done. */
async function gone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function allPages<T>(page: (position: string | undefined) => Promise<{ items?: T[]; position?: string }>): Promise<T[]> {
  const out: T[] = [];
  let position: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = await page(position);
    out.push(...(res.items ?? []));
    position = res.position;
    if (!position) return out;
  }
  throw new Error(`a listing did not end after ${MAX_PAGES} pages`);
}

export const keysAws = {
  getUsagePlan: (c: KeyClients, usagePlanId: string): Promise<UsagePlan> =>
    c.retry.call((abortSignal) => c.v1.send(new GetUsagePlanCommand({ usagePlanId }), { abortSignal })),

  async createKey(c: KeyClients, input: { name: string; description?: string; enabled: boolean; connectionId: string; subscriptionId: string }) {
    const out = await c.retry.call((abortSignal) =>
      c.v1.send(
        new CreateApiKeyCommand({
          name: input.name,
          description: input.description,
          enabled: input.enabled,
          tags: { 'skyport:subscription': input.subscriptionId, 'skyport:connection': input.connectionId },
        }),
        { abortSignal },
      ),
    );
    if (!out.id || !out.value) throw new Error('CreateApiKey returned no id or value');
    return { id: out.id, value: out.value };
  },

  addToPlan: (c: KeyClients, usagePlanId: string, keyId: string) =>
    c.retry.call((abortSignal) => c.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }), { abortSignal })),

  /** DeleteUsagePlanKey then DeleteApiKey; either answering NotFound counts as done. */
  async deleteKey(c: KeyClients, usagePlanId: string, keyId: string): Promise<void> {
    await gone(c.retry.call((abortSignal) => c.v1.send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId }), { abortSignal })));
    await gone(c.retry.call((abortSignal) => c.v1.send(new DeleteApiKeyCommand({ apiKey: keyId }), { abortSignal })));
  },

  setEnabled: (c: KeyClients, keyId: string, enabled: boolean) =>
    c.retry.call((abortSignal) =>
      c.v1.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }] }), { abortSignal }),
    ),

  listUsagePlans: (c: KeyClients): Promise<UsagePlan[]> =>
    allPages((position) => c.retry.call((abortSignal) => c.v1.send(new GetUsagePlansCommand({ position, limit: PAGE }), { abortSignal }))),

  async planKeyIds(c: KeyClients, usagePlanId: string): Promise<Set<string>> {
    const keys = await allPages((position) =>
      c.retry.call((abortSignal) => c.v1.send(new GetUsagePlanKeysCommand({ usagePlanId, position, limit: PAGE }), { abortSignal })),
    );
    return new Set(keys.map((k) => k.id!).filter(Boolean));
  },

  /** API keys without their values; `namePrefix` narrows the list as AWS's nameQuery does. */
  listKeys: (c: KeyClients, namePrefix?: string): Promise<ApiKey[]> =>
    allPages((position) =>
      c.retry.call((abortSignal) =>
        c.v1.send(new GetApiKeysCommand({ position, limit: PAGE, includeValues: false, ...(namePrefix ? { nameQuery: namePrefix } : {}) }), { abortSignal }),
      ),
    ),
};
