import { Command } from 'commander';
import { SkyportError } from '../errors.ts';
import { formatTable, formatTime } from './table.ts';

/**
 * Runs `run` with the token service on the configured database. Loaded on use: `--help` and a mistyped
 * option answer without loading the database layer.
 */
async function withTokens<T>(run: (tokens: ReturnType<typeof import('../services/api/tokens.ts').createTokenService>) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { withDatabase }, { createTokenService }, { systemClock }] = await Promise.all([
    import('../config.ts'),
    import('./database.ts'),
    import('../services/api/tokens.ts'),
    import('../lib/clock.ts'),
  ]);
  return withDatabase(loadConfig(), (database) => run(createTokenService({ db: database.db, clock: systemClock, cacheTtlMs: 0 })));
}

/** `skyport token create | list | revoke`: API tokens, straight in the database (no server needed). */
export function tokenCommand(): Command {
  const token = new Command('token').description('manage API tokens (in the database DATABASE_URL or the embedded one)');

  token
    .command('create')
    .description('create an API token and print it on stdout (shown only once)')
    .option('--name <name>', 'a name that says who uses the token')
    .option('--permission <permission...>', 'agent_management to allow writes (default: read-only)')
    .option('--customer <id>', 'the customer (tenant) the token belongs to; created if new', undefined)
    .action(async (opts: { name?: string; permission?: string[]; customer?: string }) => {
      if (!opts.name) throw new SkyportError(400, 'USAGE', 'token create needs --name NAME');
      const name = opts.name;
      await withTokens(async (tokens) => {
        const { id, token: value } = await tokens.create({ name, permissions: opts.permission ?? [], customerId: opts.customer });
        process.stderr.write(`created token ${id} (${name}); it is shown only this once:\n`);
        process.stdout.write(`${value}\n`);
      });
    });

  token
    .command('list')
    .description('list tokens with their customer, permissions, creation and last use (never their values)')
    .option('--customer <id>', 'only this customer\'s tokens')
    .action(async (opts: { customer?: string }) => {
      await withTokens(async (tokens) => {
        const rows = (await tokens.list(opts.customer)).map((t) => [
          t.id,
          t.customerId,
          t.name,
          t.permissions.length > 0 ? t.permissions.join(',') : 'read-only',
          formatTime(t.createdAt),
          formatTime(t.lastUsedAt),
          t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : 'active',
        ]);
        process.stdout.write(formatTable(['ID', 'CUSTOMER', 'NAME', 'PERMISSIONS', 'CREATED', 'LAST USED', 'STATE'], rows));
      });
    });

  token
    .command('revoke')
    .description('revoke a token by its id (from token list)')
    .argument('[id]', 'the token id')
    .action(async (id: string | undefined) => {
      if (!id) throw new SkyportError(400, 'USAGE', 'token revoke needs a token id (see token list)');
      await withTokens(async (tokens) => {
        await tokens.revoke(id);
        process.stdout.write(`revoked ${id}\n`);
      });
    });
  return token;
}
