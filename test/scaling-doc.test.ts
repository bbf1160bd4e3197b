import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, readNodeFigures, renderScaling, SCALING_DOC } from '../scripts/scaling-table.ts';

describe('docs/SCALING.md', () => {
  it('is generated from the current docs/BENCHMARKS.md (npx tsx scripts/scaling-table.ts)', () => {
    expect(fs.readFileSync(SCALING_DOC, 'utf8')).toBe(generate());
  });

  it('sizes the fleet from the per-node figures: doubling a node\'s throughput halves the nodes', () => {
    const figures = readNodeFigures(fs.readFileSync(new URL('../docs/BENCHMARKS.md', import.meta.url), 'utf8'));
    const nodes = (text: string, label: string) => Number(/\*\*([\d,]+)\*\*/.exec(text.split('\n').find((l) => l.startsWith(`| ${label}`))!)![1]!.replaceAll(',', ''));
    const base = renderScaling(figures);
    const faster = renderScaling({ ...figures, productReads: { ...figures.productReads, rps: figures.productReads.rps * 2 }, checkouts: { ...figures.checkouts, rps: figures.checkouts.rps * 2 } });
    expect(nodes(faster, 'product views | 500,000/s | CDN hit ratio 0 %')).toBe(Math.ceil(nodes(base, 'product views | 500,000/s | CDN hit ratio 0 %') / 2));
    expect(nodes(faster, 'orders')).toBeLessThan(nodes(base, 'orders'));
  });
});
