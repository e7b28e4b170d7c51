import type { ParsedEndpoint } from '../spec/parseDefinition.ts';

export type ProtocolType = 'REST' | 'HTTP' | 'WEBSOCKET';
/** Where a stage's endpoints were read from (SPEC-apigateway §3 step 2). */
export type SpecSource = 'EXPORT' | 'DEPLOYMENT' | 'RESOURCES' | 'ROUTES';

/** A stage as AWS lists it, before its definition is read. */
export interface ListedStage {
  name: string;
  deploymentId: string | null;
  lastUpdatedMs: number | null;
  accessLog: { destinationArn: string | null; format: string | null } | null;
}

/** An API as AWS lists it, with its stages. */
export interface ListedApi {
  protocolType: ProtocolType;
  awsApiId: string;
  name: string;
  description: string | null;
  version: string | null;
  tags: Record<string, string>;
  endpointType: string | null;
  stages: ListedStage[];
}

/** What a stage's definition says, read because its deployment changed. */
export interface StageDefinition {
  source: SpecSource;
  endpoints: ParsedEndpoint[];
  /** The exported document, when there is one. */
  document: { sha256: string; body: string } | null;
}

/** A stage with its definition when it was (re)read this sync; `undefined` keeps what is stored. */
export interface ObservedStage extends ListedStage {
  definition?: StageDefinition;
}

export interface ObservedApi extends Omit<ListedApi, 'stages'> {
  stages: ObservedStage[];
}
