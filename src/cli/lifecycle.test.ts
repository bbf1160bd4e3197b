import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.ts';
import { onShutdownSignal } from './lifecycle.ts';

const logger = createLogger('silent');

function harness(repeatWindowMs = 2000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let clock = 0;
  let finishDrain!: () => void;
  let drains = 0;
  const drained = onShutdownSignal(
    logger,
    () => {
      drains++;
      return new Promise<void>((resolve) => (finishDrain = resolve));
    },
    { signals, exit: (code) => exits.push(code), now: () => clock, repeatWindowMs, exitGraceMs: 60_000 },
  );
  return {
    signals,
    exits,
    drained,
    advance: (ms: number) => (clock += ms),
    finish: () => finishDrain(),
    drains: () => drains,
  };
}

describe('shutdown on signals', () => {
  it('drains once for a signal and its echo (process-group SIGTERM through npm, Ctrl+C), and never exits early', async () => {
    const h = harness();
    h.signals.emit('SIGTERM', 'SIGTERM');
    h.advance(5);
    h.signals.emit('SIGTERM', 'SIGTERM');
    h.advance(300);
    h.signals.emit('SIGINT', 'SIGINT');
    expect(h.drains()).toBe(1);
    expect(h.exits).toEqual([]);
    h.finish();
    await h.drained;
    expect(h.exits).toEqual([]);
  });

  it('exits at once on a deliberate second interrupt after the grace window', () => {
    const h = harness(2000);
    h.signals.emit('SIGINT', 'SIGINT');
    h.advance(2500);
    h.signals.emit('SIGINT', 'SIGINT');
    expect(h.drains()).toBe(1);
    expect(h.exits).toEqual([130]);
  });

  it('keeps listening after the first signal, so a repeat never falls through to the default (killing) action', () => {
    const h = harness();
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(h.signals.listenerCount('SIGTERM')).toBe(1);
    expect(h.signals.listenerCount('SIGINT')).toBe(1);
  });
});
