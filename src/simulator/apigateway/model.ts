import { randomBytes } from 'node:crypto';

/** What the simulated API Gateway holds (v1 REST APIs, v2 HTTP/WebSocket APIs, usage plans, API keys). */

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT';

export interface AccessLogSettings {
  destinationArn: string;
  format: string;
}

export interface RestMethod {
  /** Upper case, `ANY` allowed. */
  httpMethod: string;
  authorizationType: AuthorizationType;
  apiKeyRequired: boolean;
  operationName?: string;
}

export interface RestResource {
  id: string;
  parentId?: string;
  pathPart?: string;
  /** `/`, `/items`, `/items/{id}`. */
  path: string;
  methods: Map<string, RestMethod>;
}

/** A deployment is an immutable snapshot of the API's resources and methods when it was made. */
export interface RestDeployment {
  id: string;
  description?: string;
  createdDate: number;
  apiName: string;
  apiDescription?: string;
  resources: Array<{ path: string; methods: RestMethod[] }>;
}

export interface RestStage {
  stageName: string;
  deploymentId: string;
  description?: string;
  accessLogSettings?: AccessLogSettings;
  variables?: Record<string, string>;
  tracingEnabled: boolean;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export interface RestApi {
  id: string;
  accountId: string;
  region: string;
  name: string;
  description?: string;
  version?: string;
  createdDate: number;
  endpointType: 'REGIONAL' | 'EDGE' | 'PRIVATE';
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  tags: Record<string, string>;
  rootResourceId: string;
  /** Admin quirk: GetExport writes method keys in upper case (as some hand-edited imported specs do). */
  upperCaseExportMethods?: boolean;
  /** By id; `byPath` indexes them by path. */
  resources: Map<string, RestResource>;
  byPath: Map<string, RestResource>;
  deployments: Map<string, RestDeployment>;
  stages: Map<string, RestStage>;
}

export type ProtocolType = 'HTTP' | 'WEBSOCKET';

export interface V2Route {
  routeId: string;
  /** `GET /items/{id}`, `ANY /{proxy+}`, `$default`, `$connect`, `sendMessage`. */
  routeKey: string;
  authorizationType: AuthorizationType;
  apiKeyRequired: boolean;
  operationName?: string;
  target?: string;
}

export interface V2Deployment {
  id: string;
  createdDate: number;
  routes: V2Route[];
}

export interface V2Stage {
  stageName: string;
  deploymentId?: string;
  autoDeploy: boolean;
  description?: string;
  accessLogSettings?: AccessLogSettings;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export interface V2Api {
  apiId: string;
  accountId: string;
  region: string;
  name: string;
  protocolType: ProtocolType;
  routeSelectionExpression: string;
  description?: string;
  version?: string;
  createdDate: number;
  tags: Record<string, string>;
  routes: Map<string, V2Route>;
  deployments: Map<string, V2Deployment>;
  stages: Map<string, V2Stage>;
}

export interface ApiStageRef {
  apiId: string;
  stage: string;
}

export interface UsagePlan {
  id: string;
  accountId: string;
  region: string;
  name: string;
  description?: string;
  apiStages: ApiStageRef[];
  throttle?: { burstLimit: number; rateLimit: number };
  quota?: { limit: number; offset: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  tags: Record<string, string>;
  /** Key ids in the order they were added. */
  keyIds: Set<string>;
  /** keyId → `YYYY-MM-DD` → requests that day (seeded through the admin API). */
  usage: Map<string, Map<string, number>>;
}

export interface ApiKey {
  id: string;
  accountId: string;
  region: string;
  value: string;
  name: string;
  description?: string;
  customerId?: string;
  enabled: boolean;
  createdDate: number;
  lastUpdatedDate: number;
  tags: Record<string, string>;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** AWS's id shapes: 10 characters for APIs and keys, 6 for resources, deployments and plans, 7 for routes. */
export const newApiId = (): string => pick(LOWER_ALNUM, 10);
export const newShortId = (): string => pick(LOWER_ALNUM, 6);
export const newRouteId = (): string => pick(LOWER_ALNUM, 7);
export const newApiKeyValue = (): string => pick(ALNUM, 40);
