import type { Config } from '../platform/config.ts';
import type { Redis } from 'ioredis';
import { MemoryCache, RedisCache, createRedis, type Cache } from '../platform/cache.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { openDatabases, type Databases } from '../platform/database.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { migrateToLatest } from '../platform/migrations.ts';
import { Metrics } from '../platform/metrics.ts';
import { IdentityService } from '../modules/identity/index.ts';
import { createEventRuntime, type EventRuntime } from '../modules/events/index.ts';
import { CatalogService, FamiliesService } from '../modules/catalog/index.ts';
import { CartService } from '../modules/cart/index.ts';
import { SearchService, searchConsumers } from '../modules/search/index.ts';
import { InventoryService } from '../modules/inventory/index.ts';
import type { CheckoutFaults } from '../modules/checkout/index.ts';
import { createBuyPath } from './buy-path.ts';
import { createOrderLifecycle, registerOrderLifecycleConsumers } from './order-lifecycle.ts';
import { createSearchFeed } from './search-feed.ts';
import { MODULE_SCHEMAS } from './schemas.ts';

export interface Services {
  identity: IdentityService;
  catalog: CatalogService;
  families: FamiliesService;
  cart: CartService;
  search: SearchService;
  inventory: InventoryService;
  payments: BuyPath['payments'];
  paymentProvider: BuyPath['paymentProvider'];
  orders: BuyPath['orders'];
  delivery: BuyPath['delivery'];
  checkout: BuyPath['checkout'];
  cancellation: BuyPath['cancellation'];
  fulfillment: OrderLifecycle['fulfillment'];
  carrierWebhooks: OrderLifecycle['carrierWebhooks'];
  notifications: OrderLifecycle['notifications'];
}

type BuyPath = ReturnType<typeof createBuyPath>;
type OrderLifecycle = ReturnType<typeof createOrderLifecycle>;

/** The composition root: the one place that knows every module and wires them together. */
export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  databases: Databases;
  cache: Cache;
  /** The process's one Redis client (cache, rate limits, counters) when REDIS_URL is set; closed by `close()`. */
  redis?: Redis;
  metrics: Metrics;
  services: Services;
  /** Event relay, bus and consumers. Cheap until `events.start()` (worker role); modules register consumers on it. */
  events: EventRuntime;
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** Already-open databases (tests pass a fresh one per suite). */
  databases?: Databases;
  migrate?: boolean;
  collectDefaultMetrics?: boolean;
  /** Test seam: fault injection between checkout saga steps. */
  checkoutFaults?: CheckoutFaults;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const databases = options.databases ?? (await openDatabases(config));
  if (options.migrate !== false) await migrateToLatest(databases, MODULE_SCHEMAS);
  const redis = config.redisUrl ? createRedis(config.redisUrl) : undefined;
  const cache: Cache = redis
    ? new RedisCache(redis, `${config.redisKeyPrefix}cache:`, (error) => logger.warn({ err: error }, 'cache unavailable'))
    : new MemoryCache();
  const metrics = new Metrics(options.collectDefaultMetrics ?? true);
  const services = createServices(config, databases, clock, cache, logger, options.checkoutFaults);
  const events = createEventRuntime({ config, databases, logger, metrics, clock });
  for (const consumer of searchConsumers(services.search)) events.registerConsumer(consumer);
  registerOrderLifecycleConsumers(events, services, databases);
  return {
    config,
    logger,
    clock,
    databases,
    cache,
    ...(redis ? { redis } : {}),
    metrics,
    services,
    events,
    async close() {
      await events.close();
      await cache.close();
      redis?.disconnect();
      if (!options.databases) await databases.close();
    },
  };
}

function createServices(config: Config, databases: Databases, clock: Clock, cache: Cache, logger: Logger, checkoutFaults?: CheckoutFaults): Services {
  const identity = new IdentityService(databases.main, clock, { sessionTtlHours: config.sessionTtlHours });
  const catalog = new CatalogService(databases.main, clock, cache, { productCacheSeconds: config.productCacheSeconds });
  const families = new FamiliesService(databases.main, clock);
  // The cart prices lines from the catalog's database reads (findProducts never serves from cache).
  const cart = new CartService(databases.main, clock, catalog, {
    maxLines: config.cartMaxLines,
    maxQuantity: config.cartMaxQuantity,
    expiryDays: config.cartExpiryDays,
  });
  const inventory = new InventoryService(databases.inventory, clock, {
    lowStockThreshold: config.lowStockThreshold,
    reservationTtlSeconds: config.reservationTtlSeconds,
    singletonLocks: databases.kind === 'postgres',
  });
  // Search reads the catalog and approximate availability through its ProductFeed port.
  const search = new SearchService(databases.main, createSearchFeed(catalog, inventory), {
    clock,
    logger: logger.child({ module: 'search' }),
    cache,
    facetCacheSeconds: config.searchFacetCacheSeconds,
  });
  const buyPath = createBuyPath(config, databases, clock, logger, { inventory, cart, catalog, addresses: identity }, cache, checkoutFaults);
  const orderLifecycle = createOrderLifecycle(config, databases, clock, logger, { orders: buyPath.orders, delivery: buyPath.delivery, inventory });
  return { identity, catalog, families, cart, search, inventory, ...buyPath, ...orderLifecycle };
}
