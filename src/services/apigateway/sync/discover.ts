import { GetRestApisCommand, GetStagesCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import {
  GetApisCommand,
  GetStagesCommand as GetV2StagesCommand,
  type ApiGatewayV2Client,
} from '@aws-sdk/client-apigatewayv2';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import type { ListedApi, ListedStage, ProtocolType } from './observed.ts';

/** The largest page GetRestApis serves; `position` is followed until AWS returns none. */
const REST_PAGE = 500;
const V2_PAGE = '500';
/** A bound on pages, so a service that keeps answering `position` cannot keep a sync alive for ever. */
const MAX_PAGES = 10_000;

const ms = (d: Date | undefined): number | null => (d instanceof Date ? d.getTime() : null);

/** REST APIs of the region, every page (GetRestApis `limit=500` until no `position`). */
export async function listRestApis(retry: ThrottleRetry, client: APIGatewayClient): Promise<Array<Omit<ListedApi, 'stages'>>> {
  const out: Array<Omit<ListedApi, 'stages'>> = [];
  let position: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await retry.call((abortSignal) =>
      client.send(new GetRestApisCommand({ limit: REST_PAGE, ...(position ? { position } : {}) }), { abortSignal }),
    );
    for (const a of res.items ?? []) {
      if (!a.id) continue;
      out.push({
        protocolType: 'REST',
        awsApiId: a.id,
        name: a.name ?? a.id,
        description: a.description ?? null,
        version: a.version ?? null,
        tags: a.tags ?? {},
        endpointType: a.endpointConfiguration?.types?.[0] ?? null,
      });
    }
    position = res.position;
    if (!position) break;
  }
  return out;
}

/** The stages of one REST API (GetStages is not paged). */
export async function listRestStages(retry: ThrottleRetry, client: APIGatewayClient, restApiId: string): Promise<ListedStage[]> {
  const res = await retry.call((abortSignal) => client.send(new GetStagesCommand({ restApiId }), { abortSignal }));
  return (res.item ?? [])
    .filter((s) => s.stageName)
    .map((s) => ({
      name: s.stageName!,
      deploymentId: s.deploymentId ?? null,
      lastUpdatedMs: ms(s.lastUpdatedDate),
      accessLog: s.accessLogSettings ? { destinationArn: s.accessLogSettings.destinationArn ?? null, format: s.accessLogSettings.format ?? null } : null,
    }));
}

/** HTTP and WebSocket APIs of the region, every page (`nextToken`). */
export async function listV2Apis(retry: ThrottleRetry, client: ApiGatewayV2Client): Promise<Array<Omit<ListedApi, 'stages'>>> {
  const out: Array<Omit<ListedApi, 'stages'>> = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await retry.call((abortSignal) =>
      client.send(new GetApisCommand({ MaxResults: V2_PAGE, ...(next ? { NextToken: next } : {}) }), { abortSignal }),
    );
    for (const a of res.Items ?? []) {
      if (!a.ApiId) continue;
      out.push({
        protocolType: (a.ProtocolType === 'WEBSOCKET' ? 'WEBSOCKET' : 'HTTP') as ProtocolType,
        awsApiId: a.ApiId,
        name: a.Name ?? a.ApiId,
        description: a.Description ?? null,
        version: a.Version ?? null,
        tags: a.Tags ?? {},
        endpointType: null,
      });
    }
    next = res.NextToken;
    if (!next) break;
  }
  return out;
}

export async function listV2Stages(retry: ThrottleRetry, client: ApiGatewayV2Client, apiId: string): Promise<ListedStage[]> {
  const out: ListedStage[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await retry.call((abortSignal) =>
      client.send(new GetV2StagesCommand({ ApiId: apiId, MaxResults: V2_PAGE, ...(next ? { NextToken: next } : {}) }), { abortSignal }),
    );
    for (const s of res.Items ?? []) {
      if (!s.StageName) continue;
      out.push({
        name: s.StageName,
        deploymentId: s.DeploymentId ?? null,
        lastUpdatedMs: ms(s.LastUpdatedDate),
        accessLog: s.AccessLogSettings ? { destinationArn: s.AccessLogSettings.DestinationArn ?? null, format: s.AccessLogSettings.Format ?? null } : null,
      });
    }
    next = res.NextToken;
    if (!next) break;
  }
  return out;
}
