import { createHash } from 'node:crypto';
import { invalidParameterValue, SimError } from './errors.ts';
import { ec2Filters, FormParams, type WireFilter } from './form.ts';
import { INSTANCE_STATE_CODES, type Instance, type Tag, type Volume } from './inventory.ts';
import { isKnownRegion, isOptInRegion, KNOWN_REGIONS } from './regions.ts';
import type { CallContext, ServiceHandler, SimRequest, SimResponse } from './request.ts';
import { el, escapeXml, itemSet, wrap, XML_DECLARATION } from './xml.ts';

/** EC2 (ec2Query): form-encoded requests, `<XResponse>` XML with lowerCamel element names and `<item>` lists. */
const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const forms = new WeakMap<SimRequest, FormParams>();
function formOf(req: SimRequest): FormParams {
  let form = forms.get(req);
  if (!form) {
    form = new FormParams(req.body.toString('utf8'));
    forms.set(req, form);
  }
  return form;
}

function response(action: string, requestId: string, content: string): SimResponse {
  const body = `${XML_DECLARATION}<${action}Response xmlns="${XMLNS}"><requestId>${requestId}</requestId>${content}</${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** EC2 filter values may use `*` (any run) and `?` (one character). */
function valueMatcher(values: readonly string[]): (candidate: string | undefined) => boolean {
  const patterns = values.map((v) =>
    /[*?]/.test(v)
      ? new RegExp(`^${v.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's')
      : v,
  );
  return (candidate) =>
    candidate !== undefined && patterns.some((p) => (typeof p === 'string' ? p === candidate : p.test(candidate)));
}

type Accessor<T> = (item: T) => Array<string | undefined>;

/** Builds the predicate of a filter list (AND across filters, OR across values). */
function compileFilters<T extends { tags: Tag[] }>(filters: WireFilter[], fields: Record<string, Accessor<T>>): (item: T) => boolean {
  const tests = filters.map((f) => {
    const match = valueMatcher(f.values);
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (item: T) => item.tags.some((t) => t.Key === key && match(t.Value));
    }
    if (f.name === 'tag-key') return (item: T) => item.tags.some((t) => match(t.Key));
    if (f.name === 'tag-value') return (item: T) => item.tags.some((t) => match(t.Value));
    const field = fields[f.name];
    if (!field) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
    return (item: T) => field(item).some(match);
  });
  return (item) => tests.every((t) => t(item));
}

function fingerprint(form: FormParams): string {
  const parts = [...form.map.entries()].filter(([k]) => k !== 'NextToken' && k !== 'MaxResults').sort();
  return createHash('sha1').update(JSON.stringify(parts)).digest('base64').slice(0, 16);
}

/** MaxResults / NextToken paging over a filtered list. */
function paginate<T>(form: FormParams, items: readonly T[], idsGiven: boolean, idsParam: string): { page: readonly T[]; nextToken?: string } {
  const max = form.int('MaxResults');
  const token = form.get('NextToken');
  if (max !== undefined && idsGiven) {
    throw new SimError(400, 'InvalidParameterCombination', `The parameter ${idsParam} cannot be used with the parameter maxResults`);
  }
  if (max !== undefined && max < 5) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value greater than 5.`);
  if (max !== undefined && max > 1000) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value less than 1000.`);
  const fp = fingerprint(form);
  let offset = 0;
  if (token !== undefined) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
      if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0 || parsed.f !== fp) throw new Error('bad');
      offset = parsed.o;
    } catch {
      throw new SimError(400, 'InvalidPaginationToken', `Invalid pagination token: ${token}`);
    }
  }
  if (max === undefined && token === undefined) return { page: items };
  const size = max ?? 1000;
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(JSON.stringify({ o: offset + size, f: fp })).toString('base64') : undefined;
  return { page, nextToken: next };
}

const tagSet = (tags: readonly Tag[]): string => (tags.length === 0 ? '' : itemSet('tagSet', tags, (t) => el('key', t.Key) + el('value', t.Value)));

const INSTANCE_FILTERS: Record<string, Accessor<Instance>> = {
  'instance-id': (i) => [i.instanceId],
  'instance-type': (i) => [i.instanceType],
  'instance-state-name': (i) => [i.state],
  'instance-state-code': (i) => [String(INSTANCE_STATE_CODES[i.state])],
  'availability-zone': (i) => [i.availabilityZone],
  'instance-lifecycle': (i) => [i.lifecycle],
  'private-dns-name': (i) => [i.privateDnsName],
  'private-ip-address': (i) => [i.privateIpAddress],
  'image-id': (i) => [i.imageId],
  'reservation-id': (i) => [i.reservationId],
  'owner-id': (i) => [i.accountId],
  platform: (i) => [i.platform],
};

function renderInstance(i: Instance): string {
  return (
    el('instanceId', i.instanceId) +
    el('imageId', i.imageId) +
    wrap('instanceState', el('code', INSTANCE_STATE_CODES[i.state]) + el('name', i.state)) +
    el('privateDnsName', i.privateDnsName) +
    '<dnsName/>' +
    el('reason', i.state === 'stopped' ? 'User initiated' : '') +
    el('amiLaunchIndex', 0) +
    '<productCodes/>' +
    el('instanceType', i.instanceType) +
    el('launchTime', iso(i.launchTime)) +
    wrap('placement', el('availabilityZone', i.availabilityZone) + '<groupName/>' + el('tenancy', 'default')) +
    el('platform', i.platform) +
    wrap('monitoring', el('state', 'disabled')) +
    el('privateIpAddress', i.privateIpAddress) +
    el('instanceLifecycle', i.lifecycle) +
    tagSet(i.tags) +
    el('architecture', 'x86_64') +
    el('rootDeviceType', 'ebs') +
    el('rootDeviceName', '/dev/xvda') +
    el('virtualizationType', 'hvm') +
    el('hypervisor', 'xen')
  );
}

function describeInstances(ctx: CallContext): SimResponse {
  const form = formOf(ctx.req);
  const ids = form.list('InstanceId');
  for (const id of ids) {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new SimError(400, 'InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  let items = ctx.state.inventory.instancesIn(ctx.caller.accountId, ctx.region);
  if (ids.length > 0) {
    const wanted = new Set(ids);
    const found = items.filter((i) => wanted.has(i.instanceId));
    const missing = ids.filter((id) => !found.some((i) => i.instanceId === id));
    if (missing.length === 1) throw new SimError(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    if (missing.length > 1) throw new SimError(400, 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    items = found;
  }
  const predicate = compileFilters(ec2Filters(form), INSTANCE_FILTERS);
  const { page, nextToken } = paginate(form, items.filter(predicate), ids.length > 0, 'instancesSet');
  const reservations = new Map<string, Instance[]>();
  for (const i of page) {
    const list = reservations.get(i.reservationId);
    if (list) list.push(i);
    else reservations.set(i.reservationId, [i]);
  }
  const content =
    itemSet('reservationSet', [...reservations.entries()], ([reservationId, instances]) =>
      el('reservationId', reservationId) +
      el('ownerId', instances[0].accountId) +
      '<groupSet/>' +
      itemSet('instancesSet', instances, renderInstance),
    ) + el('nextToken', nextToken);
  return response('DescribeInstances', ctx.requestId, content);
}

const VOLUME_FILTERS: Record<string, Accessor<Volume>> = {
  'volume-id': (v) => [v.volumeId],
  status: (v) => [v.state],
  'volume-type': (v) => [v.volumeType],
  size: (v) => [String(v.size)],
  'availability-zone': (v) => [v.availabilityZone],
  encrypted: (v) => [String(v.encrypted)],
  'attachment.instance-id': (v) => v.attachments.map((a) => a.instanceId),
  'attachment.status': (v) => v.attachments.map((a) => a.state),
  'attachment.device': (v) => v.attachments.map((a) => a.device),
  'attachment.delete-on-termination': (v) => v.attachments.map((a) => String(a.deleteOnTermination)),
};

function renderVolume(v: Volume): string {
  return (
    el('volumeId', v.volumeId) +
    el('size', v.size) +
    '<snapshotId/>' +
    el('availabilityZone', v.availabilityZone) +
    el('status', v.state) +
    el('createTime', iso(v.createTime)) +
    itemSet('attachmentSet', v.attachments, (a) =>
      el('volumeId', v.volumeId) +
      el('instanceId', a.instanceId) +
      el('device', a.device) +
      el('status', a.state) +
      el('attachTime', iso(a.attachTime)) +
      el('deleteOnTermination', a.deleteOnTermination),
    ) +
    tagSet(v.tags) +
    el('volumeType', v.volumeType) +
    el('iops', v.iops) +
    el('encrypted', v.encrypted) +
    el('multiAttachEnabled', false)
  );
}

function describeVolumes(ctx: CallContext): SimResponse {
  const form = formOf(ctx.req);
  const ids = form.list('VolumeId');
  let items = ctx.state.inventory.volumesIn(ctx.caller.accountId, ctx.region);
  if (ids.length > 0) {
    for (const id of ids) {
      if (!/^vol-[0-9a-f]{8,17}$/.test(id)) throw new SimError(400, 'InvalidVolumeID.Malformed', `Invalid id: "${id}"`);
    }
    const found = items.filter((v) => ids.includes(v.volumeId));
    const missing = ids.filter((id) => !found.some((v) => v.volumeId === id));
    if (missing.length > 0) throw new SimError(400, 'InvalidVolume.NotFound', `The volume '${missing[0]}' does not exist.`);
    items = found;
  }
  const predicate = compileFilters(ec2Filters(form), VOLUME_FILTERS);
  const { page, nextToken } = paginate(form, items.filter(predicate), ids.length > 0, 'volumeSet');
  return response('DescribeVolumes', ctx.requestId, itemSet('volumeSet', page, renderVolume) + el('nextToken', nextToken));
}

function describeRegions(ctx: CallContext): SimResponse {
  const form = formOf(ctx.req);
  const account = ctx.state.iam.requireAccount(ctx.caller.accountId);
  const enabled = new Set(account.regions);
  const all = form.bool('AllRegions') === true;
  const names = form.list('RegionName');
  for (const n of names) if (!isKnownRegion(n)) throw invalidParameterValue(`Invalid region: ${n}`);
  type Row = { name: string; status: string; endpoint: string; tags: Tag[] };
  const rows: Row[] = KNOWN_REGIONS.filter((r) => all || enabled.has(r.name) || names.includes(r.name))
    .filter((r) => names.length === 0 || names.includes(r.name))
    .map((r) => ({
      name: r.name,
      endpoint: `ec2.${r.name}.amazonaws.com`,
      status: !isOptInRegion(r.name) ? 'opt-in-not-required' : enabled.has(r.name) ? 'opted-in' : 'not-opted-in',
      tags: [],
    }));
  const predicate = compileFilters<Row>(ec2Filters(form), {
    'region-name': (r) => [r.name],
    endpoint: (r) => [r.endpoint],
    'opt-in-status': (r) => [r.status],
  });
  const content = itemSet('regionInfo', rows.filter(predicate), (r) =>
    el('regionName', r.name) + el('regionEndpoint', r.endpoint) + el('optInStatus', r.status),
  );
  return response('DescribeRegions', ctx.requestId, content);
}

function describeAccountAttributes(ctx: CallContext): SimResponse {
  const form = formOf(ctx.req);
  const account = ctx.state.iam.requireAccount(ctx.caller.accountId);
  const names = form.list('AttributeName');
  for (const n of names) {
    if (!account.attributes.has(n)) throw invalidParameterValue(`Value (${n}) for parameter attributeName is invalid. Unknown attribute.`);
  }
  const selected = [...account.attributes.entries()].filter(([n]) => names.length === 0 || names.includes(n));
  const content = itemSet('accountAttributeSet', selected, ([name, values]) =>
    el('attributeName', name) + itemSet('attributeValueSet', values, (v) => el('attributeValue', v)),
  );
  return response('DescribeAccountAttributes', ctx.requestId, content);
}

const OPERATIONS: Record<string, (ctx: CallContext) => SimResponse> = {
  DescribeInstances: describeInstances,
  DescribeVolumes: describeVolumes,
  DescribeRegions: describeRegions,
  DescribeAccountAttributes: describeAccountAttributes,
};

export const ec2: ServiceHandler = {
  service: 'ec2',
  operation: (req) => formOf(req).get('Action') ?? 'Unknown',
  handle(ctx) {
    const op = OPERATIONS[ctx.api];
    if (!op) throw new SimError(400, 'InvalidAction', `The action ${ctx.api} is not valid for this web service.`);
    if (formOf(ctx.req).bool('DryRun') === true) {
      throw new SimError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    }
    return op(ctx);
  },
  renderError(err, requestId) {
    const body =
      `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    return { status: err.status, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
  },
};
