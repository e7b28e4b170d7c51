import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config.ts';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Reads the PEM pair and checks that the key belongs to the certificate (createSecureContext refuses otherwise). */
export function readKeyPair(files: TlsFiles): KeyPair {
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const pair = { cert: read('SKYPORT_TLS_CERT', files.certFile), key: read('SKYPORT_TLS_KEY', files.keyFile) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new ConfigError(`SKYPORT_TLS_CERT/SKYPORT_TLS_KEY: not a usable PEM certificate and matching key (${(err as Error).message})`);
  }
  return pair;
}

// Polling stat() rather than fs.watch: it follows symlinks and survives the rename-into-place that
// certificate managers (certbot, cert-manager's mounted secrets) use, where an inotify watch goes stale.
const POLL_MS = 2_000;

/**
 * Keeps a TLS server's certificate current: on SIGHUP and whenever either file changes, the pair is read
 * again and swapped in with setSecureContext. Open connections keep the context they were set up with; new
 * handshakes get the new one. A pair that does not load (a half-written file, the key replaced before the
 * certificate) is logged and the old one stays until the next change. Returns a function that stops watching.
 */
export function keepCertificatesCurrent(
  server: { setSecureContext(options: KeyPair): void },
  files: TlsFiles,
  log: Log,
): () => void {
  const reload = (reason: string) => {
    try {
      server.setSecureContext(readKeyPair(files));
      log.info({ reason, cert: files.certFile }, 'TLS certificate reloaded');
    } catch (err) {
      log.warn({ reason, err: (err as Error).message }, 'TLS certificate not reloaded; the previous one stays in use');
    }
  };
  const onHangup = () => reload('SIGHUP');
  const onChange = (curr: { mtimeMs: number }, prev: { mtimeMs: number }) => {
    if (curr.mtimeMs !== prev.mtimeMs) reload('file changed');
  };
  process.on('SIGHUP', onHangup);
  for (const file of [files.certFile, files.keyFile]) watchFile(file, { interval: POLL_MS, persistent: false }, onChange);
  return () => {
    process.off('SIGHUP', onHangup);
    for (const file of [files.certFile, files.keyFile]) unwatchFile(file, onChange);
  };
}
