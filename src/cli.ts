import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.ts';
import { describeFailure } from './cli/failure.ts';

// Skyport pins its AWS SDK versions exactly (package-lock.json) and those run on Node 20. The SDK's notice
// at every start concerns releases after January 2027, which Skyport takes only by a deliberate upgrade that
// raises the Node minimum with it (README, "Quick start"): nothing an operator can act on. Set the variable
// to false to see it anyway.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The `skyport` command. Bare `skyport` prints the help (`npm start` runs `skyport serve`). */
export async function main(argv: string[]) {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp();
    return;
  }
  await program.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help, or the version).
    process.exit(err.exitCode);
  }
  process.stderr.write(`skyport: ${describeFailure(err)}\n`);
  process.exit(1);
});
