import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { SkyportError } from '../errors.ts';

/** `skyport tls self-signed`: a private CA and a server certificate for local HTTPS (Terraform, curl). */
export function tlsCommand(): Command {
  const tls = new Command('tls').description('TLS certificates for serving HTTPS');
  tls
    .command('self-signed')
    .description('write a private CA and a server certificate signed by it, for local use')
    .option('--host <name...>', 'DNS names or IP addresses the certificate is for (the first is its subject)', ['localhost'])
    .option('--out <dir>', 'directory to write ca.pem, server.pem and server-key.pem into', './tls')
    .option('--days <n>', 'validity of the server certificate in days', '825')
    .option('--force', 'overwrite files that exist')
    .action(async (opts: { host: string[]; out: string; days: string; force?: boolean }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 825) throw new SkyportError(400, 'USAGE', `--days must be a whole number from 1 to 825, got "${opts.days}"`);
      const hosts = [...new Set([...opts.host, 'localhost', '127.0.0.1'])];
      const dir = resolve(opts.out);
      const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
      const existing = Object.values(files).filter((f) => existsSync(f));
      if (existing.length > 0 && !opts.force) {
        throw new SkyportError(400, 'USAGE', `${existing.join(', ')} exist already; use --force to replace them, or --out for another directory`);
      }
      const { createSelfSignedSet } = await import('../tls/selfSigned.ts');
      const set = createSelfSignedSet(hosts, { days });
      await mkdir(dir, { recursive: true });
      // The CA's private key is never written: it signs this one certificate and is gone, so trusting ca.pem
      // can never vouch for anything else, even if this directory leaks.
      await writeFile(files.ca, set.ca.certPem, { mode: 0o644 });
      await writeFile(files.cert, set.server.certPem, { mode: 0o644 });
      await writeFile(files.key, set.server.keyPem, { mode: 0o600 }); // the owner only
      process.stdout.write(
        `wrote ${files.ca} (the CA: give it to clients), ${files.cert} and ${files.key} (for ${hosts.join(', ')})\n\n` +
          `Serve HTTPS with:\n  SKYPORT_TLS_CERT=${files.cert} SKYPORT_TLS_KEY=${files.key} npx skyport serve\n\n` +
          `Trust it from clients:\n  curl --cacert ${files.ca} https://${hosts[0]}:8080/healthz\n` +
          `  SSL_CERT_FILE=${files.ca} terraform plan     # Go programs (Terraform) on Linux\n` +
          `  NODE_EXTRA_CA_CERTS=${files.ca} ...          # Node programs\n`,
      );
    });
  return tls;
}
