import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ADMIN_PREFIX, handleAdmin } from './admin.ts';
import { dispatch } from './dispatch.ts';
import type { SimResponse } from './request.ts';
import type { Simulator } from './simulator.ts';

const MAX_BODY = 256 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SimResponse, dateMs: number | undefined): void {
  if (res.destroyed) return;
  const body = response.body;
  // With skew checks on, Date tells the simulator clock as AWS tells its own (the SDK corrects its clock skew
  // from it); otherwise Node's real-time Date, so tests that move the simulator clock keep the SDK's clock alone.
  const headers: Record<string, string | number> = { ...(dateMs !== undefined ? { date: new Date(dateMs).toUTCString() } : {}), ...response.headers };
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(body);
  if (body === undefined && headers['content-length'] === undefined) headers['content-length'] = 0;
  res.writeHead(response.status, headers);
  res.end(body);
}

/** One HTTP server for every simulated service plus the admin API under /_simulator/. */
export function createSimServer(sim: Simulator): Server {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const raw = await readBody(req);
        const response = (req.url ?? '').startsWith(ADMIN_PREFIX)
          ? await handleAdmin(sim, req, raw)
          : await dispatch(req, raw, sim);
        send(res, response, sim.checkClockSkew ? sim.now() : undefined);
      } catch (err) {
        console.error('[simulator] request failed', err);
        send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'simulator error' }, sim.checkClockSkew ? sim.now() : undefined);
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  return server;
}
