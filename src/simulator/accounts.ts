import { DEFAULT_REGIONS } from './regions.ts';
import {
  newAccessKeyId,
  newAccountId,
  newPrincipalId,
  newSecretAccessKey,
  newSessionToken,
  fnv1a,
} from './ids.ts';

/** An AWS account: its enabled regions and EC2 account attributes. */
export interface Account {
  id: string;
  regions: string[];
  attributes: Map<string, string[]>;
}

export interface IamUser {
  type: 'user';
  accountId: string;
  name: string;
  arn: string;
  /** AIDA… unique id (GetCallerIdentity UserId). */
  userId: string;
}

export interface Role {
  accountId: string;
  name: string;
  path: string;
  arn: string;
  /** AROA… unique id. */
  roleId: string;
  /** Trust policy principals: user/role ARNs, `arn:aws:iam::<acct>:root` (any principal of that account) or `*`. */
  trustedPrincipals: string[];
  /** Trust policy condition `sts:ExternalId` (StringEquals, any of); undefined = no condition. */
  externalIds: string[] | undefined;
  /** MaxSessionDuration (seconds), 3600 by default as in IAM. */
  maxSessionDuration: number;
}

export interface AssumedRolePrincipal {
  type: 'assumed-role';
  accountId: string;
  role: Role;
  sessionName: string;
  /** arn:aws:sts::<acct>:assumed-role/<role>/<session> */
  arn: string;
  /** <roleId>:<session> */
  userId: string;
  /** The principal that called AssumeRole. */
  sourceArn: string;
}

export type Principal = IamUser | AssumedRolePrincipal;

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials only. */
  sessionToken?: string;
  /** Temporary credentials only: epoch ms (simulator clock). */
  expiresAt?: number;
  principal: Principal;
}

export interface CreateAccountInput {
  id?: string;
  /** Enabled regions; default: every region that needs no opt-in. */
  regions?: string[];
  /** EC2 account attributes overriding the defaults (DescribeAccountAttributes). */
  attributes?: Record<string, string[]>;
}

export interface CreateUserInput {
  accountId: string;
  name: string;
  /** Use fixed keys (e.g. Skyport's configured base credentials); generated otherwise. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface UserCredentials {
  accountId: string;
  arn: string;
  userId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CreateRoleInput {
  accountId: string;
  name: string;
  /** e.g. `arn:aws:iam::111122223333:user/skyport` or `arn:aws:iam::111122223333:root`. */
  trustedPrincipals: string[];
  externalId?: string | string[];
  maxSessionDuration?: number;
  /** IAM path, `/` by default (`/service-role/` gives `role/service-role/<name>`). */
  path?: string;
}

export function defaultAccountAttributes(accountId: string): Map<string, string[]> {
  return new Map([
    ['supported-platforms', ['VPC']],
    ['default-vpc', [`vpc-${fnv1a(accountId).toString(16).padStart(8, '0')}${accountId.slice(-9)}`]],
    ['max-instances', ['20']],
    ['vpc-max-security-groups-per-interface', ['5']],
    ['max-elastic-ips', ['5']],
    ['vpc-max-elastic-ips', ['5']],
  ]);
}

const ACCOUNT_ID = /^\d{12}$/;

/** Accounts, IAM users, roles and access keys (long-term and temporary). */
export class IamStore {
  readonly accounts = new Map<string, Account>();
  readonly users = new Map<string, IamUser>(); // by ARN
  readonly roles = new Map<string, Role>(); // by ARN
  readonly keys = new Map<string, AccessKey>(); // by access key id
  private issued = 0;

  /** Creates an account, or updates the regions/attributes of an existing one. */
  createAccount(input: CreateAccountInput = {}): Account {
    const id = input.id ?? this.freshAccountId();
    if (!ACCOUNT_ID.test(id)) throw new Error(`account id must be 12 digits: ${id}`);
    let account = this.accounts.get(id);
    if (!account) {
      account = { id, regions: [...(input.regions ?? DEFAULT_REGIONS)], attributes: defaultAccountAttributes(id) };
      this.accounts.set(id, account);
    } else if (input.regions) {
      account.regions = [...input.regions];
    }
    for (const [name, values] of Object.entries(input.attributes ?? {})) account.attributes.set(name, [...values]);
    return account;
  }

  /** The account, created with defaults if it does not exist yet. */
  ensureAccount(id: string): Account {
    return this.accounts.get(id) ?? this.createAccount({ id });
  }

  requireAccount(id: string): Account {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`unknown account ${id}`);
    return account;
  }

  createUser(input: CreateUserInput): UserCredentials {
    this.ensureAccount(input.accountId);
    const arn = `arn:aws:iam::${input.accountId}:user/${input.name}`;
    let user = this.users.get(arn);
    if (!user) {
      user = { type: 'user', accountId: input.accountId, name: input.name, arn, userId: newPrincipalId('AIDA') };
      this.users.set(arn, user);
    }
    const key = this.addAccessKey(user, input.accessKeyId, input.secretAccessKey);
    return { accountId: user.accountId, arn, userId: user.userId, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }

  private addAccessKey(user: IamUser, accessKeyId?: string, secretAccessKey?: string): AccessKey {
    const id = accessKeyId ?? newAccessKeyId('AKIA');
    const existing = this.keys.get(id);
    if (existing && existing.principal.arn !== user.arn) throw new Error(`access key ${id} belongs to ${existing.principal.arn}`);
    const key: AccessKey = { accessKeyId: id, secretAccessKey: secretAccessKey ?? newSecretAccessKey(), principal: user };
    this.keys.set(id, key);
    return key;
  }

  /** Removes an access key (long-term or temporary): later calls with it fail as an unknown key. */
  deleteAccessKey(accessKeyId: string): boolean {
    return this.keys.delete(accessKeyId);
  }

  createRole(input: CreateRoleInput): Role {
    this.ensureAccount(input.accountId);
    const path = normalizePath(input.path);
    const arn = `arn:aws:iam::${input.accountId}:role${path}${input.name}`;
    const previous = this.roles.get(arn);
    const maxSessionDuration = input.maxSessionDuration ?? 3600;
    if (maxSessionDuration < 3600 || maxSessionDuration > 43200) throw new Error('maxSessionDuration must be 3600..43200');
    const role: Role = {
      accountId: input.accountId,
      name: input.name,
      path,
      arn,
      roleId: previous?.roleId ?? newPrincipalId('AROA'),
      trustedPrincipals: [...input.trustedPrincipals],
      externalIds: input.externalId === undefined ? undefined : [input.externalId].flat(),
      maxSessionDuration,
    };
    this.roles.set(arn, role);
    return role;
  }

  /** Changes a role's trust policy (principals and/or external id); `externalId: null` removes the condition. */
  updateRoleTrust(
    roleArn: string,
    change: { trustedPrincipals?: string[]; externalId?: string | string[] | null },
  ): Role {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`unknown role ${roleArn}`);
    if (change.trustedPrincipals) role.trustedPrincipals = [...change.trustedPrincipals];
    if (change.externalId === null) role.externalIds = undefined;
    else if (change.externalId !== undefined) role.externalIds = [change.externalId].flat();
    return role;
  }

  deleteRole(roleArn: string): boolean {
    return this.roles.delete(roleArn);
  }

  /**
   * IAM's "Revoke active sessions" of a role: every session issued for it stops working at once (calls with it are
   * refused as with an unknown key). Returns how many sessions went.
   */
  revokeSessions(roleArn: string): number {
    let n = 0;
    for (const [id, key] of this.keys) {
      if (key.principal.type === 'assumed-role' && key.principal.role.arn === roleArn) {
        this.keys.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Does the role's trust policy let `caller` assume it? */
  trusts(role: Role, caller: Principal): boolean {
    const root = `arn:aws:iam::${caller.accountId}:root`;
    return role.trustedPrincipals.some(
      (p) =>
        p === '*' ||
        p === root ||
        p === caller.arn ||
        (caller.type === 'assumed-role' && p === caller.role.arn),
    );
  }

  /** Issues temporary credentials for a role session. */
  issueSession(role: Role, sessionName: string, durationSeconds: number, source: Principal, now: number): AccessKey {
    const principal: AssumedRolePrincipal = {
      type: 'assumed-role',
      accountId: role.accountId,
      role,
      sessionName,
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
      userId: `${role.roleId}:${sessionName}`,
      sourceArn: source.arn,
    };
    const key: AccessKey = {
      accessKeyId: newAccessKeyId('ASIA'),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt: now + durationSeconds * 1000,
      principal,
    };
    this.keys.set(key.accessKeyId, key);
    // Long benchmarks issue many sessions: forget long-expired ones now and then.
    if (++this.issued % 10_000 === 0) this.pruneExpired(now);
    return key;
  }

  /** Drops temporary keys that expired more than `graceMs` ago (they would answer ExpiredToken until then). */
  pruneExpired(now: number, graceMs = 24 * 3600_000): number {
    let removed = 0;
    for (const [id, key] of this.keys) {
      if (key.expiresAt !== undefined && key.expiresAt + graceMs < now) {
        this.keys.delete(id);
        removed++;
      }
    }
    return removed;
  }

  private freshAccountId(): string {
    for (;;) {
      const id = newAccountId();
      if (!this.accounts.has(id)) return id;
    }
  }
}

function normalizePath(path: string | undefined): string {
  if (!path || path === '/') return '/';
  let p = path.startsWith('/') ? path : `/${path}`;
  if (!p.endsWith('/')) p += '/';
  return p;
}

/** `arn:aws:iam::123456789012:role/path/name` → the account id, or undefined if not a role ARN. */
export function parseRoleArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@\/-]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  return m ? { accountId: m[1], name: m[2] } : undefined;
}

