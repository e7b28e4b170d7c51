import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import { readRestDefinition, readV2Definition, readV2Routes, type ExportSettings } from './definitions.ts';
import { indexState, needsDefinition, storedStageOf, type StoredState } from './diff.ts';
import { listRestApis, listRestStages, listV2Apis, listV2Stages } from './discover.ts';
import type { ListedApi, ObservedApi, ObservedStage } from './observed.ts';
import { apiFilterOf, selectStages, type Selection } from './select.ts';

/**
 * Calls in flight per region: enough to keep API Gateway's request budget busy despite each call's latency;
 * the rate limiter, not this number, decides the pace.
 */
const CONCURRENCY = 4;

export interface RegionClients {
  retry: ThrottleRetry;
  v1: APIGatewayClient;
  v2: ApiGatewayV2Client;
}

export interface RegionSettings extends Selection {
  export: ExportSettings;
}

/** Runs `work` over `items` with at most `limit` at once; the first failure stops the rest and is thrown. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * What one region of a connection holds now, as far as the settings select it: discover (list APIs and
 * stages, every page) → select (API filter, stage globs) → read definitions only of stages whose deployment
 * changed since `stored`. AWS failures are thrown as they are (the caller decides what they mean).
 */
export async function observeRegion(clients: RegionClients, settings: RegionSettings, stored: StoredState): Promise<ObservedApi[]> {
  const { retry, v1, v2 } = clients;
  const index = indexState(stored);
  const keep = apiFilterOf(settings.apiFilter);
  const observed: ObservedApi[] = [];

  if (settings.apiTypes.includes('REST')) {
    const apis = (await listRestApis(retry, v1)).filter(keep);
    await eachLimited(apis, CONCURRENCY, async (api) => {
      const stages = selectStages(await listRestStages(retry, v1, api.awsApiId), settings);
      const withDefinitions: ObservedStage[] = [];
      for (const stage of stages) {
        const storedStage = storedStageOf(index, 'REST', api.awsApiId, stage.name);
        if (!needsDefinition(storedStage, stage.deploymentId)) withDefinitions.push(stage);
        else withDefinitions.push({ ...stage, definition: await readRestDefinition(retry, v1, api.awsApiId, stage, settings.export) });
      }
      observed.push({ ...api, stages: withDefinitions });
    });
  }

  const v2Types: string[] = settings.apiTypes.filter((t) => t === 'HTTP' || t === 'WEBSOCKET');
  if (v2Types.length > 0) {
    const apis = (await listV2Apis(retry, v2)).filter((a) => v2Types.includes(a.protocolType) && keep(a));
    await eachLimited(apis, CONCURRENCY, async (api: Omit<ListedApi, 'stages'>) => {
      const stages = selectStages(await listV2Stages(retry, v2, api.awsApiId), settings);
      const changed = stages.filter((s) => needsDefinition(storedStageOf(index, api.protocolType, api.awsApiId, s.name), s.deploymentId));
      const routes = changed.length > 0 ? await readV2Routes(retry, v2, api.awsApiId) : [];
      const withDefinitions: ObservedStage[] = [];
      for (const stage of stages) {
        if (!changed.includes(stage)) withDefinitions.push(stage);
        else withDefinitions.push({ ...stage, definition: await readV2Definition(retry, v2, api, stage.name, routes, settings.export) });
      }
      observed.push({ ...api, stages: withDefinitions });
    });
  }
  return observed;
}
