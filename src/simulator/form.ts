import { invalidParameterValue } from './errors.ts';

/**
 * A decoded `application/x-www-form-urlencoded` awsQuery / ec2Query body with helpers for the
 * flattened list encodings (`Filter.1.Name`, `Filter.1.Value.1`, `InstanceId.1`, `Tags.member.1.Key`).
 */
export class FormParams {
  readonly map = new Map<string, string>();

  constructor(body: string) {
    for (const part of body.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const rawKey = eq < 0 ? part : part.slice(0, eq);
      const rawValue = eq < 0 ? '' : part.slice(eq + 1);
      this.map.set(decodeFormComponent(rawKey), decodeFormComponent(rawValue));
    }
  }

  get(name: string): string | undefined {
    return this.map.get(name);
  }

  /** An integer parameter; a malformed value is InvalidParameterValue. */
  int(name: string): number | undefined {
    const raw = this.map.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw invalidParameterValue(`Value (${raw}) for parameter ${name} is invalid.`);
    return Number(raw);
  }

  bool(name: string): boolean | undefined {
    const raw = this.map.get(name);
    return raw === undefined ? undefined : raw === 'true';
  }

  /** Values of `prefix.1`, `prefix.2`, … (stops at the first gap). */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.map.get(`${prefix}.${i}`);
      if (v === undefined) return out;
      out.push(v);
    }
  }

  /** Indexes 1..n for which some key starts with `prefix.i.`. */
  indexes(prefix: string): number[] {
    const out: number[] = [];
    for (let i = 1; ; i++) {
      const head = `${prefix}.${i}.`;
      let found = false;
      for (const key of this.map.keys()) {
        if (key.startsWith(head)) {
          found = true;
          break;
        }
      }
      if (!found) return out;
      out.push(i);
    }
  }
}

function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalidParameterValue(`Malformed query string component: ${text}`);
  }
}

/** An EC2 filter as sent on the wire: `Filter.N.Name` and `Filter.N.Value.M`. */
export interface WireFilter {
  name: string;
  values: string[];
}

export function ec2Filters(params: FormParams): WireFilter[] {
  return params.indexes('Filter').map((i) => ({
    name: params.get(`Filter.${i}.Name`) ?? '',
    values: params.list(`Filter.${i}.Value`),
  }));
}
