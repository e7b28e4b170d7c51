import { SkyportError } from '../errors.ts';
import { ApiError, type Api } from './api.ts';
import { settleExternalIds } from './externalIds.ts';
import { makePlan, type Plan, type Step } from './plan.ts';
import { loadFile } from './readFile.ts';
import { describeEstimate, renderPlan, stepLine } from './render.ts';

export interface RunOptions {
  file: string;
  prune: boolean;
  /** Writes what people read (stdout). */
  print: (text: string) => void;
}

export interface PreparedPlan {
  plan: Plan;
  text: string;
}

/** Asks the server for a cost estimate of each create and update; quiet when the server has none. */
async function estimates(api: Api, steps: Step[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const step of steps) {
    if (step.kind === 'delete') continue;
    try {
      const estimate = await api.estimate(step.body);
      if (estimate === null) return found; // this server offers no estimate: do not ask again per entry
      const text = describeEstimate(estimate);
      if (text) found.set(step.name, text);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      found.set(step.name, `no cost estimate: ${err.message}`);
    }
  }
  return found;
}

/** Reads the file, compares it with the server and settles external IDs: what `plan` prints and `apply` runs. */
export async function preparePlan(api: Api, opts: RunOptions): Promise<PreparedPlan> {
  const file = await loadFile(opts.file);
  const plan = makePlan(file.content, await api.listIntegrations(), { prune: opts.prune });
  const waiting = plan.errors.length === 0 ? await settleExternalIds(api, file, plan) : [];
  if (plan.errors.length > 0) {
    throw new SkyportError(400, 'PLAN', plan.errors.map((e) => `integration "${e.name}": ${e.message}`).join('\n'));
  }
  const found = await estimates(api, plan.steps);
  return { plan, text: renderPlan(plan, waiting, found, opts.file) };
}

/**
 * Runs the steps in order (creates, then updates, then deletes as planned). Stops at the first error and
 * says what was done before it and what was not.
 */
export async function applyPlan(api: Api, plan: Plan, print: (text: string) => void): Promise<void> {
  const done: string[] = [];
  for (const [i, step] of plan.steps.entries()) {
    try {
      const answer =
        step.kind === 'create' ? await api.create(step.body) : step.kind === 'update' ? await api.update(step.id, step.body) : await api.remove(step.id);
      const verb = step.kind === 'create' ? 'created' : step.kind === 'update' ? 'updated' : 'deleted';
      print(`${verb} "${step.name}" (${answer.response.id})\n`);
      for (const warning of answer.warnings) print(`  warning from the server: ${warning}\n`);
      done.push(`${verb} "${step.name}"`);
    } catch (err) {
      if (!(err instanceof SkyportError)) throw err;
      const rest = plan.steps.slice(i + 1).map(stepLine);
      throw new SkyportError(
        err.statusCode,
        'APPLY',
        `${stepLine(step).slice(2)} failed: ${err.message}\n` +
          `done before it: ${done.length > 0 ? done.join(', ') : 'nothing'}\n` +
          `not done: ${[stepLine(step), ...rest].join('; ')}`,
      );
    }
  }
}
