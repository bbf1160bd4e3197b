import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALERT_GROUPS, allExpressions, GENERATED, OUTPUT_DIR } from '../scripts/observability.ts';
import { createTestDatabases, type TestDatabases } from './helpers/databases.ts';

/** promtool at PROMTOOL when set, else from /usr/bin or the PATH; undefined when it is not there. */
function findPromtool(): string | undefined {
  if (process.env.PROMTOOL) return fs.existsSync(process.env.PROMTOOL) ? process.env.PROMTOOL : undefined;
  if (fs.existsSync('/usr/bin/promtool')) return '/usr/bin/promtool';
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

const REQUIRED = process.env.REQUIRE_PROMTOOL === '1' || Boolean(process.env.CI);

describe('alert rules and dashboard (deploy/observability)', () => {
  it('are what scripts/observability.ts generates (run `npx tsx scripts/observability.ts` after changing it)', () => {
    for (const [file, render] of Object.entries(GENERATED)) {
      expect(fs.readFileSync(path.join(OUTPUT_DIR, file), 'utf8'), file).toBe(render());
    }
  });

  it('are well-formed alert rules: unique names, a duration, a severity, balanced expressions, the spec\'s thresholds', () => {
    const rules = ALERT_GROUPS.flatMap((g) => g.rules);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['page', 'ticket']).toContain(rule.severity);
      let depth = 0;
      for (const ch of rule.expr.replace(/"[^"]*"/g, '""')) {
        depth += ch === '(' || ch === '{' || ch === '[' ? 1 : ch === ')' || ch === '}' || ch === ']' ? -1 : 0;
        expect(depth, rule.expr).toBeGreaterThanOrEqual(0);
      }
      expect(depth, rule.expr).toBe(0);
      expect(rule.expr, 'compares with a threshold').toMatch(/[<>] [\d.]+( |$)/);
    }
    const expr = (name: string) => rules.find((r) => r.alert === name)!.expr;
    expect(expr('BazaarCheckoutErrorRateHigh')).toMatch(/> 0\.01$/);
    expect(expr('BazaarPaymentFailureRateHigh')).toMatch(/> 0\.05$/);
    expect(expr('BazaarInventoryDbSlow')).toMatch(/^histogram_quantile\(0\.99,.*> 0\.05$/);
    expect(expr('BazaarConsumerLagHigh')).toMatch(/> 1000$/);
    expect(expr('BazaarReservationTimeoutsSpike')).toContain('bazaar_inventory_reservations_expired_total');
  });

  it(`load in promtool and pass its unit tests (${REQUIRED ? 'required: REQUIRE_PROMTOOL or CI is set' : 'when promtool is installed'})`, () => {
    const promtool = findPromtool();
    if (!promtool) {
      // Without promtool the structural test above is what checks the rules; CI must have it.
      expect(REQUIRED, 'promtool is not installed but REQUIRE_PROMTOOL=1 or CI is set (apt-get install prometheus, or set PROMTOOL)').toBe(false);
      return;
    }
    execFileSync(promtool, ['check', 'rules', 'alerts.yml'], { cwd: OUTPUT_DIR, stdio: 'pipe' });
    const tests = spawnSync(promtool, ['test', 'rules', 'alerts.test.yml'], { cwd: OUTPUT_DIR, encoding: 'utf8' });
    expect(tests.status, `${tests.stdout}\n${tests.stderr}`).toBe(0);
  });

  describe('every metric they use', () => {
    let databases: TestDatabases;
    let ctx: AppContext;
    beforeAll(async () => {
      databases = await createTestDatabases('pglite');
      ctx = await createContext(loadConfig({ LOG_LEVEL: 'silent', PGLITE_PATH: 'memory://' }), { databases, logger: createLogger('silent'), collectDefaultMetrics: true });
    });
    afterAll(async () => {
      await ctx?.close();
      await databases?.close();
    });

    it('is registered by the app (a renamed metric breaks this test, not a dashboard in production)', async () => {
      const registered = new Set<string>();
      for (const metric of await ctx.metrics.registry.getMetricsAsJSON()) {
        registered.add(metric.name);
        if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) registered.add(metric.name + suffix);
      }
      const used = new Set(allExpressions().flatMap((e) => e.match(/\bbazaar_[a-z0-9_]+/g) ?? []));
      expect(used.size).toBeGreaterThan(15);
      const missing = [...used].filter((name) => !registered.has(name));
      expect(missing, `not registered: ${missing.join(', ')}`).toEqual([]);
    });
  });
});
