// Measuring helpers of bench:scheduler: process CPU from /proc, PostgreSQL's CPU (the postmaster's process tree),
// Prometheus text from the replicas' /metrics, percentiles.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ, 100 on Linux

interface ProcStat {
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
  /** cutime + cstime (children waited for), seconds. */
  childCpu: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, childCpu: (Number(f[13]) + Number(f[14])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a live process has used; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  return procStat(pid)?.cpu ?? NaN;
}

/** Busy and total jiffies of the whole machine, as seconds of CPU time. */
export function machineCpu(): { busy: number; total: number } {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function children(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.ppid === ppid) out.push(Number(name));
  }
  return out;
}

/**
 * PostgreSQL's CPU, sampled every `everyMs` while running: `all` is the whole server (postmaster + every child,
 * including children that exited, through the postmaster's cutime/cstime), so it also counts other databases'
 * work on a shared server; `ours` adds up the backends whose command line names our database (connections
 * closed between two samples lose at most one interval).
 */
export function pgCpuSampler(postmasterPid: number, databaseName: string, everyMs = 2000) {
  const seen = new Map<number, { first: number; last: number }>();
  // Backends alive at reset() count from their CPU then; backends first seen later were forked since: from 0.
  const tree = (baseline: boolean) => {
    const pm = procStat(postmasterPid);
    if (!pm) return NaN;
    let total = pm.cpu + pm.childCpu;
    for (const pid of children(postmasterPid)) {
      const s = procStat(pid);
      if (!s) continue;
      total += s.cpu;
      if (cmdline(pid).includes(` ${databaseName} `)) {
        const e = seen.get(pid);
        if (e) e.last = s.cpu;
        else seen.set(pid, { first: baseline ? s.cpu : 0, last: s.cpu });
      }
    }
    return total;
  };
  let start = tree(true);
  const timer = setInterval(() => tree(false), everyMs);
  timer.unref();
  return {
    reset() {
      seen.clear();
      start = tree(true);
    },
    read(): { all: number; ours: number } {
      const all = tree(false) - start;
      let ours = 0;
      for (const e of seen.values()) ours += e.last - e.first;
      return { all, ours };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** The postmaster of a backend (its parent), or of the given data directory's postmaster.pid. */
export function postmasterOf(backendPid: number): number | undefined {
  const s = procStat(backendPid);
  return s?.ppid;
}

export function postmasterFromDataDir(dir: string): number | undefined {
  const file = `${dir}/postmaster.pid`;
  if (!existsSync(file)) return undefined;
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

// ---------------------------------------------------------------------------------------------------------
// Prometheus text

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) for (const l of m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

export function sum(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Sums of `name` grouped by one label. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[s.labels[label] ?? ''] = (out[s.labels[label] ?? ''] ?? 0) + s.value;
  return out;
}

/** Cumulative histogram buckets (le → count) of `name`, over every label set; differences of two reads allowed. */
export function buckets(samples: Sample[], name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** The upper bound of the bucket holding quantile q (what a histogram can tell). */
export function histogramQuantile(b: Map<number, number>, q: number): number {
  const les = [...b.keys()].sort((x, y) => x - y);
  const total = b.get(Infinity) ?? 0;
  if (total === 0) return NaN;
  for (const le of les) if ((b.get(le) ?? 0) >= q * total) return le;
  return Infinity;
}

export function diffBuckets(after: Map<number, number>, before: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, v] of after) out.set(le, v - (before.get(le) ?? 0));
  return out;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

// ---------------------------------------------------------------------------------------------------------
// Everyone else on the machine (the benchmark shares it): CPU by process during the window

/** utime + stime (s, its waited-for children included) and a short label of every process now. */
export function allProcesses(): Map<number, { label: string; cpu: number }> {
  const out = new Map<number, { label: string; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const s = procStat(pid);
    if (!s) continue;
    const args = cmdline(pid).trim().split(' ').filter((a) => a !== '');
    let label = args[0]?.split('/').pop() ?? '?';
    if (label === 'node') label = `node ${args.filter((a) => !a.startsWith('-') && a !== 'tsx' && !a.includes('node_modules/tsx')).slice(1, 3).join(' ')}`;
    else if (label.startsWith('postgres')) label = 'postgres';
    // Children that ended and were waited for count with their parent (test runners, npm scripts, …).
    out.set(pid, { label: label.slice(0, 80), cpu: s.cpu + s.childCpu });
  }
  return out;
}

/** CPU seconds by label between two snapshots (processes born in between count from 0), largest first. */
export function processDelta(before: Map<number, { label: string; cpu: number }>, after: Map<number, { label: string; cpu: number }>, exclude: Set<number>) {
  const by = new Map<string, number>();
  for (const [pid, a] of after) {
    if (exclude.has(pid)) continue;
    const d = a.cpu - (before.get(pid)?.cpu ?? 0);
    if (d > 0) by.set(a.label, (by.get(a.label) ?? 0) + d);
  }
  return [...by.entries()].sort((x, y) => y[1] - x[1]);
}

/** /proc/stat time split (seconds): user, system, irq+softirq, steal, idle+iowait. */
export function machineSplit(): Record<string, number> {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number).map((x) => x / CLK_TCK);
  return { user: v[0] + v[1], system: v[2], irq: v[5] + v[6], steal: v[7] ?? 0, idle: v[3] + v[4] };
}
