import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { buildApp } from '../src/http/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { registerCustomer, uniqueEmail } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS, createTestDatabases, initializedDataDir, type Backend, type TestDatabases } from './helpers/databases.ts';

interface Running {
  ctx: AppContext;
  app: FastifyInstance;
}

/** A process's worth of application: it opens its own databases from the environment, as `bazaar serve` does. */
async function start(env: Record<string, string>): Promise<Running> {
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const ctx = await createContext(config, { logger: createLogger('silent'), collectDefaultMetrics: false });
  const app = await buildApp(ctx);
  await app.ready();
  return { ctx, app };
}

async function stop(running: Running): Promise<void> {
  await running.app.close();
  await running.ctx.close();
}

describe.each(BACKENDS)('state survives a restart (%s)', (backend: Backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    if (backend === 'pglite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-restart-'));
      // initdb of a fresh directory was most of this test's time, and what pushed it past its timeout under load.
      await initializedDataDir(path.join(dir, 'pglite'));
      env = { PGLITE_PATH: path.join(dir, 'pglite') };
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    } else {
      // Only to create (and finally drop) a fresh database; the app instances connect by URL themselves.
      const databases: TestDatabases = await createTestDatabases('postgres', { split: false });
      env = { DATABASE_URL: databases.urls!.main };
      cleanup = () => databases.close();
    }
  });
  afterAll(async () => cleanup?.());

  it('keeps accounts, sessions and carts across a full shutdown', async () => {
    const email = uniqueEmail('restart');
    const password = 'correct horse battery';
    const first = await start(env);
    const register = await first.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password, name: 'Restart' } });
    expect(register.statusCode).toBe(201);
    const oldAuth = { authorization: `Bearer ${register.json().token}` };
    const { productIds } = await createCatalogFixture(first.ctx, { products: 2, price: 1250 });
    for (const [i, id] of productIds.entries()) {
      const added = await first.app.inject({ method: 'POST', url: '/v1/cart/items', headers: oldAuth, payload: { product_id: id, quantity: i + 1 } });
      expect(added.statusCode).toBe(201);
    }
    const before = (await first.app.inject({ method: 'GET', url: '/v1/cart', headers: oldAuth })).json();
    expect(before.item_count).toBe(3);
    await stop(first);

    const second = await start(env);
    try {
      const login = await second.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
      expect(login.statusCode).toBe(200);
      const newAuth = { authorization: `Bearer ${login.json().token}` };
      for (const auth of [newAuth, oldAuth]) {
        const cart = await second.app.inject({ method: 'GET', url: '/v1/cart', headers: auth });
        expect(cart.statusCode).toBe(200);
        expect(cart.json()).toEqual(before);
      }
      expect(before.subtotal).toEqual({ amount: 3 * 1250, currency: 'USD' });
      // Still writable after the restart: the line sums onto what was stored.
      const more = await second.app.inject({ method: 'POST', url: '/v1/cart/items', headers: newAuth, payload: { product_id: productIds[0], quantity: 1 } });
      expect(more.json().items[0].quantity).toBe(2);
      // Someone else starting fresh on the restarted instance sees an empty cart.
      const stranger = await registerCustomer(second.app);
      expect((await second.app.inject({ method: 'GET', url: '/v1/cart', headers: stranger.auth })).json().items).toEqual([]);
    } finally {
      await stop(second);
    }
  });
});
