import { DescribeAccountAttributesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2Instance } from '../inventory.ts';

/**
 * Account limits (`customNamespaces: ["LIMITS"]`) from EC2 DescribeAccountAttributes of one region. Only
 * attributes with exactly one numeric value are limits (`max-instances`, `max-elastic-ips`,
 * `vpc-max-elastic-ips`, `vpc-max-security-groups-per-interface`); `supported-platforms`, `default-vpc` and
 * the like are not. Usage is reported only where the inventory holds it (see `usageOf`).
 */
export interface AccountLimit {
  /** The attribute name as AWS spells it, e.g. max-instances. */
  attribute: string;
  limit: number;
}

const NUMBER = /^\d+(?:\.\d+)?$/;

export async function describeAccountLimits(ec2: EC2Client, signal?: AbortSignal): Promise<AccountLimit[]> {
  const out = await ec2.send(new DescribeAccountAttributesCommand({}), { abortSignal: signal });
  const limits: AccountLimit[] = [];
  for (const a of out.AccountAttributes ?? []) {
    const values = a.AttributeValues ?? [];
    const value = values[0]?.AttributeValue?.trim();
    if (!a.AttributeName || values.length !== 1 || value === undefined || !NUMBER.test(value)) continue;
    limits.push({ attribute: a.AttributeName, limit: Number(value) });
  }
  return limits.sort((x, y) => (x.attribute < y.attribute ? -1 : x.attribute > y.attribute ? 1 : 0));
}

/**
 * The usage matching a limit, from the region's whole inventory (not only the selected instances: a limit
 * applies to the account). `max-instances` (On-Demand instances the account may run) → instances pending or
 * running that are not Spot instances. Limits whose usage Skyport does not describe (Elastic IPs, security
 * groups per interface) have none: undefined.
 */
export function usageOf(attribute: string, instances: Iterable<Ec2Instance>): number | undefined {
  if (attribute !== 'max-instances') return undefined;
  let n = 0;
  for (const i of instances) if ((i.state === 'running' || i.state === 'pending') && i.lifecycle !== 'spot') n++;
  return n;
}
