/**
 * `npm run cluster`: the production topology on this machine (deploy/local-cluster/README.md).
 * Starts everything on random ports under a temp dir, prints the URLs, and stops it all on
 * Ctrl+C or SIGTERM. Options: --apis N (default 2), --workers M (default 2), --products P (default 200).
 */
import { parseArgs } from 'node:util';
import { startTopology, type Topology } from './topology.ts';

const { values } = parseArgs({ options: { apis: { type: 'string' }, workers: { type: 'string' }, products: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write('usage: npm run cluster -- [--apis N] [--workers M] [--products P]\n');
  process.exit(0);
}
const count = (raw: string | undefined, fallback: number, name: string) => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    process.stderr.write(`--${name} must be an integer from 1 to 16\n`);
    process.exit(2);
  }
  return n;
};

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
let topology: Topology | undefined;
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: draining the API processes and stopping everything…\n`);
  await topology?.stop();
  process.stdout.write('stopped\n');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  topology = await startTopology({
    apis: count(values.apis, 2, 'apis'),
    workers: count(values.workers, 2, 'workers'),
    products: values.products === undefined ? 200 : Number(values.products),
    progress: (step) => process.stdout.write(`[${elapsed()}] starting ${step}…\n`),
  });
} catch (error) {
  process.stderr.write(`the cluster did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
if (stopping) process.exit(0);
process.stdout.write(`\nBazaar cluster up in ${elapsed()}:\n`);
for (const [name, url] of Object.entries(topology.urls())) process.stdout.write(`  ${name.padEnd(16)} ${url}\n`);
process.stdout.write('Press Ctrl+C to stop.\n');
setInterval(() => undefined, 1 << 30);
