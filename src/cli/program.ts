import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { tokenCommand } from './token.ts';
import { tlsCommand } from './tls.ts';
import { provisionCommands } from './provision.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The `skyport` command line: every subcommand, with --help on each and errors that name the bad word. */
export function buildProgram(): Command {
  const program = new Command('skyport')
    .description('Skyport: AWS cloud integrations behind a Wavefront-compatible API.\nServer settings come from the environment (see README.md, "Configuration").')
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true);

  // Everything heavy is imported when a command runs: help and usage errors answer at once.
  const config = async () => (await import('../config.ts')).loadConfig();
  program.command('serve').description('start the API server').action(async () => {
    const { serve } = await import('../server.ts');
    await serve(await config());
  });
  program.command('demo').description('start Skyport with a simulated AWS account and a demo integration').action(async () => {
    const { demo } = await import('../demo.ts');
    await demo(await config());
  });
  program.command('migrate').description('apply database migrations and exit').action(async () => {
    const { withDatabase } = await import('./database.ts');
    await withDatabase(await config(), async () => process.stdout.write('migrations applied\n'));
  });
  program.addCommand(tokenCommand());
  program.addCommand(tlsCommand());
  for (const command of provisionCommands()) program.addCommand(command);

  // Every command (and subcommand) reports a mistyped option or an unknown subcommand with the usage.
  const strict = (command: Command) => {
    command
      .showHelpAfterError(`(run "${fullName(command)} --help" for usage)`)
      .allowExcessArguments(false)
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`skyport: ${text.replace(/^error: /, '')}`) });
    command.commands.forEach(strict);
  };
  strict(program);
  return program;
}

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
