import { Type, type Static, type TSchema } from 'typebox';
import {
  AWSBaseCredentials, CloudTrailConfiguration, CloudWatchConfiguration, CloudIntegrationWrite, EC2Configuration,
} from '../schemas/cloudIntegration.ts';
import { StringMap } from '../schemas/ref.ts';

/**
 * The provisioning file of `skyport plan | apply | export`, as one schema: it validates the file, types the
 * code and is published as JSON Schema (openapi/skyport-file.schema.json) for editors. Its entries reuse the
 * API's own field schemas (same names, limits and descriptions as a create body), but strictly: an unknown
 * key is an error here, where the API only warns. Each kind of resource is a top-level section of entries
 * keyed by their unique name; API Gateway connections will be the next section (`apigatewayconnections:`).
 */

const describe = (schema: TSchema) => (schema as { description?: string }).description ?? '';

const strictCopy = <T extends TSchema>(schema: T & { properties: Record<string, TSchema>; description?: string }, replace: Record<string, TSchema>) =>
  Type.Object({ ...schema.properties, ...replace }, { additionalProperties: false, description: schema.description });

const Credentials = Type.Object(
  {
    roleArn: Type.String({ maxLength: 2048, description: describe(AWSBaseCredentials.properties.roleArn) }),
    externalId: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'The external ID this server issued for the role. Leave it out on a new entry: plan/apply issue one, write it here ' +
          'and print the trust-policy statement for the role. It cannot change once the integration exists.',
      }),
    ),
  },
  { additionalProperties: false, description: describe(AWSBaseCredentials) },
);

const section = (schema: Parameters<typeof strictCopy>[0]) => Type.Optional(strictCopy(schema, { baseCredentials: Credentials }));

export const IntegrationEntry = Type.Object(
  {
    service: Type.String({ enum: ['CLOUDWATCH', 'CLOUDTRAIL', 'EC2'], description: 'The AWS service to collect; the section of the same name (cloudWatch, cloudTrail or ec2) holds its settings' }),
    serviceRefreshRateInMins: CloudIntegrationWrite.properties.serviceRefreshRateInMins,
    additionalTags: Type.Optional(StringMap({ description: 'Point tags added to every point this integration collects', maxProperties: 50, maxKeyLength: 128, maxValueLength: 256 })),
    forceSave: Type.Optional(Type.Boolean({ description: 'Create or change the role without first checking that Skyport can assume it (not compared, never stored)' })),
    cloudWatch: section(CloudWatchConfiguration),
    cloudTrail: section(CloudTrailConfiguration),
    ec2: section(EC2Configuration),
  },
  { additionalProperties: false, description: 'One integration; its name is the key above it' },
);
export type IntegrationEntry = Static<typeof IntegrationEntry>;

export const ProvisioningFile = Type.Object(
  {
    integrations: Type.Optional(
      Type.Unsafe<Record<string, IntegrationEntry>>({
        type: 'object',
        description: 'Integrations by name (names are unique in a file); entries on the server with other names are left alone unless --prune',
        additionalProperties: IntegrationEntry,
        propertyNames: { minLength: 1, maxLength: 256 },
        maxProperties: 10_000,
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Skyport provisioning file',
    description: 'What `skyport plan`, `skyport apply` and `skyport export` read and write: the integrations a Skyport server should have',
  },
);
export type ProvisioningFile = Static<typeof ProvisioningFile>;

export const FILE_SCHEMA_PATH = 'openapi/skyport-file.schema.json';

/** The published JSON Schema (draft-07, which editors' YAML plugins understand). */
export function fileJsonSchema(): string {
  const doc = { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(ProvisioningFile)) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
