import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { buildApp } from '../src/http/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { newId, randomToken } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from './helpers/databases.ts';
import { waitFor } from './helpers/wait.ts';

interface Node {
  ctx: AppContext;
  app: FastifyInstance;
}

const ADMIN = { accountId: newId(), role: 'admin' as const };

/**
 * Several application contexts on one database, as several processes would be: two "API
 * processes" sharing an in-process invalidation hub, and a writer outside it. The real
 * multi-process version (with PostgreSQL, NATS and Redis) is cache.processes.test.ts.
 */
describe.each(BACKENDS)('cache invalidation between processes on one bus (%s)', (backend) => {
  let databases: TestDatabases;
  const nodes: Node[] = [];
  let writer: Node;
  const hub = `test-${randomToken(6)}`;

  const start = async (options: { hub?: string; migrate?: boolean }): Promise<Node> => {
    const config = loadConfig({ LOG_LEVEL: 'silent', PGLITE_PATH: 'memory://', EVENTS_POLL_INTERVAL_MS: '20', PRODUCT_CACHE_SECONDS: '300' });
    const ctx = await createContext(config, {
      databases,
      logger: createLogger('silent'),
      collectDefaultMetrics: false,
      migrate: options.migrate ?? false,
      ...(options.hub ? { cacheHub: options.hub } : {}),
    });
    const app = await buildApp(ctx);
    await app.ready();
    return { ctx, app };
  };
  const price = async (node: Node, id: string) => (await node.app.inject({ method: 'GET', url: `/v1/products/${id}` })).json().price.amount as number;
  const origin = async (node: Node, id: string) => (await node.app.inject({ method: 'GET', url: `/v1/products/${id}` })).headers['x-origin-cache'];

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    writer = await start({ migrate: true });
    nodes.push(await start({ hub }), await start({ hub }));
  });
  afterAll(async () => {
    for (const node of [...nodes, writer]) {
      await node.app.close();
      await node.ctx.close();
    }
    await databases?.close();
  });

  it('drops the copies of every process when one of them writes', async () => {
    const { productIds: [id] } = await createCatalogFixture(writer.ctx, { price: 1000 });
    for (const node of nodes) await price(node, id!);
    for (const node of nodes) expect(await origin(node, id!)).toBe('l1');
    await nodes[0]!.ctx.services.catalog.updateProduct(ADMIN, id!, { price: { amount: 1100, currency: 'USD' } });
    expect(await Promise.all(nodes.map((node) => price(node, id!)))).toEqual([1100, 1100]);
  });

  it("carries another writer's change to every process through the cache invalidator", async () => {
    const { productIds: [id] } = await createCatalogFixture(writer.ctx, { price: 1000 });
    for (const node of nodes) await price(node, id!);
    await writer.ctx.services.catalog.updateProduct(ADMIN, id!, { price: { amount: 1200, currency: 'USD' } });
    expect(await Promise.all(nodes.map((node) => price(node, id!)))).toEqual([1000, 1000]);
    await nodes[0]!.ctx.events.start();
    try {
      await waitFor(() => Promise.all(nodes.map((node) => price(node, id!))), (prices) => prices.every((p) => p === 1200), 'both processes to show the new price', 5000);
    } finally {
      await nodes[0]!.ctx.events.stop();
    }
  });
});
