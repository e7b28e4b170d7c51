import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { SkyportError } from '../errors.ts';
import type { ApiTarget } from '../provision/api.ts';

// Loaded when a command runs, so that --help answers at once.
const provision = async () => {
  const [api, run, exported] = await Promise.all([import('../provision/api.ts'), import('../provision/run.ts'), import('../provision/export.ts')]);
  return { createApi: api.createApi, preparePlan: run.preparePlan, applyPlan: run.applyPlan, exportFile: exported.exportFile };
};

const DEFAULT_URL = 'http://127.0.0.1:8080';
const DEFAULT_FILE = 'skyport.yaml';
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

/** Where the server is and how to authenticate: SKYPORT_URL (or --url) and SKYPORT_TOKEN, never a token argument (ps shows arguments). */
function target(opts: { url?: string }): ApiTarget {
  const url = opts.url ?? process.env.SKYPORT_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new SkyportError(400, 'USAGE', `SKYPORT_URL must be an http:// or https:// URL, got "${url}"`);
  const token = process.env.SKYPORT_TOKEN;
  if (!token) throw new SkyportError(400, 'USAGE', 'SKYPORT_TOKEN is not set: export SKYPORT_TOKEN=<an API token> (agent_management for apply)');
  return { url, token };
}

const print = (text: string) => void process.stdout.write(text);

async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new SkyportError(400, 'USAGE', 'apply asks for confirmation at a terminal; in scripts and CI pass --yes');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question('Apply these changes? Only "yes" applies them: ', { signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
    return answer.trim() === 'yes';
  } catch {
    return false; // no answer in time
  } finally {
    rl.close();
  }
}

const common = (command: Command) =>
  command
    .option('-f, --file <path>', 'the provisioning file (YAML)', DEFAULT_FILE)
    .option('--prune', 'also delete integrations the file does not list (to the trash)')
    .option('--url <url>', `the Skyport server (default: SKYPORT_URL, else ${DEFAULT_URL})`);

/** `skyport plan | apply | export`: integrations as a YAML file, through the REST API of any Skyport. */
export function provisionCommands(): Command[] {
  const plan = common(new Command('plan'))
    .description('show what apply would create, change (field by field) and delete to make the server match the file')
    .action(async (opts: { file: string; prune?: boolean; url?: string }) => {
      const { createApi, preparePlan } = await provision();
      const api = createApi(target(opts));
      const { text } = await preparePlan(api, { file: opts.file, prune: Boolean(opts.prune), print });
      print(text);
    });

  const apply = common(new Command('apply'))
    .description('make the server match the file; a second apply changes nothing')
    .option('-y, --yes', 'apply without asking (scripts, CI)')
    .action(async (opts: { file: string; prune?: boolean; url?: string; yes?: boolean }) => {
      const { createApi, preparePlan, applyPlan } = await provision();
      const api = createApi(target(opts));
      const { plan: steps, text } = await preparePlan(api, { file: opts.file, prune: Boolean(opts.prune), print });
      print(text);
      if (steps.steps.length === 0) return;
      if (!opts.yes && !(await confirm())) {
        print('Nothing applied.\n');
        return;
      }
      await applyPlan(api, steps, print);
      print('Applied.\n');
    });

  const exported = new Command('export')
    .description('write the server\'s integrations as a provisioning file (external IDs included, nothing secret)')
    .option('-o, --output <path>', 'write to this file instead of stdout')
    .option('--url <url>', `the Skyport server (default: SKYPORT_URL, else ${DEFAULT_URL})`)
    .action(async (opts: { output?: string; url?: string }) => {
      const { createApi, exportFile } = await provision();
      const where = target(opts);
      const { text, skipped } = exportFile(await createApi(where).listIntegrations(), where.url);
      if (opts.output) await writeFile(opts.output, text);
      else print(text);
      for (const s of skipped) {
        process.stderr.write(`skyport: left out integration ${s.id}: the name "${s.name}" is taken by another one (names are unique in a file; rename it through the API)\n`);
      }
      if (skipped.length > 0) process.exitCode = 1;
    });

  return [plan, apply, exported];
}
