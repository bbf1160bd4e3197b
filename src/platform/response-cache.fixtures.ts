import pino from 'pino';
import type { CachePolicy, RenderedResponse } from './response-cache.ts';

/** A render whose calls are counted and which can be held until released. */
export function renderer(body = 'v1') {
  let version = body;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const state = {
    calls: 0,
    fail: false,
    set body(next: string) {
      version = next;
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      open?.();
      gate = undefined;
    },
    render: async (): Promise<RenderedResponse> => {
      state.calls++;
      const seen = version;
      if (gate) await gate;
      if (state.fail) throw new Error('database down');
      return { status: 200, contentType: 'application/json', body: JSON.stringify({ v: seen }) };
    },
  };
  return state;
}

export const policy = (key: string, tags: string[] = [`product:${key}`]): CachePolicy => ({ key, tags, ttlSeconds: 20, staleSeconds: 5, errorSeconds: 300 });
export const bodyOf = (lookup: { response: { body: Buffer } }) => JSON.parse(lookup.response.body.toString()).v as string;
export const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

export function memoryLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

