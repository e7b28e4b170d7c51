import { randomUUID } from 'node:crypto';
import type { STSClient } from '@aws-sdk/client-sts';
import { badRequest, unavailable } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { createAwsAccess } from '../collection/aws/access.ts';
import type { AwsSettings } from '../collection/aws/settings.ts';
import { classifyAwsError } from '../collection/aws/errors.ts';
import { mapLimit } from '../collection/collectors/concurrency.ts';
import { listMetrics } from '../collection/collectors/cloudwatch/listMetrics.ts';
import { planOf, type DiscoveryPlan } from '../collection/collectors/cloudwatch/plan.ts';
import { describeEnabledRegions, homeRegion } from '../collection/collectors/regions.ts';
import { admit, compileSelection, inventoryNeeds, preselect, selectByTags, type SelectedMetric } from '../collection/collectors/cloudwatch/selection.ts';
import { loadInventory } from '../collection/collectors/inventory.ts';

export interface DiscoveryTarget {
  roleArn: string;
  externalId: string;
  /** The cloudWatch config object as an integration stores it. */
  config: Record<string, unknown>;
  additionalTags: Record<string, string> | null;
}

/**
 * CloudWatch discovery on its own, for a cost estimate: the same steps and filters as a collection run
 * (AssumeRole, regions, ListMetrics, the filters, the EC2 inventory for selection tags, the series cap) and
 * never a GetMetricData. Uses its own clients and credentials, dropped when it is done.
 */
export function createDiscovery(deps: { sts: STSClient; aws: AwsSettings; clock: Clock; maxSeries: number }) {
  const access = createAwsAccess({ settings: deps.aws, clock: deps.clock, sts: deps.sts });
  const { credentials } = access;
  const fixedRegions = deps.aws.regions && deps.aws.regions.length > 0 ? deps.aws.regions : undefined;

  async function discover(target: DiscoveryTarget, signal?: AbortSignal): Promise<DiscoveryPlan> {
    const id = `estimate-${randomUUID()}`;
    const { credentials: provider, aws } = access.forIntegration({ id, roleArn: target.roleArn, externalId: target.externalId });
    try {
      await provider();
    } catch (err) {
      aws.destroy();
      credentials.drop(id);
      throw awsProblem(err, `could not assume role ${target.roleArn}`);
    }
    try {
      const sel = compileSelection(target.config, target.additionalTags);
      const regions = fixedRegions ?? (await describeEnabledRegions(aws.ec2(homeRegion(target.roleArn)), signal));
      const perRegion = await mapLimit(regions, 4, async (region) => {
        const cw = aws.cloudwatch(region);
        const listings = sel.namespaces
          ? await mapLimit(sel.namespaces, 4, async (ns) => (await listMetrics(cw, ns, signal)).get(ns) ?? [])
          : [...(await listMetrics(cw, undefined, signal)).values()];
        let scopes: SelectedMetric[][] = listings.map((metrics) => preselect(metrics, sel));
        const needs = scopes.map(inventoryNeeds);
        if (needs.some((n) => n.instances)) {
          const inventory = await loadInventory(aws.ec2(region), { volumes: needs.some((n) => n.volumes) }, signal);
          scopes = scopes.map((s) => selectByTags(s, sel, inventory));
        }
        return scopes;
      });
      // The series cap, in the collector's order (region, namespace, metric).
      let remaining = deps.maxSeries;
      let dropped = 0;
      const capped = perRegion.map((scopes) =>
        scopes.map((selected) => {
          const r = admit(selected, remaining);
          remaining -= r.used;
          dropped += r.dropped;
          return r.kept;
        }),
      );
      return planOf(capped, dropped);
    } catch (err) {
      throw awsProblem(err, 'discovering the metrics failed');
    } finally {
      aws.destroy();
      credentials.drop(id);
    }
  }

  return { discover, close: () => access.close() };
}

export type Discovery = ReturnType<typeof createDiscovery>;

/** An AWS failure during discovery as an answer: the role or its permissions (400) or AWS for a moment (503). */
function awsProblem(err: unknown, what: string): Error {
  const e = classifyAwsError(err, { assumeRole: what.startsWith('could not assume') });
  if (e.kind === 'transient') return unavailable(`${what}: AWS did not answer (${e.code}: ${e.message}); try again shortly`, 10);
  if (e.kind === 'credentials' || e.kind === 'denied') {
    return badRequest(`${what} (${e.code}: ${e.message}); the estimate needs the role to work: check its trust policy and permissions`);
  }
  return badRequest(`${what} (${e.code}: ${e.message})`);
}
