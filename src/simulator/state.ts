import { IamStore } from './accounts.ts';
import { ApiGatewayStore } from './apigateway/store.ts';
import { InventoryStore } from './inventory.ts';
import { LogStore } from './logs/store.ts';
import { MetricStore } from './metric-store.ts';
import { ObjectStore } from './objects.ts';

/** Everything the simulated AWS holds. */
export class SimState {
  readonly iam = new IamStore();
  readonly inventory = new InventoryStore();
  readonly metrics = new MetricStore();
  readonly objects = new ObjectStore();
  readonly apigateway = new ApiGatewayStore();
  readonly logs = new LogStore();
}
