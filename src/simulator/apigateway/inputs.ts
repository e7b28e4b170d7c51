import type { AccessLogSettings, ApiStageRef, AuthorizationType, ProtocolType, RestApi } from './model.ts';

/** What the admin calls take to create and change APIs, stages, plans and keys. */

export interface MethodInput {
  httpMethod: string;
  authorizationType?: AuthorizationType;
  apiKeyRequired?: boolean;
  operationName?: string;
}

export interface ResourceInput {
  /** `/items/{id}`; missing parent resources are created. */
  path: string;
  methods?: Array<MethodInput | string>;
}

export interface StageInput {
  name: string;
  description?: string;
  accessLogSettings?: AccessLogSettings;
  variables?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface CreateRestApiInput {
  accountId: string;
  region: string;
  name: string;
  id?: string;
  description?: string;
  version?: string;
  endpointType?: RestApi['endpointType'];
  tags?: Record<string, string>;
  upperCaseExportMethods?: boolean;
  resources?: ResourceInput[];
  /** Stages created on one first deployment of the resources. */
  stages?: Array<StageInput | string>;
}

export interface SeedRestApisInput {
  accountId: string;
  region: string;
  count: number;
  namePrefix?: string;
  /** Stage names, each on the API's first deployment (default `['prod']`). */
  stages?: string[];
  accessLogSettings?: AccessLogSettings;
}

export interface V2RouteInput {
  routeKey: string;
  authorizationType?: AuthorizationType;
  apiKeyRequired?: boolean;
  operationName?: string;
  target?: string;
}

export interface V2StageInput {
  name: string;
  autoDeploy?: boolean;
  description?: string;
  accessLogSettings?: AccessLogSettings;
  tags?: Record<string, string>;
}

export interface CreateV2ApiInput {
  accountId: string;
  region: string;
  name: string;
  protocolType: ProtocolType;
  id?: string;
  description?: string;
  version?: string;
  routeSelectionExpression?: string;
  tags?: Record<string, string>;
  routes?: Array<V2RouteInput | string>;
  stages?: Array<V2StageInput | string>;
}

export interface CreateUsagePlanInput {
  accountId: string;
  region: string;
  name: string;
  id?: string;
  description?: string;
  apiStages?: ApiStageRef[];
  throttle?: { burstLimit: number; rateLimit: number };
  quota?: { limit: number; offset?: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  tags?: Record<string, string>;
}

export interface CreateApiKeyInput {
  accountId: string;
  region: string;
  name?: string;
  description?: string;
  value?: string;
  enabled?: boolean;
  customerId?: string;
  tags?: Record<string, string>;
}
