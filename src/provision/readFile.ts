import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { SkyportError } from '../errors.ts';
import { CONFIG_KEY } from '../schemas/cloudIntegration.ts';
import { readIntegrationInput } from '../services/api/integrationInput.ts';
import type { CloudIntegrationWrite } from '../schemas/cloudIntegration.ts';
import { ProvisioningFile, type IntegrationEntry } from './fileSchema.ts';

/** Files larger than this are refused before parsing: a provisioning file is text a person edits. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface LoadedFile {
  path: string;
  doc: Document;
  lines: LineCounter;
  content: ProvisioningFile;
}

export interface FileProblem {
  line: number;
  column: number;
  field: string;
  message: string;
}

/** All problems of a file, each with its line and field; thrown by loadFile. */
export class FileProblems extends SkyportError {
  constructor(readonly path: string, readonly problems: FileProblem[]) {
    super(400, 'BAD_FILE', problems.map((p) => `${path}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(ProvisioningFile);

/** Where a path (keys from the root) is written in the file: the key itself for the last segment. */
function locate(doc: Document, lines: LineCounter, path: Array<string | number>): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair) break;
    offset = (pair.key as { range?: number[] }).range?.[0] ?? offset;
    node = pair.value;
  }
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

const dotted = (path: Array<string | number>) => path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

function schemaProblem(doc: Document, lines: LineCounter, e: ErrorObject): FileProblem {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return { ...locate(doc, lines, [...path, key]), field: dotted([...path, key]), message: 'unknown field' };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { ...locate(doc, lines, path), field: dotted([...path, missing]), message: 'is required' };
  }
  const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
  return { ...locate(doc, lines, path), field: dotted(path), message: `${e.message ?? 'is not valid'}${allowed}` };
}

/** The API body an entry stands for (what create and update send). */
export function entryBody(name: string, entry: IntegrationEntry): CloudIntegrationWrite {
  const body: Record<string, unknown> = { name, service: entry.service };
  if (entry.serviceRefreshRateInMins !== undefined) body.serviceRefreshRateInMins = entry.serviceRefreshRateInMins;
  if (entry.additionalTags !== undefined) body.additionalTags = entry.additionalTags;
  if (entry.forceSave) body.forceSave = true;
  const key = CONFIG_KEY[entry.service as keyof typeof CONFIG_KEY];
  if (entry[key] !== undefined) body[key] = entry[key];
  return body as CloudIntegrationWrite;
}

/**
 * The server's own rules on an entry (regular expressions, role ARN form, bucket and region names, tag
 * expressions), run here so a mistake is reported with its line before anything is sent.
 */
function ruleProblems(file: LoadedFile): FileProblem[] {
  const problems: FileProblem[] = [];
  for (const [name, entry] of Object.entries(file.content.integrations ?? {})) {
    const base = ['integrations', name];
    const own = CONFIG_KEY[entry.service as keyof typeof CONFIG_KEY];
    for (const other of Object.values(CONFIG_KEY)) {
      if (other !== own && entry[other] !== undefined) {
        problems.push({ ...locate(file.doc, file.lines, [...base, other]), field: dotted([...base, other]), message: `does not belong to service ${entry.service} (its settings go under ${own})` });
      }
    }
    try {
      readIntegrationInput(entryBody(name, entry), 'update');
    } catch (err) {
      if (!(err instanceof SkyportError)) throw err;
      // The server's messages start with the field they are about, e.g. "cloudWatch.metricFilterRegex is not …".
      const m = /^([A-Za-z]\w*(?:\.[A-Za-z]\w*)*)\s+(.*)$/s.exec(err.message);
      const path = m && m[1].includes('.') ? m[1].split('.') : [];
      const message = m && path.length > 0 ? m[2] : err.message;
      problems.push({ ...locate(file.doc, file.lines, [...base, ...path]), field: dotted([...base, ...path]), message });
    }
  }
  return problems;
}

/** Reads, parses and checks a provisioning file; throws FileProblems listing every problem with its line. */
export async function loadFile(path: string): Promise<LoadedFile> {
  let text: string;
  try {
    const buffer = await readFile(path);
    if (buffer.length > MAX_FILE_BYTES) throw new SkyportError(400, 'BAD_FILE', `${path} is larger than ${MAX_FILE_BYTES} bytes`);
    text = buffer.toString('utf8');
  } catch (err) {
    if (err instanceof SkyportError) throw err;
    throw new SkyportError(400, 'BAD_FILE', `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseFile(path, text);
}

export function parseFile(path: string, text: string): LoadedFile {
  const lines = new LineCounter();
  // Plain YAML 1.2 core schema: no custom tags, no merge keys, aliases bounded (no billion laughs).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: false, schema: 'core' });
  if (doc.errors.length > 0) {
    throw new FileProblems(path, doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { line: pos.line, column: pos.col, field: '', message: e.message.split('\n')[0] };
    }));
  }
  const content = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as unknown;
  if (!validate(content)) {
    throw new FileProblems(path, (validate.errors ?? []).map((e) => schemaProblem(doc, lines, e)));
  }
  const file: LoadedFile = { path, doc, lines, content: content as ProvisioningFile };
  const problems = ruleProblems(file);
  if (problems.length > 0) throw new FileProblems(path, problems);
  return file;
}
