import { optionalUserRegex } from '../../../lib/userRegex.ts';
import type { ListedApi, ListedStage } from './observed.ts';

export interface Selection {
  apiTypes: string[];
  stages: { include: string[]; exclude: string[] };
  apiFilter: { nameRegex?: string; tags?: Record<string, string> };
}

/**
 * A stage glob: `*` matches any run of characters, `?` one character, everything else itself (case-sensitive,
 * as stage names are). Greedy matching with one back-track point: linear in practice, at worst
 * glob × name steps, both bounded by validation (128 characters).
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === text[t])) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      mark = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

/** A stage is kept when it matches an include and no exclude (Gravitee's stage filter). */
export function stageSelected(name: string, stages: Selection['stages']): boolean {
  const include = stages.include.length > 0 ? stages.include : ['*'];
  return include.some((g) => globMatches(g, name)) && !stages.exclude.some((g) => globMatches(g, name));
}

/** The connection's `apiFilter` as a predicate: the name regex (RE2, case-insensitive, unanchored) and every tag. */
export function apiFilterOf(filter: Selection['apiFilter']): (api: Pick<ListedApi, 'name' | 'tags'>) => boolean {
  const regex = optionalUserRegex(filter.nameRegex, 'apiFilter.nameRegex', 'anywhere');
  const tags = Object.entries(filter.tags ?? {});
  return (api) => (regex === undefined || regex.test(api.name)) && tags.every(([k, v]) => api.tags[k] === v);
}

export function selectStages(stages: ListedStage[], selection: Selection): ListedStage[] {
  return stages.filter((s) => stageSelected(s.name, selection.stages));
}
