import { writeFile } from 'node:fs/promises';
import { CONFIG_KEY } from '../schemas/cloudIntegration.ts';
import type { Api } from './api.ts';
import type { LoadedFile } from './readFile.ts';
import type { Plan, Step } from './plan.ts';

export interface Waiting {
  name: string;
  externalId: string;
  roleArn: string;
}

type CreateStep = Extract<Step, { kind: 'create' }>;

const credentialsOf = (step: CreateStep) => {
  const key = CONFIG_KEY[step.body.service as keyof typeof CONFIG_KEY];
  return { key, creds: ((step.body as Record<string, unknown>)[key] as { baseCredentials: { roleArn: string; externalId?: string } }).baseCredentials };
};

/**
 * External IDs follow the Terraform provider's flow. A new entry with an externalId must name one this
 * server issued (and that is still usable): importing IDs would reopen the confused-deputy hole they exist
 * to close. A new entry without one gets one issued, written into the file, and waits: its role's trust
 * policy must name the ID before the credential check can pass, so it is created by the next apply.
 */
export async function settleExternalIds(api: Api, file: LoadedFile, plan: Plan): Promise<Waiting[]> {
  const creates = plan.steps.filter((s): s is CreateStep => s.kind === 'create');
  for (const step of creates) {
    const { key, creds } = credentialsOf(step);
    if (creds.externalId !== undefined && !(await api.externalIdUsable(creds.externalId))) {
      plan.errors.push({
        name: step.name,
        message:
          `${key}.baseCredentials.externalId "${creds.externalId}" was not issued by this server to this customer, or it expired unused ` +
          'or was deleted; the server refuses it (400). Remove the line: plan issues a new one. Moving integrations to another server is a database restore.',
      });
    }
  }
  if (plan.errors.length > 0) return [];

  const waiting: Waiting[] = [];
  for (const step of creates) {
    const { key, creds } = credentialsOf(step);
    if (creds.externalId !== undefined) continue;
    const { response: externalId } = await api.issueExternalId();
    const path = ['integrations', step.name, key, 'baseCredentials', 'externalId'];
    file.doc.setIn(path, externalId);
    waiting.push({ name: step.name, externalId, roleArn: creds.roleArn });
  }
  if (waiting.length > 0) {
    // Written at once, so an ID is never issued twice for one entry even if what follows fails.
    await writeFile(file.path, file.doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
    plan.steps = plan.steps.filter((s) => !(s.kind === 'create' && waiting.some((w) => w.name === s.name)));
  }
  return waiting;
}

/** The statement to add to the role's trust policy, for the README's "AWS set-up". */
export function trustStatement(externalId: string): string {
  return JSON.stringify(
    {
      Effect: 'Allow',
      Principal: { AWS: "<Skyport's own AWS identity ARN, e.g. arn:aws:iam::111111111111:role/skyport>" },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    },
    null,
    2,
  );
}
