import { ConfigError } from '../config.ts';
import { SkyportError } from '../errors.ts';

// PostgreSQL's codes for "who you are is not accepted" and "no such database".
const DB_AUTH = new Set(['28P01', '28000']);
const DB_MISSING = new Set(['3D000']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/**
 * One line saying what went wrong and what to do, for the failures that are set-up problems rather than
 * bugs (a bad variable, the database refusing us, a busy port). Anything else keeps its stack: that is a bug.
 */
export function describeFailure(err: unknown): string {
  const e = err as { message?: string; code?: unknown; syscall?: string; address?: string; port?: number; stack?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (err instanceof ConfigError || err instanceof SkyportError) return err.message;
  if (code === 'EADDRINUSE') {
    return `cannot listen on ${e.address ?? ''}:${e.port ?? ''}: the port is in use by another process (stop it, or set PORT to another port)`;
  }
  if (code === 'EACCES' && e.syscall === 'listen') {
    return `cannot listen on ${e.address ?? ''}:${e.port ?? ''}: permission denied (ports below 1024 need privileges; set PORT to 1024 or more)`;
  }
  if (DB_AUTH.has(code)) return `the database refused the login (${code}): ${e.message}; check the user and password in DATABASE_URL`;
  if (DB_MISSING.has(code)) return `the database does not exist (${code}): ${e.message}; create it or fix the name in DATABASE_URL`;
  if (NETWORK.has(code)) return `cannot use the database (${code}): ${e.message}; check the host and port in DATABASE_URL`;
  return String(e?.stack ?? err);
}
