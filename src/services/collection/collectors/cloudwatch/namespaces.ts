import { metricPart } from '../naming.ts';

/**
 * Which CloudWatch namespaces an integration collects. Users write `namespaces` as AWS does (`AWS/EC2`) or in
 * Wavefront's short forms (`ec2`, `elb`, `route53`); the short forms are matched case-insensitively against
 * this table. Anything else containing '/' is passed through unchanged (custom namespaces such as
 * `MyApp/Orders` are case-sensitive in AWS), except that an AWS namespace from the table written in another
 * letter case (`aws/ec2`) is corrected. A name without '/' that is not in the table is also passed through
 * as is (CloudWatch allows custom namespaces without a slash).
 */
const SHORT_FORMS: Record<string, string> = {
  apigateway: 'AWS/ApiGateway',
  appsync: 'AWS/AppSync',
  applicationelb: 'AWS/ApplicationELB',
  alb: 'AWS/ApplicationELB',
  athena: 'AWS/Athena',
  autoscaling: 'AWS/AutoScaling',
  backup: 'AWS/Backup',
  billing: 'AWS/Billing',
  cloudfront: 'AWS/CloudFront',
  cloudsearch: 'AWS/CloudSearch',
  codebuild: 'AWS/CodeBuild',
  cognito: 'AWS/Cognito',
  dms: 'AWS/DMS',
  directconnect: 'AWS/DX',
  dx: 'AWS/DX',
  docdb: 'AWS/DocDB',
  dynamodb: 'AWS/DynamoDB',
  ebs: 'AWS/EBS',
  ec2: 'AWS/EC2',
  ec2spot: 'AWS/EC2Spot',
  ecr: 'AWS/ECR',
  ecs: 'AWS/ECS',
  efs: 'AWS/EFS',
  elasticache: 'AWS/ElastiCache',
  elasticbeanstalk: 'AWS/ElasticBeanstalk',
  elasticmapreduce: 'AWS/ElasticMapReduce',
  emr: 'AWS/ElasticMapReduce',
  elastictranscoder: 'AWS/ElasticTranscoder',
  elb: 'AWS/ELB',
  es: 'AWS/ES',
  elasticsearch: 'AWS/ES',
  opensearch: 'AWS/ES',
  events: 'AWS/Events',
  firehose: 'AWS/Firehose',
  fsx: 'AWS/FSx',
  gatewayelb: 'AWS/GatewayELB',
  glue: 'Glue',
  iot: 'AWS/IoT',
  kafka: 'AWS/Kafka',
  msk: 'AWS/Kafka',
  kinesis: 'AWS/Kinesis',
  kinesisanalytics: 'AWS/KinesisAnalytics',
  kms: 'AWS/KMS',
  lambda: 'AWS/Lambda',
  logs: 'AWS/Logs',
  mq: 'AWS/AmazonMQ',
  amazonmq: 'AWS/AmazonMQ',
  natgateway: 'AWS/NATGateway',
  neptune: 'AWS/Neptune',
  networkelb: 'AWS/NetworkELB',
  nlb: 'AWS/NetworkELB',
  networkfirewall: 'AWS/NetworkFirewall',
  rds: 'AWS/RDS',
  redshift: 'AWS/Redshift',
  route53: 'AWS/Route53',
  s3: 'AWS/S3',
  sagemaker: 'AWS/SageMaker',
  ses: 'AWS/SES',
  sns: 'AWS/SNS',
  sqs: 'AWS/SQS',
  states: 'AWS/States',
  stepfunctions: 'AWS/States',
  storagegateway: 'AWS/StorageGateway',
  swf: 'AWS/SWF',
  transitgateway: 'AWS/TransitGateway',
  trustedadvisor: 'AWS/TrustedAdvisor',
  usage: 'AWS/Usage',
  vpn: 'AWS/VPN',
  waf: 'AWS/WAFV2',
  wafv2: 'AWS/WAFV2',
  workspaces: 'AWS/WorkSpaces',
};

// `aws/ec2` → `AWS/EC2` for every namespace of the table.
const BY_LOWER_NAMESPACE = new Map(Object.values(SHORT_FORMS).map((ns) => [ns.toLowerCase(), ns]));

/** The CloudWatch namespace a configured entry names (see the table above). */
export function resolveNamespace(entry: string): string {
  const trimmed = entry.trim();
  const lower = trimmed.toLowerCase();
  return SHORT_FORMS[lower] ?? BY_LOWER_NAMESPACE.get(lower) ?? trimmed;
}

/**
 * The namespaces of a config's `namespaces` field, resolved and de-duplicated, in the order given; null when
 * the field is unset or empty, meaning every namespace the account has.
 */
export function resolveNamespaces(entries: readonly string[] | undefined): string[] | null {
  if (!entries) return null;
  const out = new Set<string>();
  for (const e of entries) if (e.trim() !== '') out.add(resolveNamespace(e));
  return out.size === 0 ? null : [...out];
}

/**
 * The `<service>` part of Wavefront's metric names: the namespace without its `AWS/` prefix, lower case
 * (`AWS/ApplicationELB` → `applicationelb`). Other namespaces keep every part, '/' becoming '.'
 * (`ECS/ContainerInsights` → `ecs.containerinsights`, `MyApp` → `myapp`).
 */
export function serviceOfNamespace(namespace: string): string {
  const rest = namespace.startsWith('AWS/') ? namespace.slice(4) : namespace;
  return metricPart(rest.replace(/\//g, '.'));
}
