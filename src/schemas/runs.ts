import { Type, type Static } from 'typebox';
import { Envelope, Paged } from './common.ts';
import { ref } from './ref.ts';

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const CollectionRun = Type.Object(
  {
    id: Type.String({ description: 'Run id: a newer run of the integration has a larger number' }),
    integrationId: Type.String({ description: 'The integration the run collected' }),
    startTime: Type.Integer({ description: 'When the run started, epoch milliseconds' }),
    endTime: Type.Integer({ description: 'When its result was recorded, epoch milliseconds' }),
    replica: Type.String({ description: 'The Skyport replica that ran it (SKYPORT_REPLICA_ID)' }),
    status: Type.String({
      enum: ['ok', 'partial', 'credentials', 'transient', 'error'],
      description:
        'ok: everything collected; partial: some regions or namespaces failed (see error); credentials: AWS refused the role and the ' +
        'integration was disabled; transient: throttling, AWS 5xx or a timeout (retried with back-off); error: any other failure',
    }),
    series: Count('Series (CloudWatch, EC2) or events (CloudTrail) ingested: lastMetricCount of the integration'),
    events: Count('Events stored (CloudTrail actions)'),
    points: Count('Data points stored'),
    awsCalls: Type.Unsafe<Record<string, number>>({
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'AWS calls the run made, by service:API, e.g. {"cloudwatch:GetMetricData": 2, "ec2:DescribeInstances": 1}',
    }),
    error: Type.Optional(Type.String({ description: 'What failed, as AWS said it (absent on a clean run)' })),
  },
  { $id: 'CollectionRun', description: 'One finished collection of an integration' },
);
export type CollectionRunType = Static<typeof CollectionRun>;

export const PagedCollectionRun = Paged('PagedCollectionRun', ref(CollectionRun), 'A page of runs, newest first');
export const ResponseContainerPagedCollectionRun = Envelope(
  'ResponseContainerPagedCollectionRun',
  ref(PagedCollectionRun),
  'A page of runs in the response envelope',
);

export const CollectRequestResult = Type.Object(
  {
    queued: Type.Boolean({ description: 'True: the integration is due now and the next free scheduler takes it' }),
    run: Type.Optional(ref(CollectionRun)),
  },
  { $id: 'CollectRequestResult', description: 'A collection asked for now; with wait=true, the run that followed' },
);
export const ResponseContainerCollectRequestResult = Envelope(
  'ResponseContainerCollectRequestResult',
  ref(CollectRequestResult),
  'A collect-now answer in the response envelope',
);

export const CollectQuery = Type.Object({
  wait: Type.Boolean({ default: false, description: 'Answer only when the run has finished, with the run (waits at most 50 seconds)' }),
});
