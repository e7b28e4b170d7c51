/** Regions the simulator knows; `optIn` regions are disabled unless an account enables them. */
export interface RegionInfo {
  name: string;
  optIn: boolean;
}

export const KNOWN_REGIONS: readonly RegionInfo[] = [
  { name: 'us-east-1', optIn: false },
  { name: 'us-east-2', optIn: false },
  { name: 'us-west-1', optIn: false },
  { name: 'us-west-2', optIn: false },
  { name: 'ca-central-1', optIn: false },
  { name: 'eu-west-1', optIn: false },
  { name: 'eu-west-2', optIn: false },
  { name: 'eu-west-3', optIn: false },
  { name: 'eu-central-1', optIn: false },
  { name: 'eu-north-1', optIn: false },
  { name: 'ap-northeast-1', optIn: false },
  { name: 'ap-northeast-2', optIn: false },
  { name: 'ap-northeast-3', optIn: false },
  { name: 'ap-southeast-1', optIn: false },
  { name: 'ap-southeast-2', optIn: false },
  { name: 'ap-south-1', optIn: false },
  { name: 'sa-east-1', optIn: false },
  { name: 'af-south-1', optIn: true },
  { name: 'ap-east-1', optIn: true },
  { name: 'eu-south-1', optIn: true },
  { name: 'me-south-1', optIn: true },
];

const BY_NAME = new Map(KNOWN_REGIONS.map((r) => [r.name, r]));

export const isKnownRegion = (name: string): boolean => BY_NAME.has(name);
export const isOptInRegion = (name: string): boolean => BY_NAME.get(name)?.optIn ?? false;

/** The default enabled regions of a new account: every region that needs no opt-in. */
export const DEFAULT_REGIONS: readonly string[] = KNOWN_REGIONS.filter((r) => !r.optIn).map((r) => r.name);

/** `us-east-1a` → `us-east-1`. */
export function regionOfZone(zone: string): string {
  return /[a-z]$/.test(zone) ? zone.slice(0, -1) : zone;
}
