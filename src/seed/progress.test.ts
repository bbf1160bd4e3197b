import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) }, chunks };
}

describe('createProgress', () => {
  it('prints one line per 10 % step when not on a terminal', () => {
    const { stream, chunks } = capture(false);
    let time = 0;
    const progress = createProgress('Seeding', 1000, stream, () => time);
    for (let done = 0; done <= 1000; done += 10) {
      time += 5;
      progress.update(done);
    }
    progress.done();
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('Seeding: 0% 0/1,000 (0.0 s)');
    expect(lines[5]).toMatch(/^Seeding: 50% 500\/1,000 /);
    expect(lines[10]).toMatch(/^Seeding: 100% 1,000\/1,000 \(0\.5 s\) done$/);
    expect(chunks.join('')).not.toContain('\r');
  });

  it('redraws one line on a terminal, at most every 100 ms, and ends it with a newline', () => {
    const { stream, chunks } = capture(true);
    let time = 0;
    const progress = createProgress('Seeding', 100, stream, () => time);
    progress.update(1);
    time += 50;
    progress.update(2);
    time += 60;
    progress.update(3);
    progress.done();
    const output = chunks.join('');
    expect(chunks.filter((c) => c.startsWith('\r'))).toHaveLength(3);
    expect(output).toContain('  3% 3/100');
    expect(output).not.toContain('  2% 2/100');
    expect(output.endsWith('done\x1b[K\n')).toBe(true);
    expect(output.split('\n')).toHaveLength(2);
  });

  it('ignores updates after done', () => {
    const { stream, chunks } = capture(false);
    const progress = createProgress('Work', 10, stream, () => 0);
    progress.done();
    const count = chunks.length;
    progress.update(5);
    progress.done();
    expect(chunks).toHaveLength(count);
  });
});
