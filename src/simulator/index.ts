/**
 * Simulated AWS (STS, CloudWatch, EC2, S3, API Gateway v1 and v2) speaking the real wire protocols of the AWS SDK v3, for the demo,
 * tests and benchmarks. See README.md beside this file.
 */
export { Simulator, startSimulator, type SimulatorOptions } from './simulator.ts';
export { SimClock } from './clock.ts';
export type { Account, AccessKey, CreateAccountInput, CreateRoleInput, CreateUserInput, Principal, Role, UserCredentials } from './accounts.ts';
export type { AddInstanceInput, AddVolumeInput, Instance, InstanceStateName, Tag, Volume, VolumeAttachment } from './inventory.ts';
export { generatedSample, seriesKey, statisticOf, STATISTICS } from './metric-store.ts';
export type { AddSeriesInput, Dimension, GeneratorSpec, MetricSeries, PointInput, Sample, Statistic } from './metric-store.ts';
export type { Bucket, PutObjectInput, S3Object } from './objects.ts';
export { accountBase, dayPrefix, generateRecords, logFileKey } from './cloudtrail.ts';
export type { CloudTrailRecord, CloudTrailWriteInput, CloudTrailWriteResult } from './cloudtrail.ts';
export { FAULT_KINDS } from './faults.ts';
export type { Fault, FaultInput, FaultKind, ServiceSelector } from './faults.ts';
export type { CallCount, CallFilter } from './counters.ts';
export { DEFAULT_EC2_METRICS, seededInstanceId } from './seed.ts';
export type { SeedAccountInput, SeedAccountResult, SeedSeriesInput, SeedSeriesResult } from './seed.ts';
export { DEFAULT_REGIONS, KNOWN_REGIONS } from './regions.ts';
export type { ServiceName } from './errors.ts';
export { ADMIN_PREFIX } from './admin.ts';
export { ApiGatewayAdmin } from './apigateway/admin.ts';
export { AWS_LIMITS as API_GATEWAY_AWS_LIMITS, type ApiGatewayLimits } from './apigateway/limits.ts';
export type { AccessLogSettings, ApiKey, AuthorizationType, RestApi, RestDeployment, RestMethod, RestResource, RestStage, UsagePlan, V2Api, V2Route, V2Stage } from './apigateway/model.ts';
export type { CreateApiKeyInput, CreateRestApiInput, CreateUsagePlanInput, CreateV2ApiInput, MethodInput, ResourceInput, SeedRestApisInput, StageInput, V2RouteInput, V2StageInput } from './apigateway/store.ts';
export { seedApiGatewayDemo } from './apigateway/demo.ts';
export { SimLogs } from './logs/sim-logs.ts';
export type { AccessLogWriteInput, AccessLogWriteResult, LogEventsInput, LogGroupInput, LogStreamInput, LogsLimits } from './logs/sim-logs.ts';
export { AccessLogTraffic, ACCESS_LOG_FORMATS, clfTime } from './logs/access-log.ts';
export type { AccessLogCounts, AccessLogEndpoint, AccessLogFormat, AccessLogStatus, AccessLogTotals, AccessLogTrafficSpec } from './logs/access-log.ts';
export { FILTER_LOG_EVENTS_PER_SECOND } from './logs/rate-limit.ts';
