import type { Db } from '../../../db/client.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { AwsAccess } from '../../collection/aws/access.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { createSubscriptionAccess } from './access.ts';
import { createKeyDeletionWorker } from './deletions.ts';
import { createSubscriptionService } from './service.ts';

/** The subscriptions side: the request rules (`service`) and the durable key deletions (`deletions`, started with the server). */
export function createSubscriptions(deps: { db: Db; clock: Clock; access: AwsAccess; secrets: SecretBox; log?: { warn(obj: object, msg?: string): void } }) {
  const access = createSubscriptionAccess(deps);
  return {
    service: createSubscriptionService({ db: deps.db, clock: deps.clock, access }),
    deletions: createKeyDeletionWorker({ db: deps.db, clock: deps.clock, access, log: deps.log }),
  };
}
