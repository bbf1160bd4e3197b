import { isIP } from 'node:net';
import path from 'node:path';

/**
 * Every setting Bazaar reads, from environment variables only. Each is validated at
 * start-up: a bad value stops the process with a message naming the variable.
 */
export interface Config {
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  /** PostgreSQL URL; when absent the embedded PGlite database under `pglitePath` is used. */
  databaseUrl?: string;
  inventoryDatabaseUrl?: string;
  ordersDatabaseUrl?: string;
  /** A streaming replica of DATABASE_URL for catalog and search reads only (never cart, checkout, orders or inventory). */
  databaseReadUrl?: string;
  /** The replica is skipped (reads go to the primary) while it is this many seconds or more behind. */
  databaseReadMaxLagSeconds: number;
  /** Directory of the embedded database, or `memory://` for a throwaway in-memory one. */
  pglitePath: string;
  dbPoolSize: number;
  /** `redis://`, `rediss://` or `redis+sentinel://[:password@]host:port,host:port/<master name>` (REDIS_SENTINELS folds into the last form). */
  redisUrl?: string;
  /** Sentinel `host:port` list (REDIS_SENTINELS); when set without REDIS_URL, `redisUrl` is the equivalent redis+sentinel:// URL. */
  redisSentinels?: string;
  redisSentinelName: string;
  /** Prefix of every Redis key (cache, rate limits, counters), so several deployments (or test runs) share one Redis. */
  redisKeyPrefix: string;
  /** One NATS URL, or several separated by commas (the nodes of a cluster). */
  natsUrl?: string;
  /** Replicas of the JetStream stream (3 on a 3-node cluster: R3). */
  natsStreamReplicas: number;
  /** Prefix of JetStream stream, subject and durable names, so several deployments (or test runs) share one NATS. */
  natsStreamPrefix: string;
  eventsPollIntervalMs: number;
  eventsAckWaitMs: number;
  eventsMaxDeliver: number;
  eventsRetryBaseMs: number;
  eventsPartitions: number;
  sessionTtlHours: number;
  cartMaxLines: number;
  cartMaxQuantity: number;
  cartExpiryDays: number;
  lowStockThreshold: number;
  productCacheSeconds: number;
  categoryCacheSeconds: number;
  cacheStaleSeconds: number;
  cacheStaleIfErrorSeconds: number;
  cacheL1MaxMb: number;
  cacheL1Seconds: number;
  /** CDN nodes told about invalidations (BAN/PURGE) and warmed (GET). */
  cdnPurgeUrls: string[];
  cacheWarmIntervalSeconds: number;
  cacheWarmTop: number;
  demoSeedProducts: number;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  loginAttemptsPerAccount: number;
  /** Which proxies' X-Forwarded-For to believe for the client address: none (false), the nearest N hops, or these addresses/CIDRs. */
  trustProxy: false | number | string[];
  /** Origins (scheme://host[:port]) a browser storefront may call the API from, credentials included; empty = no CORS. */
  corsOrigins: string[];
  /** Serve /metrics on this port instead of the API port. */
  metricsPort?: number;
  /** Require `Authorization: Bearer <token>` on /metrics. */
  metricsToken?: string;
  /** The `worker` role's own listener (/healthz, /readyz, /metrics); unset = none. */
  workerPort?: number;
  /** OTLP/HTTP collector for traces; unset = tracing off. */
  otelExporterOtlpEndpoint?: string;
  /** service.name of the spans; default bazaar-<role>. */
  otelServiceName?: string;
  reservationTtlSeconds: number;
  sweepIntervalSeconds: number;
  paymentTimeoutMs: number;
  paymentMaxAttempts: number;
  paymentRetryBaseMs: number;
  sagaRecoveryIntervalSeconds: number;
  sagaStaleSeconds: number;
  defaultPurchaseLimit: number;
  searchFacetCacheSeconds: number;
  searchEngine: 'memory' | 'postgres';
  searchSyncIntervalMs: number;
  sandboxSlowMs: number;
  /** Per-carrier HMAC secrets of carrier webhooks; demo secrets outside production when unset. */
  carrierWebhookSecrets: Record<string, string>;
  carrierWebhookToleranceSeconds: number;
  simulatorStepSeconds: number;
  /** NODE_ENV=production: demo conveniences (demo carrier secrets, the sandbox human check) are off. */
  production: boolean;
  /** A CAPTCHA provider's siteverify endpoint; unset = the sandbox check outside production. */
  challengeVerifyUrl?: string;
  challengeSecret?: string;
  challengeSiteKey?: string;
  challengeTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

const isProduction = (env: Env) => env.NODE_ENV === 'production';

export class ConfigError extends Error {}

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  description: string;
  parse: (raw: string | undefined, env: Env) => Config[K];
}

const integer =
  (min: number, max: number, fallback: number) =>
  (name: string) =>
  (raw: string | undefined): number => {
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
    return value;
  };

const urlWithScheme =
  (name: string, schemes: string[]) =>
  (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw === '') return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`${name} is not a valid URL`);
    }
    if (!schemes.includes(url.protocol)) throw new ConfigError(`${name} must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
    return raw;
  };

const postgresUrl = (name: string) => urlWithScheme(name, ['postgres:', 'postgresql:']);

const natsUrls =
  (name: string) =>
  (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const entries = raw.split(',').map((e) => e.trim());
    for (const entry of entries) {
      if (!entry) throw new ConfigError(`${name} has an empty entry`);
      urlWithScheme(name, ['nats:', 'tls:'])(entry);
    }
    return entries.join(',');
  };

/** `host:port` pairs separated by commas (REDIS_SENTINELS and the hosts of a redis+sentinel:// URL). */
export function parseHostPorts(name: string, raw: string): { host: string; port: number }[] {
  return raw.split(',').map((entry) => {
    const match = /^\s*(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new ConfigError(`${name} must list host:port pairs separated by commas, not "${entry.trim()}"`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  /** The master's name as the Sentinels know it. */
  name: string;
  password?: string;
}

/** Parses `redis+sentinel://[:password@]host:port,host:port/<master name>`. */
export function parseSentinelUrl(name: string, raw: string): SentinelTarget {
  const match = /^redis\+sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/]+)\/([A-Za-z0-9_.-]+)\/?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} as a Sentinel URL must look like redis+sentinel://host:26379,host:26380/mymaster`);
  return { sentinels: parseHostPorts(name, match[2]!), name: match[3]!, ...(match[1] ? { password: decodeURIComponent(match[1]) } : {}) };
}

const redisUrl = (name: string) => (raw: string | undefined, env: Env): string | undefined => {
  if ((raw === undefined || raw === '') && env.REDIS_SENTINELS) {
    const sentinels = parseHostPorts('REDIS_SENTINELS', env.REDIS_SENTINELS);
    const master = env.REDIS_SENTINEL_NAME || 'mymaster';
    if (!/^[A-Za-z0-9_.-]+$/.test(master)) throw new ConfigError('REDIS_SENTINEL_NAME must be letters, digits, _ . or -');
    return `redis+sentinel://${sentinels.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).join(',')}/${master}`;
  }
  if (raw?.startsWith('redis+sentinel:')) {
    parseSentinelUrl(name, raw);
    return raw;
  }
  return urlWithScheme(name, ['redis:', 'rediss:'])(raw);
};

const urlList =
  (name: string) =>
  (raw: string | undefined): string[] => {
    if (raw === undefined || raw.trim() === '') return [];
    return raw.split(',').map((entry) => {
      const url = urlWithScheme(name, ['http:', 'https:'])(entry.trim());
      if (!url) throw new ConfigError(`${name} has an empty entry`);
      return url;
    });
  };

const optionalText = () => (raw: string | undefined) => raw || undefined;

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An IPv4/IPv6 address or CIDR block, or one of proxy-addr's names for private ranges. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const trustProxy =
  (name: string) =>
  (raw: string | undefined): false | number | string[] => {
    const value = raw?.trim() ?? '';
    if (value === '' || value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > 10) throw new ConfigError(`${name} as a hop count must be 1 to 10, got ${value}`);
      return hops;
    }
    const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (bad.length > 0) throw new ConfigError(`${name} must be a hop count, or proxy addresses/CIDRs separated by commas (or loopback, linklocal, uniquelocal); not ${bad.join(', ')}`);
    return entries;
  };

const originList =
  (name: string) =>
  (raw: string | undefined): string[] => {
    const entries = (raw ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
    for (const entry of entries) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== entry.replace(/\/$/, '')) {
        throw new ConfigError(`${name} lists origins like https://shop.example.com (scheme, host and port only), not "${entry}"`);
      }
    }
    return entries.map((e) => e.replace(/\/$/, ''));
  };

/** Demo carrier webhook secrets, used only when CARRIER_WEBHOOK_SECRETS is unset outside production. */
export const DEMO_CARRIER_WEBHOOK_SECRETS: Readonly<Record<string, string>> = {
  'parcelway-ground': 'demo-parcelway-ground-secret',
  'swiftship-express': 'demo-swiftship-express-secret',
};

const carrierSecrets =
  (name: string) =>
  (raw: string | undefined, env: Env): Record<string, string> => {
    if (raw === undefined || raw.trim() === '') return isProduction(env) ? {} : { ...DEMO_CARRIER_WEBHOOK_SECRETS };
    const secrets: Record<string, string> = {};
    for (const entry of raw.split(',')) {
      const match = /^\s*([a-z0-9][a-z0-9_-]{0,63})=(\S{8,})\s*$/.exec(entry);
      if (!match) throw new ConfigError(`${name} must be carrier=secret pairs separated by commas (secrets of 8+ characters), got "${entry.trim()}"`);
      secrets[match[1]!] = match[2]!;
    }
    return secrets;
  };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function setting<K extends keyof Config>(
  key: K,
  env: string,
  description: string,
  parse: (name: string) => (raw: string | undefined, env: Env) => Config[K],
): Setting<K> {
  return { key, env, description, parse: parse(env) };
}

export const SETTINGS = [
  setting('host', 'HOST', 'Interface the HTTP server binds to (default 0.0.0.0)', () => (raw) => raw || '0.0.0.0'),
  setting('port', 'PORT', 'HTTP port (default 3000)', integer(0, 65535, 3000)),
  setting('logLevel', 'LOG_LEVEL', 'fatal|error|warn|info|debug|trace|silent (default info)', (name) => (raw) => {
    const level = raw || 'info';
    if (!LOG_LEVELS.includes(level)) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}`);
    return level;
  }),
  setting('dataDir', 'DATA_DIR', 'Where the embedded database and images live (default ./data)', () => (raw) =>
    path.resolve(raw || 'data'),
  ),
  setting('databaseUrl', 'DATABASE_URL', 'PostgreSQL server URL; unset = embedded PGlite', postgresUrl),
  setting('inventoryDatabaseUrl', 'INVENTORY_DATABASE_URL', 'Separate PostgreSQL database for inventory (default DATABASE_URL)', postgresUrl),
  setting('ordersDatabaseUrl', 'ORDERS_DATABASE_URL', 'Separate PostgreSQL database for orders (default DATABASE_URL)', postgresUrl),
  setting(
    'databaseReadUrl',
    'DATABASE_READ_URL',
    'A streaming replica of DATABASE_URL for catalog and search reads only (never cart, checkout, orders or inventory); reads fall back to the primary while it is down or lagging (default unset: the primary)',
    postgresUrl,
  ),
  setting('databaseReadMaxLagSeconds', 'DATABASE_READ_MAX_LAG_SECONDS', 'Skip the replica while its replay is this many seconds behind the primary (default 5)', integer(1, 3600, 5)),
  setting('pglitePath', 'PGLITE_PATH', 'Embedded database directory, or memory:// (default DATA_DIR/pglite)', () => (raw, env) =>
    raw === 'memory://' ? raw : path.resolve(raw || path.join(env.DATA_DIR || 'data', 'pglite')),
  ),
  setting('dbPoolSize', 'DB_POOL_SIZE', 'PostgreSQL connections per process and database (default 10)', integer(1, 500, 10)),
  setting(
    'redisUrl',
    'REDIS_URL',
    'Redis URL for cache and rate limits: redis://, rediss://, or redis+sentinel://host:port,host:port/<master> for a Sentinel-managed primary; unset = in-process (or REDIS_SENTINELS)',
    redisUrl,
  ),
  setting('redisSentinels', 'REDIS_SENTINELS', 'Redis Sentinels as host:port pairs separated by commas; with it (and no REDIS_URL) the client asks them for the current primary and follows failovers', (name) => (raw) => {
    if (!raw) return undefined;
    parseHostPorts(name, raw);
    return raw;
  }),
  setting('redisSentinelName', 'REDIS_SENTINEL_NAME', 'The primary\'s name as the Sentinels know it (default mymaster)', () => (raw) => raw || 'mymaster'),
  setting('redisKeyPrefix', 'REDIS_KEY_PREFIX', 'Prefix of every Redis key: cache, rate limits, counters (default bazaar:)', (name) => (raw) => {
    const prefix = raw || 'bazaar:';
    if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(prefix)) throw new ConfigError(`${name} must be 1-64 letters, digits, _ : . or -`);
    return prefix;
  }),
  setting('natsUrl', 'NATS_URL', 'NATS JetStream URL for the event bus, or the nodes of a cluster separated by commas; unset = in-process', natsUrls),
  setting('natsStreamReplicas', 'NATS_STREAM_REPLICAS', 'Replicas of the JetStream stream when Bazaar creates it: 3 on a 3-node cluster (default 1)', integer(1, 5, 1)),
  setting('natsStreamPrefix', 'NATS_STREAM_PREFIX', 'Prefix of JetStream stream, subject and consumer names (default BAZAAR)', (name) => (raw) => {
    const prefix = raw || 'BAZAAR';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) throw new ConfigError(`${name} must be 1-32 letters, digits, _ or -`);
    return prefix;
  }),
  setting('eventsPollIntervalMs', 'EVENTS_POLL_INTERVAL_MS', 'How often the outbox relay and in-process dispatcher look for work (default 250)', integer(10, 60_000, 250)),
  setting('eventsAckWaitMs', 'EVENTS_ACK_WAIT_MS', 'An event not acknowledged this long after delivery is delivered again (default 30000)', integer(100, 3_600_000, 30_000)),
  setting('eventsMaxDeliver', 'EVENTS_MAX_DELIVER', 'Failed deliveries of one event to one consumer before it is dead-lettered (default 8)', integer(1, 1000, 8)),
  setting('eventsRetryBaseMs', 'EVENTS_RETRY_BASE_MS', 'First backoff delay after a consumer fails an event; doubles per attempt (default 1000)', integer(1, 600_000, 1000)),
  setting('eventsPartitions', 'EVENTS_PARTITIONS', 'JetStream partitions per consumer; events of one aggregate stay in one, in order (default 4)', integer(1, 64, 4)),
  setting('sessionTtlHours', 'SESSION_TTL_HOURS', 'Lifetime of a login token (default 720 = 30 days)', integer(1, 24 * 365, 720)),
  setting('cartMaxLines', 'CART_MAX_LINES', 'Distinct products a cart may hold (default 50)', integer(1, 1000, 50)),
  setting('cartMaxQuantity', 'CART_MAX_QUANTITY', 'Largest quantity of one product in a cart line (default 99)', integer(1, 10000, 99)),
  setting('cartExpiryDays', 'CART_EXPIRY_DAYS', 'Carts untouched this long are deleted (default 30)', integer(1, 3650, 30)),
  setting('lowStockThreshold', 'LOW_STOCK_THRESHOLD', 'At or below this many sellable units a product shows low_stock (default 5)', integer(0, 1_000_000, 5)),
  setting(
    'productCacheSeconds',
    'PRODUCT_CACHE_SECONDS',
    'How long product pages and lists are fresh in every cache (in-process, Redis, CDN, browser); with CACHE_STALE_SECONDS twice on top this bounds how stale availability can be (default 20: 20 + 2 × 5 = the spec\'s 30 s)',
    integer(0, 3600, 20),
  ),
  setting('categoryCacheSeconds', 'CATEGORY_CACHE_SECONDS', 'How long the category tree is fresh in every cache; changes invalidate it at once (default 300)', integer(0, 86400, 300)),
  setting('cacheStaleSeconds', 'CACHE_STALE_SECONDS', 'stale-while-revalidate: past its freshness a cached page is served while one refresh runs, this long (default 5)', integer(0, 3600, 5)),
  setting(
    'cacheStaleIfErrorSeconds',
    'CACHE_STALE_IF_ERROR_SECONDS',
    'stale-if-error: how long past that a cached page is still served when the database (or, for the CDN, the origin) fails (default 300)',
    integer(0, 86400, 300),
  ),
  setting('cacheL1MaxMb', 'CACHE_L1_MAX_MB', 'Memory bound of the in-process response cache, in MiB of cached bodies (default 64)', integer(1, 65536, 64)),
  setting(
    'cacheL1Seconds',
    'CACHE_L1_SECONDS',
    'With REDIS_URL: how long a process serves its own copy of a cached response before asking Redis again, which bounds a lost invalidation (default 5)',
    integer(1, 3600, 5),
  ),
  setting(
    'cdnPurgeUrls',
    'CDN_PURGE_URLS',
    'Comma-separated CDN nodes (e.g. Varnish, http://10.0.0.5:6081) sent BAN/PURGE on every catalog or stock change and warmed by `cache warm` (default none)',
    urlList,
  ),
  setting('cacheWarmIntervalSeconds', 'CACHE_WARM_INTERVAL_SECONDS', 'The worker warms the caches for the top CACHE_WARM_TOP products this often (default 0 = never; `bazaar cache warm` runs it once)', integer(0, 86400, 0)),
  setting('cacheWarmTop', 'CACHE_WARM_TOP', 'How many products a scheduled warm covers (default 1000)', integer(1, 1_000_000, 1000)),
  setting('demoSeedProducts', 'DEMO_SEED_PRODUCTS', 'Products seeded by `bazaar all` into an empty database (default 300, 0 = none)', integer(0, 1_000_000, 300)),
  setting('bodyLimitBytes', 'BODY_LIMIT_BYTES', 'Largest accepted request body (default 65536)', integer(1024, 10 * 1024 * 1024, 65536)),
  setting('rateLimitPerMinute', 'RATE_LIMIT_PER_MINUTE', 'Requests per minute on sensitive routes: per account on cart and checkout, per client address on registration and sign-in (default 120)', integer(1, 1_000_000, 120)),
  setting('loginAttemptsPerAccount', 'LOGIN_ATTEMPTS_PER_ACCOUNT', 'Sign-in attempts per account per 15 minutes, from all addresses together (default 20)', integer(1, 1_000_000, 20)),
  setting(
    'trustProxy',
    'TRUST_PROXY',
    'Take the client address from X-Forwarded-For only behind these proxies: a hop count (1 = the nearest one), or addresses/CIDRs separated by commas (default off: the peer address; every client behind an untrusted proxy shares its limits)',
    trustProxy,
  ),
  setting('corsOrigins', 'CORS_ORIGINS', 'Origins a browser storefront on another site may call the API from (with credentials), e.g. https://shop.example.com,https://m.example.com (default none: no CORS)', originList),
  setting('metricsPort', 'METRICS_PORT', 'Serve /metrics on this port (e.g. only reachable by Prometheus) instead of the API port (default unset: on the API port)', (name) => (raw) => (raw ? integer(1, 65535, 0)(name)(raw) : undefined)),
  setting('metricsToken', 'METRICS_TOKEN', 'Require Authorization: Bearer <this token> on /metrics (default unset: open)', (name) => (raw) => {
    if (!raw) return undefined;
    if (raw.length < 16) throw new ConfigError(`${name} must have at least 16 characters`);
    return raw;
  }),
  setting(
    'workerPort',
    'WORKER_PORT',
    'The `worker` role listens here for /healthz, /readyz and /metrics (its consumer lag, jobs, process figures); give each worker on one host its own (default unset: no listener; `all` serves them on PORT / METRICS_PORT)',
    (name) => (raw) => (raw ? integer(1, 65535, 0)(name)(raw) : undefined),
  ),
  setting(
    'otelExporterOtlpEndpoint',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OpenTelemetry collector (OTLP over HTTP, e.g. http://otel-collector:4318) to send traces to: checkout saga steps, event publish and consume, linked through the events (default unset: tracing off, no cost)',
    (name) => urlWithScheme(name, ['http:', 'https:']),
  ),
  setting('otelServiceName', 'OTEL_SERVICE_NAME', 'service.name of the exported spans (default bazaar-<role>, e.g. bazaar-serve, bazaar-worker)', optionalText),
  setting('reservationTtlSeconds', 'RESERVATION_TTL_SECONDS', 'How long checkout holds stock before it expires (default 600)', integer(1, 86400, 600)),
  setting('sweepIntervalSeconds', 'SWEEP_INTERVAL_SECONDS', 'How often expired reservations are released (default 60)', integer(1, 3600, 60)),
  setting('paymentTimeoutMs', 'PAYMENT_TIMEOUT_MS', 'Per-call timeout towards the payment provider (default 5000)', integer(10, 120_000, 5000)),
  setting('paymentMaxAttempts', 'PAYMENT_MAX_ATTEMPTS', 'Attempts per payment call before giving up (default 4)', integer(1, 20, 4)),
  setting('paymentRetryBaseMs', 'PAYMENT_RETRY_BASE_MS', 'First backoff delay between payment retries (default 200)', integer(1, 60_000, 200)),
  setting('sagaRecoveryIntervalSeconds', 'SAGA_RECOVERY_INTERVAL_SECONDS', 'How often unfinished checkouts are resumed (default 30)', integer(1, 3600, 30)),
  setting('sagaStaleSeconds', 'SAGA_STALE_SECONDS', 'A checkout untouched this long is considered abandoned by its process (default 60)', integer(1, 86400, 60)),
  setting('sandboxSlowMs', 'SANDBOX_SLOW_MS', 'How long the sandbox PSP takes to authorize tok_slow (default 3000)', integer(0, 600_000, 3000)),
  setting('defaultPurchaseLimit', 'DEFAULT_PURCHASE_LIMIT', 'Units of one product one customer may buy per day, unless the product sets its own (default 20)', integer(1, 1_000_000, 20)),
  setting('searchFacetCacheSeconds', 'SEARCH_FACET_CACHE_SECONDS', 'PostgreSQL search engine only: how long facet counts and totals are reused for the same filters; hits are always fresh (default 30, 0 = off)', integer(0, 3600, 30)),
  setting(
    'searchEngine',
    'SEARCH_ENGINE',
    '`memory` (default): each API process answers searches from its own in-memory copy of the index; `postgres`: every search is a SQL query (less memory, slower, simpler relevance)',
    (name) => (raw) => {
      const value = raw || 'memory';
      if (value !== 'memory' && value !== 'postgres') throw new ConfigError(`${name} must be memory or postgres`);
      return value;
    },
  ),
  setting('searchSyncIntervalMs', 'SEARCH_SYNC_INTERVAL_MS', 'How often an API process picks up search index changes written by other processes (default 1000)', integer(50, 60_000, 1000)),
  setting(
    'carrierWebhookSecrets',
    'CARRIER_WEBHOOK_SECRETS',
    'Carrier webhook HMAC secrets, e.g. parcelway-ground=s1,swiftship-express=s2 (default outside NODE_ENV=production: the demo secrets in docs/OPERATIONS.md; in production: none, webhooks refused)',
    carrierSecrets,
  ),
  setting('carrierWebhookToleranceSeconds', 'CARRIER_WEBHOOK_TOLERANCE_SECONDS', 'How far a carrier webhook\'s signed timestamp may be from now (default 300)', integer(1, 86400, 300)),
  setting('simulatorStepSeconds', 'SIMULATOR_STEP_SECONDS', 'Base delay of one simulated fulfillment step (picking; shipping takes 2x, delivery 3x) (default 5)', integer(0, 86400, 5)),
  setting('production', 'NODE_ENV', '`production` turns off the demo conveniences: demo carrier webhook secrets and the sandbox human check', () => (_raw, env) => isProduction(env)),
  setting(
    'challengeVerifyUrl',
    'CHALLENGE_VERIFY_URL',
    'siteverify endpoint of the CAPTCHA provider for products that ask for a human check at checkout, e.g. https://challenges.cloudflare.com/turnstile/v0/siteverify (unset: the sandbox check outside production; in production such products cannot be bought)',
    (name) => urlWithScheme(name, ['https:', 'http:']),
  ),
  setting('challengeSecret', 'CHALLENGE_SECRET', 'Secret key for CHALLENGE_VERIFY_URL (required with it)', optionalText),
  setting('challengeSiteKey', 'CHALLENGE_SITE_KEY', 'Public site key the storefront renders the challenge widget with; returned with challenge_required', optionalText),
  setting('challengeTimeoutMs', 'CHALLENGE_TIMEOUT_MS', 'Timeout of one call to CHALLENGE_VERIFY_URL (default 3000)', integer(100, 60_000, 3000)),
] as const;

/** Reads and validates the configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const config: Partial<Config> = {};
  const problems: string[] = [];
  for (const s of SETTINGS) {
    try {
      (config as Record<string, unknown>)[s.key] = s.parse(env[s.env], env);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const result = config as Config;
  if (result.challengeVerifyUrl && !result.challengeSecret) {
    throw new ConfigError('Invalid configuration:\n  - CHALLENGE_VERIFY_URL needs CHALLENGE_SECRET as well');
  }
  if (result.metricsPort !== undefined && result.metricsPort === result.port) {
    throw new ConfigError('Invalid configuration:\n  - METRICS_PORT must differ from PORT (unset it to serve /metrics on the API port)');
  }
  if (!result.databaseUrl && result.databaseReadUrl) {
    throw new ConfigError('Invalid configuration:\n  - DATABASE_READ_URL needs DATABASE_URL as well (it is a replica of that database)');
  }
  if (!result.databaseUrl && (result.inventoryDatabaseUrl || result.ordersDatabaseUrl)) {
    throw new ConfigError('Invalid configuration:\n  - INVENTORY_DATABASE_URL / ORDERS_DATABASE_URL need DATABASE_URL as well');
  }
  return result;
}
