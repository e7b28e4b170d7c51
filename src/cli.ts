import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { systemClock } from './lib/clock.ts';
import { createTokenService } from './services/api/tokens.ts';
import { SkyportError } from './errors.ts';

const USAGE = `usage: skyport <command>

  serve                       start the API server (the default)
  demo                        start Skyport with a simulated AWS account and a demo integration
  migrate                     apply database migrations and exit
  token create --name NAME [--permission agent_management] [--customer ID]
                              create an API token and print it (shown once)
  token list [--customer ID]  list tokens (never their values)
  token revoke ID             revoke a token by id

Configuration comes from the environment (see README.md): DATABASE_URL, PORT, HOST, ...`;

async function withDatabase<T>(config: Config, run: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPgPort: config.embeddedPgPort, poolSize: 2 },
    log,
  );
  try {
    await runMigrations(database.pool);
    return await run(database);
  } finally {
    await database.close();
  }
}

async function tokenCommand(config: Config, args: string[]) {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      permission: { type: 'string', multiple: true },
      customer: { type: 'string' },
    },
  });
  await withDatabase(config, async (database) => {
    const tokens = createTokenService({ db: database.db, clock: systemClock, cacheTtlMs: 0 });
    if (sub === 'create') {
      if (!values.name) throw new SkyportError(400, 'USAGE', 'token create needs --name NAME');
      const { id, token } = await tokens.create({ name: values.name, permissions: values.permission ?? [], customerId: values.customer });
      process.stderr.write(`created token ${id} (${values.name}); it is shown only this once:\n`);
      process.stdout.write(`${token}\n`);
    } else if (sub === 'list') {
      for (const t of await tokens.list(values.customer)) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
        process.stdout.write(`${t.id}  ${t.customerId}  ${t.name}  [${t.permissions.join(',')}]  ${state}\n`);
      }
    } else if (sub === 'revoke') {
      if (!positionals[0]) throw new SkyportError(400, 'USAGE', 'token revoke needs a token id (see token list)');
      await tokens.revoke(positionals[0]);
      process.stdout.write(`revoked ${positionals[0]}\n`);
    } else {
      throw new SkyportError(400, 'USAGE', USAGE);
    }
  });
}

export async function main(argv: string[]) {
  const [command = 'serve', ...args] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const { serve } = await import('./server.ts');
      await serve(config);
      return;
    }
    case 'demo': {
      const { demo } = await import('./demo.ts');
      await demo(config);
      return;
    }
    case 'migrate':
      await withDatabase(config, async () => process.stdout.write('migrations applied\n'));
      return;
    case 'token':
      await tokenCommand(config, args);
      return;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new SkyportError(400, 'USAGE', `unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError || err instanceof SkyportError) {
    process.stderr.write(`skyport: ${err.message}\n`);
  } else if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) {
    // A mistyped option: say which, without a stack trace.
    process.stderr.write(`skyport: ${err.message}\n\n${USAGE}\n`);
  } else if (typeof err?.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|28P01|3D000)$/.test(err.code)) {
    // The database cannot be reached or refuses us: a setup problem, not a bug.
    process.stderr.write(`skyport: cannot use the database (${err.code}): ${err.message}\n`);
  } else {
    process.stderr.write(`skyport: ${err?.stack ?? err}\n`);
  }
  process.exit(1);
});
