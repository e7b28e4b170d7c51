/**
 * Finishing touches on the generated OpenAPI document that route schemas cannot express: parameters with a
 * default are optional, create/update carry one working example per service, and error responses are listed
 * by code with an example in the error envelope (so Swagger UI shows a 400 as documented, not "Undocumented").
 */

type Json = Record<string, any>;

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponse' };

export const EXTERNAL_ID_PLACEHOLDER = 'Ab3dEf6hIj9kLm2n';

const credentials = { roleArn: 'arn:aws:iam::123456789012:role/skyport-readonly', externalId: EXTERNAL_ID_PLACEHOLDER };
const issuedNote =
  ' Replace externalId with one POST /api/v2/cloudintegration/awsExternalId issued to you (Skyport accepts only its own). ' +
  'forceSave skips the AWS check of the role, so the example works before the role exists.';

/** One create body per service, each accepted by POST /api/v2/cloudintegration once its externalId is an issued one. */
export const CREATE_EXAMPLES: Record<'CLOUDWATCH' | 'EC2' | 'CLOUDTRAIL', { summary: string; description: string; value: Json }> = {
  CLOUDWATCH: {
    summary: 'CloudWatch metrics of EC2 and EBS',
    description: `CloudWatch metrics of two namespaces, every 5 minutes.${issuedNote}`,
    value: {
      name: 'prod account: CloudWatch',
      service: 'CLOUDWATCH',
      forceSave: true,
      serviceRefreshRateInMins: 5,
      cloudWatch: { baseCredentials: credentials, namespaces: ['AWS/EC2', 'AWS/EBS'], metricFilterRegex: '^aws\\.(ec2|ebs)\\..*$' },
    },
  },
  EC2: {
    summary: 'EC2 inventory ("AWS Metrics+")',
    description: `Instances and volumes with their tags; the source name from the Name tag.${issuedNote}`,
    value: {
      name: 'prod account: EC2',
      service: 'EC2',
      forceSave: true,
      ec2: { baseCredentials: credentials, hostNameTags: ['Name'] },
    },
  },
  CLOUDTRAIL: {
    summary: 'CloudTrail log files in S3',
    description: `The trail's bucket and region; write actions only (the default).${issuedNote}`,
    value: {
      name: 'prod account: CloudTrail',
      service: 'CLOUDTRAIL',
      forceSave: true,
      cloudTrail: { baseCredentials: credentials, bucketName: 'prod-cloudtrail-logs', region: 'us-east-1' },
    },
  },
};

const errorExample = (code: number, message: string) => ({ status: { result: 'ERROR', message, code } });

const ERRORS: Record<string, { name: string; description: string; message: string }> = {
  '400': { name: 'BadRequest', description: 'The request is invalid: the message names the field', message: 'body/name must NOT have fewer than 1 characters' },
  '401': { name: 'Unauthorized', description: 'No token, or an unknown or revoked one', message: 'missing API token: send Authorization: Bearer <token> or X-AUTH-TOKEN: <token>' },
  '403': { name: 'Forbidden', description: 'The token lacks the agent_management permission this write needs', message: 'this action needs the agent_management permission, which this token does not have' },
  '404': { name: 'NotFound', description: 'No such item for this customer', message: 'cloud integration 9f1a5099-bf1e-47af-a2d6-981a7e1624fe does not exist' },
  '413': { name: 'BodyTooLarge', description: 'The body is larger than SKYPORT_BODY_LIMIT', message: 'request body is larger than the 262144 bytes allowed' },
  '503': { name: 'Unavailable', description: 'AWS or the database cannot be reached, or the server is shutting down; retry after Retry-After', message: 'the server is shutting down; retry on another replica' },
};

export function finishDocument(doc: Json): Json {
  // Each error response once, in components, referenced by the operations it applies to.
  doc.components ??= {};
  doc.components.responses ??= {};
  for (const [code, { name, description, message }] of Object.entries(ERRORS)) {
    doc.components.responses[name] = { description, content: { 'application/json': { schema: ERROR_REF, example: errorExample(Number(code), message) } } };
  }
  for (const [path, item] of Object.entries(doc.paths ?? {}) as Array<[string, Json]>) {
    for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
      if (typeof op !== 'object' || !op.responses) continue;
      for (const parameter of op.parameters ?? []) {
        if (parameter.schema && 'default' in parameter.schema && parameter.in !== 'path') parameter.required = false;
      }
      if (op.operationId === 'createCloudIntegration' || op.operationId === 'updateCloudIntegration') {
        const media = op.requestBody?.content?.['application/json'];
        if (media) media.examples = CREATE_EXAMPLES;
      }
      if (!path.startsWith('/api/') || !op.responses['4XX']) continue;
      const isWrite = method !== 'get' && !path.startsWith('/api/v2/search/');
      const codes = ['400', '401', ...(isWrite ? ['403'] : []), ...(path.includes('{id}') ? ['404'] : []), ...(op.requestBody ? ['413'] : []), '503'];
      const responses: Json = {};
      for (const [code, response] of Object.entries(op.responses)) {
        responses[code] = response;
        if (code === '200') for (const c of codes) responses[c] = { $ref: `#/components/responses/${ERRORS[c].name}` };
      }
      op.responses = responses;
    }
  }
  return doc;
}
