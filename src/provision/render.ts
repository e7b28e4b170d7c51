import type { Plan, Step } from './plan.ts';
import type { Waiting } from './externalIds.ts';
import { trustStatement } from './externalIds.ts';

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
const indent = (text: string, by: string) => text.replace(/^/gm, by);

export function describeEstimate(estimate: Record<string, unknown> | null | undefined): string | null {
  if (!estimate) return null;
  const cost = estimate.estimatedMonthlyCostUsd;
  const parts: string[] = [];
  if (typeof cost === 'number') parts.push(`$${cost.toFixed(2)}/month`);
  if (typeof estimate.seriesSelected === 'number') parts.push(`${estimate.seriesSelected} series selected`);
  if (typeof estimate.metricsRequestedPerMonth === 'number') parts.push(`${estimate.metricsRequestedPerMonth} metrics requested per month`);
  return parts.length > 0 ? `estimated cost: ${parts.join(', ')}` : null;
}

export function stepLine(step: Step): string {
  if (step.kind === 'create') return `+ create "${step.name}" (${step.body.service})`;
  if (step.kind === 'update') return `~ update "${step.name}" (${step.id})`;
  return `- delete "${step.name}" (${step.id}, ${step.service}; to the trash)`;
}

/** The plan as people read it: a line per step, the field-level diff under updates, then a summary. */
export function renderPlan(plan: Plan, waiting: Waiting[], estimates: Map<string, string>, filePath: string): string {
  const out: string[] = [];
  for (const step of plan.steps) {
    out.push(`  ${stepLine(step)}`);
    if (step.kind === 'update') for (const c of step.changes) out.push(`      ${c.field}: ${show(c.from)} -> ${show(c.to)}`);
    const estimate = estimates.get(step.name);
    if (estimate) out.push(`      ${estimate}`);
  }
  for (const w of waiting) {
    out.push(
      `  ... wait "${w.name}": external ID ${w.externalId} issued and written to ${filePath}. Add this statement to the trust policy`,
      `      of ${w.roleArn}, then run apply again (the entry is created then):`,
      indent(trustStatement(w.externalId), '      '),
    );
  }
  const count = (kind: Step['kind']) => plan.steps.filter((s) => s.kind === kind).length;
  if (plan.steps.length === 0 && waiting.length === 0) out.push('No changes: the server matches the file.');
  else {
    out.push(
      '',
      `${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete, ${plan.unchanged} unchanged` +
        (waiting.length > 0 ? `, ${waiting.length} waiting for a trust policy.` : '.'),
    );
  }
  if (plan.unlisted.length > 0) {
    out.push(`${plan.unlisted.length} integration(s) on the server are not in the file and stay (apply --prune deletes them): ${plan.unlisted.map((n) => `"${n}"`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
