import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { connect, StringCodec, type NatsConnection } from 'nats';
import pg from 'pg';
import { randomToken } from './ids.ts';
import type { Logger } from './logger.ts';

/** What a process does with invalidations from the others. */
export interface InvalidationHandlers {
  /** Drop local copies carrying these tags. */
  invalidate(tags: string[]): void;
  /** Messages may have been lost (the connection dropped): drop every local copy. */
  gap(): void;
}

/**
 * Carries cache invalidations between processes, so each drops its in-process copies
 * (L1). At-most-once, like the transports underneath (Redis pub/sub, NATS core subjects,
 * PostgreSQL NOTIFY): a process that was disconnected treats the reconnect as a gap and
 * drops everything. A process never receives its own messages.
 */
export interface InvalidationChannel {
  readonly kind: 'in-process' | 'redis' | 'nats' | 'postgres';
  start(handlers: InvalidationHandlers): Promise<void>;
  /** Throws when the message could not be handed to the transport (the caller may retry). */
  publish(tags: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

interface Message {
  o: string;
  t: string[];
}

const RECONNECT_MS = 1000;

function decodeMessage(raw: string, self: string): string[] | undefined {
  try {
    const message = JSON.parse(raw) as Partial<Message>;
    if (message.o === self || !Array.isArray(message.t)) return undefined;
    return message.t.filter((t): t is string => typeof t === 'string');
  } catch {
    return undefined;
  }
}

const hubs = new Map<string, EventEmitter>();

/**
 * One process: nothing to tell anyone. Channels given the same `hub` name in one process do
 * reach each other, which lets tests stand several "processes" side by side; without a name
 * a channel is alone.
 */
export class LocalInvalidationChannel implements InvalidationChannel {
  readonly kind = 'in-process' as const;
  private readonly self = randomToken(9);
  private listener: ((raw: string) => void) | undefined;

  constructor(private readonly hub = `private:${randomToken(9)}`) {}

  private emitter(): EventEmitter {
    let emitter = hubs.get(this.hub);
    if (!emitter) hubs.set(this.hub, (emitter = new EventEmitter().setMaxListeners(0)));
    return emitter;
  }

  async start(handlers: InvalidationHandlers): Promise<void> {
    this.listener = (raw) => {
      const tags = decodeMessage(raw, this.self);
      if (tags) handlers.invalidate(tags);
    };
    this.emitter().on('invalidate', this.listener);
  }

  async publish(tags: readonly string[]): Promise<void> {
    this.emitter().emit('invalidate', JSON.stringify({ o: this.self, t: tags }));
  }

  async close(): Promise<void> {
    const emitter = this.emitter();
    if (this.listener) emitter.off('invalidate', this.listener);
    this.listener = undefined;
    if (emitter.listenerCount('invalidate') === 0) hubs.delete(this.hub);
  }
}

/** Redis pub/sub on `<prefix>cache:invalidate`: publishes on the shared client, listens on a connection of its own. */
export class RedisInvalidationChannel implements InvalidationChannel {
  readonly kind = 'redis' as const;
  private readonly self = randomToken(9);

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  async start(handlers: InvalidationHandlers): Promise<void> {
    let connectedBefore = false;
    let down = false;
    this.subscriber.on('error', (error: unknown) => {
      if (!down) this.logger.warn({ err: error }, 'cache invalidation channel (Redis) disconnected; reconnecting');
      down = true;
    });
    this.subscriber.on('ready', () => {
      if (connectedBefore) handlers.gap();
      connectedBefore = true;
      down = false;
    });
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const tags = decodeMessage(raw, this.self);
      if (tags) handlers.invalidate(tags);
    });
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      // ioredis re-subscribes when it reconnects; until then this process relies on TTLs.
      this.logger.warn({ err: error }, 'cache invalidation channel (Redis) not subscribed yet');
    }
  }

  async publish(tags: readonly string[]): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify({ o: this.self, t: tags }));
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}

/** NATS core (not JetStream) subject `<prefix>.cache.invalidate`, on a connection of its own. */
export class NatsInvalidationChannel implements InvalidationChannel {
  readonly kind = 'nats' as const;
  private readonly self = randomToken(9);
  private readonly codec = StringCodec();
  private connection: NatsConnection | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly subject: string,
    private readonly logger: Logger,
  ) {}

  async start(handlers: InvalidationHandlers): Promise<void> {
    await this.connect(handlers, false);
  }

  private async connect(handlers: InvalidationHandlers, reconnecting: boolean): Promise<void> {
    if (this.closed) return;
    try {
      const nc = await connect({ servers: this.url.split(','), name: 'bazaar-cache-invalidation', maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_MS });
      if (this.closed) return void (await nc.close());
      this.connection = nc;
      nc.subscribe(this.subject, {
        callback: (error, message) => {
          if (error) return;
          const tags = decodeMessage(this.codec.decode(message.data), this.self);
          if (tags) handlers.invalidate(tags);
        },
      });
      void this.watch(nc, handlers);
      if (reconnecting) handlers.gap();
    } catch (error) {
      if (!reconnecting) this.logger.warn({ err: error }, 'cache invalidation channel (NATS) unreachable; retrying in the background');
      this.retry = setTimeout(() => void this.connect(handlers, true), RECONNECT_MS).unref();
    }
  }

  private async watch(nc: NatsConnection, handlers: InvalidationHandlers): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') handlers.gap();
    }
  }

  async publish(tags: readonly string[]): Promise<void> {
    if (!this.connection || this.connection.isClosed()) throw new Error('cache invalidation channel (NATS) is not connected');
    this.connection.publish(this.subject, this.codec.encode(JSON.stringify({ o: this.self, t: tags })));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connection?.close();
  }
}

/** PostgreSQL NOTIFY payloads are limited to 8000 bytes. */
const NOTIFY_BYTES = 7000;

/**
 * PostgreSQL LISTEN/NOTIFY on the main database, for several processes on one PostgreSQL
 * without Redis or NATS. LISTEN needs a session of its own: not through a PgBouncer in
 * transaction mode (use Redis or NATS there).
 */
export class PostgresInvalidationChannel implements InvalidationChannel {
  readonly kind = 'postgres' as const;
  private readonly self = randomToken(9);
  private client: pg.Client | undefined;
  private down = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly notify: (channel: string, payload: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  async start(handlers: InvalidationHandlers): Promise<void> {
    await this.listen(handlers, false);
  }

  private async listen(handlers: InvalidationHandlers, reconnecting: boolean): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    const lost = (error?: unknown) => {
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      // One line per outage, not one per reconnect attempt.
      if (!this.down) this.logger.warn({ err: error }, 'cache invalidation channel (PostgreSQL) lost; reconnecting');
      this.down = true;
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => void this.listen(handlers, true), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      const tags = decodeMessage(message.payload, this.self);
      if (tags) handlers.invalidate(tags);
    });
    try {
      this.client = client;
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.down) this.logger.info('cache invalidation channel (PostgreSQL) back');
      this.down = false;
      if (reconnecting) handlers.gap();
    } catch (error) {
      lost(error);
    }
  }

  async publish(tags: readonly string[]): Promise<void> {
    for (const chunk of chunkTags(tags, NOTIFY_BYTES)) await this.notify(this.channel, JSON.stringify({ o: this.self, t: chunk }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

function chunkTags(tags: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const tag of tags) {
    if (current.length > 0 && size + tag.length + 3 > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(tag);
    size += tag.length + 3;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
