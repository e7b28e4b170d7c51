// Summarises V8 .cpuprofile files (from `node --cpu-prof`): top functions by self time, by inclusive time,
// and self time by origin (a package under node_modules, a file of src/, node internals, GC, idle).
//   npx tsx bench/cpu-top.ts <file.cpuprofile> [...more] [--top 30] [--windows windows.json]
// --windows: {"windows": [[startUs, endUs], ...], "requests": n}, CLOCK_MONOTONIC intervals and the requests
// answered in them (bench:api --cpu-prof writes <pid>.windows.json next to each profile: that server's measured runs).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from: a package, a src/ or bench/ file, node internals, or a V8 pseudo-frame. */
export function origin(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)' || functionName === '(idle)' || functionName === '(program)') return functionName;
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:internals';
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url;
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url ? `${origin(f)}:${f.lineNumber + 1}` : ''}`.trim();

/**
 * `windows`: only samples inside these [start, end] intervals count, in µs of CLOCK_MONOTONIC, which is the clock
 * of the profile's timestamps and of process.hrtime() in any process on the machine (the benchmark passes the
 * intervals of its measured runs, leaving out start-up and warm-up).
 */
export function summarise(profile: CpuProfile, top = 25, windows?: Array<[number, number]>, requests?: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    if (windows && !windows.some(([from, to]) => t >= from && t <= to)) continue;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + us);
    const o = origin(node.callFrame);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + us);
    // Inclusive: every distinct function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  // With the number of requests answered in the windows, each line also shows main-thread µs per request.
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%${requests ? ` ${(us / requests).toFixed(1).padStart(6)} µs/req` : ''}`;
  const table = (title: string, m: Map<string, number>, n: number) =>
    [`  ${title}`, ...[...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `    ${pct(us)}  ${k}`)].join('\n');
  return [
    `  busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled${windows ? ' in the measured runs' : ''} (percentages are of busy time)` +
      (requests ? `; ${requests} requests, ${(busy / requests).toFixed(1)} µs busy per request` : ''),
    table('self time by origin', byOrigin, 20),
    table('self time by function', self, top),
    table('inclusive time by function', new Map([...inclusive].filter(([k]) => !k.startsWith('(root)'))), top),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, windows: { type: 'string' } },
  });
  const measured = values.windows ? (JSON.parse(readFileSync(values.windows, 'utf8')) as { windows: Array<[number, number]>; requests: number }) : undefined;
  for (const file of positionals) {
    console.log(`== ${basename(file)}`);
    console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top), measured?.windows, measured?.requests));
  }
}
