import { describe, it } from 'vitest';

type Args<T> = T extends readonly unknown[] ? T : [T];

/**
 * `describe.each` for suites that need a server named by a TEST_* variable (PostgreSQL for real
 * concurrency, NATS for JetStream). Without any case the suite is still there, reported as
 * skipped with what it needs, so `npm test` on a laptop with no server passes instead of
 * failing on a file with no suite. CI sets the variables, and then every case runs.
 */
export function describeEach<T>(cases: readonly T[], needs: string, title: string, body: (...args: Args<T>) => void): void {
  if (cases.length === 0) {
    describe.skip(`${title.replace(/\s*\([^)]*%s[^)]*\)/g, '')} (needs ${needs})`, () => {
      it(`runs when ${needs} is set`, () => {});
    });
    return;
  }
  describe.each(cases as T[])(title, body as (...args: unknown[]) => void);
}

/** What the concurrency suites need: a PostgreSQL server (PGlite is one connection and hides races). */
export const NEEDS_POSTGRES = 'TEST_DATABASE_URL (races exist only on a real PostgreSQL server)';
export const NEEDS_NATS = 'TEST_NATS_URL (a NATS JetStream server)';
