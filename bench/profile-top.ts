// Where a profile's time or memory went: `npx tsx bench/profile-top.ts <file> [N]`.
// A .cpuprofile: the top N functions by self time, and self time by place (node_modules/<pkg>,
// our server/ folders, node internals). A .heapprofile (sampled allocations still alive when
// it stopped): the same by bytes, plus the top allocation stacks. Profiles come from
// BENCH_PROFILE (see run.ts).
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Node {
  id: number;
  callFrame: CallFrame;
  children: Node[];
  /** Heap profiles: bytes allocated here and alive. */
  selfSize?: number;
}
interface CpuProfile {
  nodes: Array<Omit<Node, 'children'> & { children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile|file.heapprofile> [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const heap = file.endsWith('.heapprofile');
const raw = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | { head: Node };

/** Every node with its self weight (µs or bytes) and its parent. */
const weight = new Map<Node, number>();
const parent = new Map<Node, Node>();
if ('head' in raw) {
  const walk = (n: Node) => {
    weight.set(n, n.selfSize ?? 0);
    for (const c of n.children) {
      parent.set(c, n);
      walk(c);
    }
  };
  walk(raw.head);
} else {
  const byId = new Map<number, Node>(raw.nodes.map((n) => [n.id, { ...n, children: [] }]));
  for (const n of raw.nodes) {
    for (const c of n.children ?? []) {
      byId.get(n.id)!.children.push(byId.get(c)!);
      parent.set(byId.get(c)!, byId.get(n.id)!);
    }
  }
  raw.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    weight.set(n, (weight.get(n) ?? 0) + (raw.timeDeltas[i] ?? 0));
  });
}
// The profiler's own start (inspector round trips) is not the server's work: leave it out.
const ancestors = (n: Node) => {
  const out: Node[] = [];
  for (let p = parent.get(n); p; p = parent.get(p)) out.push(p);
  return out;
};
for (const n of [...weight.keys()]) if ([n, ...ancestors(n)].some((a) => a.callFrame.url.endsWith('/bench/servers/profiler.ts'))) weight.delete(n);
const total = [...weight.values()].reduce((a, b) => a + b, 0);

function place(url: string): string {
  if (!url) return '(native/VM)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/(server|bench)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2].split('/').slice(0, -1).join('/') || '.'}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}
const label = ({ functionName, url, lineNumber }: CallFrame) =>
  `${functionName || '(anonymous)'}${url ? ` ${url.replace(/^.*\/(node_modules|server|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;

const fns = new Map<string, number>();
const places = new Map<string, number>();
const stacks = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
for (const [n, w] of weight) {
  if (!w) continue;
  add(fns, label(n.callFrame), w);
  add(places, place(n.callFrame.url), w);
  // The first frames of our code or a library above the allocation say who kept it.
  if (heap) add(stacks, [n, ...ancestors(n)].filter((a) => a.callFrame.url).slice(0, 4).map((a) => label(a.callFrame)).join(' < '), w);
}

const unit = (v: number) => (heap ? `${(v / 1024).toFixed(0).padStart(7)} KB` : `${(v / 1000).toFixed(0).padStart(7)} ms`);
const print = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${unit(v)}  ${k}`);
};
console.log(`${file}: ${unit(total).trim()} ${heap ? 'sampled, alive' : 'sampled'}`);
print(`${heap ? 'bytes' : 'self time'} by place`, places, 15);
print(`${heap ? 'bytes' : 'self time'} by function`, fns, top);
if (heap) print('bytes by allocation stack', stacks, top);
