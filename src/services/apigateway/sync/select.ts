import { RE2JS } from 're2js';
import type { ListedApi, ListedStage } from './observed.ts';

export interface Selection {
  apiTypes: string[];
  stages: { include: string[]; exclude: string[] };
  apiFilter: { nameRegex?: string; tags?: Record<string, string> };
}

/** A stage glob: `*` matches any run of characters, everything else itself (case-sensitive, as stage names are). */
export function globMatches(glob: string, text: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === text;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** A stage is kept when it matches an include and no exclude (Gravitee's stage filter). */
export function stageSelected(name: string, stages: Selection['stages']): boolean {
  const include = stages.include.length > 0 ? stages.include : ['*'];
  return include.some((g) => globMatches(g, name)) && !stages.exclude.some((g) => globMatches(g, name));
}

/** The connection's `apiFilter` as a predicate: the name regex (RE2, case-insensitive, unanchored) and every tag. */
export function apiFilterOf(filter: Selection['apiFilter']): (api: Pick<ListedApi, 'name' | 'tags'>) => boolean {
  const regex = filter.nameRegex ? RE2JS.compile(filter.nameRegex, RE2JS.CASE_INSENSITIVE) : undefined;
  const tags = Object.entries(filter.tags ?? {});
  return (api) => (regex === undefined || regex.matcher(api.name).find()) && tags.every(([k, v]) => api.tags[k] === v);
}

export function selectStages(stages: ListedStage[], selection: Selection): ListedStage[] {
  return stages.filter((s) => stageSelected(s.name, selection.stages));
}
