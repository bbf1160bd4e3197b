import { describe, expect, it } from 'vitest';
import { BarChart, niceCeiling } from './chart.tsx';

describe('server-drawn bar chart', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 250, 999, 1001].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 500, 1000, 2000]);
  });

  it('draws one bar per point, heights in proportion, a tooltip each, and labels anchored on the last day', async () => {
    const points = Array.from({ length: 14 }, (_, i) => ({ label: `d${i}`, value: i === 13 ? 10 : i === 12 ? 5 : 0 }));
    const svg = String(await BarChart({ id: 'c', title: 'Orders per day', points, format: (n) => String(n), integer: true }));
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(14);
    expect(heights[13]).toBeCloseTo(heights[12]! * 2, 0);
    expect(svg).toContain('<title>d13: 10</title>');
    expect(svg).toContain('>d13</text>');
    expect(svg).not.toContain('>d12</text>');
    expect(svg).toContain('Orders per day: 15 in 14 days');
  });

  it('keeps whole-number axes whole', async () => {
    const svg = String(await BarChart({ id: 'c', title: 'Orders', points: [{ label: 'a', value: 1 }], format: (n) => String(n), integer: true }));
    expect(svg).not.toContain('>0.5<');
  });
});
