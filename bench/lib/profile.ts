import fs from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) this reads. */
interface CpuProfile {
  startTime: number;
  endTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled milliseconds, idle excluded. */
  busyMs: number;
  /** Share of busy time by where the code lives. */
  byArea: { area: string; share: number }[];
  /** The functions with the most self time. */
  top: { name: string; share: number }[];
}

/** Where a frame's code lives, in words a reader of the report understands. */
function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)' || name === '(root)') return 'V8 and native (program)';
  if (url.includes('/src/')) return 'Bazaar (src/)';
  if (url.includes('node_modules/fastify/') || url.includes('node_modules/find-my-way/') || url.includes('node_modules/light-my-request/') || url.includes('@fastify/')) return 'Fastify';
  if (url.includes('node_modules/pino') || url.includes('node_modules/sonic-boom')) return 'logging (pino)';
  if (url.includes('node_modules/prom-client')) return 'metrics (prom-client)';
  if (url.includes('node_modules/lru-cache')) return 'lru-cache';
  if (url.includes('node_modules/')) return 'other libraries';
  if (url.startsWith('node:') || url === '') return 'Node.js core (http, net, streams)';
  return 'other';
}

function label(url: string, name: string, line: number): string {
  const file = url ? url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/') : '';
  return `${name || '(anonymous)'}${file ? ` ${file}:${line + 1}` : ''}`;
}

/**
 * Self time per area and the top functions of the newest `.cpuprofile` in `dir`, counting
 * only the last `windowSeconds` before the profile ends (the load, not start-up).
 */
export function summarizeProfile(dir: string, windowSeconds: number, topN = 12): ProfileSummary | undefined {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  if (files.length === 0) return undefined;
  // The main thread's profile is the largest (tsx also profiles its loader thread).
  const main = files.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
  const profile = JSON.parse(fs.readFileSync(main, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const from = profile.endTime - windowSeconds * 1_000_000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = label(frame.url, frame.functionName, frame.lineNumber);
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const share = (us: number) => (busy > 0 ? us / busy : 0);
  return {
    busyMs: busy / 1000,
    byArea: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, share: share(us) })),
    top: [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([name, us]) => ({ name, share: share(us) })),
  };
}

export function describeProfile(summary: ProfileSummary): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `CPU profile of the API process under the hot load (${Math.round(summary.busyMs).toLocaleString('en-US')} ms busy, idle excluded), self time by area:`,
    '',
    '| area | share |',
    '| --- | ---: |',
    ...summary.byArea.map((a) => `| ${a.area} | ${pct(a.share)} |`),
    '',
    'Functions with the most self time:',
    '',
    '| function | share |',
    '| --- | ---: |',
    ...summary.top.map((f) => `| \`${f.name.replaceAll('|', '\\|')}\` | ${pct(f.share)} |`),
  ];
}
