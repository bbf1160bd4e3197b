import type { Config } from '../platform/config.ts';
import type { Redis } from 'ioredis';
import { MemoryCache, RedisCache, createRedis, redisReady, type Cache } from '../platform/cache.ts';
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
import { AnalyticsService } from '../modules/analytics/index.ts';
import type { CheckoutFaults } from '../modules/checkout/index.ts';
import { createBuyPath } from './buy-path.ts';
import { observeCarts, observeCheckout, observeOrders } from './business-metrics.ts';
import { traceBuyPath } from './tracing.ts';
import { createOrderLifecycle, registerOrderLifecycleConsumers } from './order-lifecycle.ts';
import { createSearchFeed } from './search-feed.ts';
import { MODULE_SCHEMAS } from './schemas.ts';
import { createBrowseCache, type BrowseCache } from './browse-cache.ts';
import { cacheInvalidatorConsumer, catalogChangeListener } from './cache-invalidator.ts';
import { ProductPages } from './product-pages.ts';
import { ViewCounter } from './popularity.ts';
import type { CatalogChangeListener } from '../modules/catalog/index.ts';

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
  analytics: AnalyticsService;
  /** Browse reads behind product pages, lists and the category tree. */
  productPages: ProductPages;
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
  /** Cached responses of the browse path and their invalidation (this process, Redis, other processes, CDN). */
  browse: BrowseCache;
  /** Product page views, for cache warming. */
  views: ViewCounter;
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
  /** What this process runs, recorded in the embedded database's lock ("all", "seed"…). */
  command?: string;
  /** Test seam: contexts given the same hub share in-process cache invalidations, like processes on one bus. */
  cacheHub?: string;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const databases = options.databases ?? (await openDatabases(config, options.command ? { command: options.command } : {}));
  if (options.migrate !== false) await migrateToLatest(databases, MODULE_SCHEMAS);
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : undefined;
  // The first requests should not meet a client still connecting (sign-in would refuse them); a Redis that is down is waited for briefly.
  if (redis && !(await redisReady(redis, 5000))) logger.warn('Redis did not answer within 5 s; starting without it until it does');
  const cache: Cache = redis ? new RedisCache(redis, `${config.redisKeyPrefix}cache:`) : new MemoryCache();
  const metrics = new Metrics(options.collectDefaultMetrics ?? true);
  const statements = databases.statements;
  if (statements) metrics.counterOf('bazaar_db_statements_total', 'SQL statements executed by this process (all databases)', statements);
  const browse = createBrowseCache({ config, clock, databases, logger, metrics, ...(redis ? { redis } : {}), ...(options.cacheHub ? { localHub: options.cacheHub } : {}) });
  const services = createServices(config, databases, clock, cache, logger, metrics, catalogChangeListener(browse, logger), options.checkoutFaults);
  browse.attach({
    evictProducts: async (ids) => {
      await Promise.all([...ids.map((id) => services.catalog.evictCachedProduct(id)), services.productPages.evictAvailability(ids)]);
    },
  });
  await browse.start();
  const views = new ViewCounter(redis, config.redisKeyPrefix, logger);
  const events = createEventRuntime({ config, databases, logger, metrics, clock });
  for (const consumer of searchConsumers(services.search)) events.registerConsumer(consumer);
  registerOrderLifecycleConsumers(events, services, databases);
  events.registerConsumer(cacheInvalidatorConsumer(browse));
  return {
    config,
    logger,
    clock,
    databases,
    cache,
    ...(redis ? { redis } : {}),
    metrics,
    browse,
    views,
    services,
    events,
    async close() {
      await services.analytics.close();
      await events.close();
      await views.close();
      await browse.close();
      await cache.close();
      redis?.disconnect();
      if (!options.databases) await databases.close();
    },
  };
}

function createServices(
  config: Config,
  databases: Databases,
  clock: Clock,
  cache: Cache,
  logger: Logger,
  metrics: Metrics,
  catalogChanges: CatalogChangeListener,
  checkoutFaults?: CheckoutFaults,
): Services {
  const identity = new IdentityService(databases.main, clock, { sessionTtlHours: config.sessionTtlHours });
  const catalog = new CatalogService(databases.main, clock, cache, { productCacheSeconds: config.productCacheSeconds, changes: catalogChanges, readDb: databases.read });
  const families = new FamiliesService(databases.main, clock, catalogChanges);
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
    metrics,
  });
  // Search reads the catalog and approximate availability through its ProductFeed port.
  const search = new SearchService(databases.main, createSearchFeed(catalog, inventory, families), {
    clock,
    logger: logger.child({ module: 'search' }),
    cache,
    metrics,
    facetCacheSeconds: config.searchFacetCacheSeconds,
    engineKind: config.searchEngine,
    syncIntervalMs: config.searchSyncIntervalMs,
    readDb: databases.read,
  });
  const buyPath = createBuyPath(config, databases, clock, logger, { inventory, cart, catalog, addresses: identity }, cache, checkoutFaults);
  observeCheckout(buyPath.checkout, metrics);
  observeOrders(buyPath.orders, metrics);
  observeCarts(cart, metrics, clock, logger);
  traceBuyPath({ ...buyPath, inventory, cart });
  const orderLifecycle = createOrderLifecycle(config, databases, clock, logger, { orders: buyPath.orders, delivery: buyPath.delivery, inventory });
  // Product views are buffered in memory and written in batches, off the page's path.
  const analytics = new AnalyticsService(databases.main, clock, logger.child({ module: 'analytics' }), metrics, { flushIntervalMs: 5000 });
  const productPages = new ProductPages({ catalog, families, inventory, identity, delivery: buyPath.delivery, cache, logger });
  return { identity, catalog, families, cart, search, inventory, ...buyPath, ...orderLifecycle, analytics, productPages };
}
