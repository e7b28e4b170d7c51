import { SkyportError } from '../errors.ts';
import type { CloudIntegration, CloudIntegrationWrite } from '../schemas/cloudIntegration.ts';

const REQUEST_TIMEOUT_MS = 60_000;
const PAGE = 1000;
const MAX_PAGES = 1000;

export interface ApiTarget {
  url: string;
  token: string;
}

/** An error answer of the server, with its status and the message of the Wavefront envelope. */
export class ApiError extends SkyportError {
  constructor(readonly status: number, message: string) {
    super(status, 'API', message);
  }
}

export interface Answer<T> {
  response: T;
  /** The texts of the Warning headers (`ignored unknown field …`). */
  warnings: string[];
}

const warningTexts = (headers: Headers): string[] => {
  const raw = headers.get('warning');
  if (!raw) return [];
  return [...raw.matchAll(/299 \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
};

/**
 * Skyport's REST API as `skyport plan | apply | export` use it: the token in a header, every call with a
 * deadline, errors as ApiError with the server's message. Works against any Skyport, local or remote.
 */
export function createApi(target: ApiTarget) {
  const base = target.url.replace(/\/+$/, '');

  async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${target.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new SkyportError(503, 'UNREACHABLE', `cannot reach Skyport at ${base} (${why}); check SKYPORT_URL`);
    }
    const text = await res.text();
    let json: { status?: { message?: string }; response?: T } | undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message = json?.status?.message || `${res.status} ${res.statusText}`;
      if (res.status === 401) throw new ApiError(401, `the server refused the token (${message}); check SKYPORT_TOKEN`);
      throw new ApiError(res.status, message);
    }
    if (!json || !('response' in json)) throw new ApiError(res.status, `${method} ${path}: the answer is not a Skyport envelope; is SKYPORT_URL a Skyport server?`);
    return { response: json.response as T, warnings: warningTexts(res.headers) };
  }

  return {
    /** Every live integration (not in the trash), all pages. */
    async listIntegrations(): Promise<CloudIntegration[]> {
      const all: CloudIntegration[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const { response } = await call<{ items: CloudIntegration[]; moreItems: boolean }>('GET', `/api/v2/cloudintegration?offset=${page * PAGE}&limit=${PAGE}`);
        all.push(...response.items);
        if (!response.moreItems) return all;
      }
      throw new SkyportError(500, 'TOO_MANY', `more than ${PAGE * MAX_PAGES} integrations: too many for one file`);
    },
    create: (body: CloudIntegrationWrite) => call<CloudIntegration>('POST', '/api/v2/cloudintegration', body),
    update: (id: string, body: CloudIntegrationWrite) => call<CloudIntegration>('PUT', `/api/v2/cloudintegration/${encodeURIComponent(id)}`, body),
    remove: (id: string) => call<CloudIntegration>('DELETE', `/api/v2/cloudintegration/${encodeURIComponent(id)}`),
    issueExternalId: () => call<string>('POST', '/api/v2/cloudintegration/awsExternalId'),
    /** True when this server issued the ID to this customer and it can still be used. */
    async externalIdUsable(id: string): Promise<boolean> {
      try {
        await call<string>('GET', `/api/v2/cloudintegration/awsExternalId/${encodeURIComponent(id)}`);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return false;
        throw err;
      }
    },
    /** The server's cost estimate for a body, or null when the server has no estimate endpoint. */
    async estimate(body: CloudIntegrationWrite): Promise<Record<string, unknown> | null> {
      try {
        return (await call<Record<string, unknown>>('POST', '/api/v2/cloudintegration/estimate', body)).response;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
        throw err;
      }
    },
  };
}

export type Api = ReturnType<typeof createApi>;
