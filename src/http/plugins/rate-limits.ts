import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Request rate limits, counted in Redis when REDIS_URL is set (shared by every API process)
 * and in process otherwise.
 *
 * When the counter store fails (Redis down), a limiter either lets requests through
 * (fail open: cart, checkout, anything whose abuse costs little more than load) or refuses
 * them with `503 rate_limit_unavailable` (fail closed: sign-in and registration, where an
 * unlimited allowance is a password-guessing or account-farming window).
 */
export type OnStoreError = 'open' | 'closed';

export interface LimiterOptions {
  /** Names the counter; two limiters never share one. */
  name: string;
  max: number;
  timeWindowMs: number;
  /** The bucket of a request, or undefined to leave it unlimited by this limiter. */
  key(request: FastifyRequest): string | undefined;
  onStoreError: OnStoreError;
}

type Check = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number; max?: number; remaining?: number }>;

declare module 'fastify' {
  interface FastifyInstance {
    createRateLimit(options: Record<string, unknown>): Check;
  }
}

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'rate_limited', `Too many requests; retry in ${retryAfterSeconds} s`, { retry_after_seconds: retryAfterSeconds });

export const rateLimitUnavailable = () =>
  new AppError('rate_limit_unavailable', 'unavailable', 'Sign-in is briefly unavailable (its abuse protection cannot be checked); retry in a few seconds');

/**
 * The client address a limit counts against: IPv4 as is, IPv6 by its /64 (one subscriber's
 * prefix), so rotating addresses within one network does not multiply the allowance.
 */
export function clientBucket(ip: string): string {
  if (!isIPv6(ip)) return ip;
  if (ip.toLowerCase().startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.padStart(4, '0')).join(':')}::/64`;
}

/** A stable, non-reversible bucket for client-named accounts: counters never hold email addresses. */
export const accountBucket = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);

export async function registerRateLimiting(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // Limits declared through route config (`config.rateLimit`) fail open; fail-closed limits use `limiter()`.
    skipOnError: true,
    ...(ctx.redis ? { redis: ctx.redis, nameSpace: `${ctx.config.redisKeyPrefix}rl:` } : {}),
    keyGenerator: (request) => request.principal?.accountId ?? clientBucket(request.ip),
    errorResponseBuilder: (_request, context) => rateLimited(Math.ceil(context.ttl / 1000)),
  });
}

/**
 * A hook (onRequest or preHandler) that counts a request against one limit and refuses it past
 * the limit with `429 rate_limited` and Retry-After. Hooks of several limiters stack.
 */
export function limiter(app: FastifyInstance, options: LimiterOptions) {
  const check = app.createRateLimit({
    max: options.max,
    timeWindow: options.timeWindowMs,
    skipOnError: false,
    keyGenerator: (request: FastifyRequest) => `${options.name}:${options.key(request) ?? ''}`,
  });
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (options.key(request) === undefined) return;
    let outcome: Awaited<ReturnType<Check>>;
    try {
      outcome = await check(request);
    } catch (error) {
      request.log.warn({ err: error, limiter: options.name, onStoreError: options.onStoreError }, 'rate limit store unavailable');
      if (options.onStoreError === 'closed') throw rateLimitUnavailable();
      return;
    }
    if (outcome.isAllowed) return;
    const retryAfter = Math.max(1, outcome.ttlInSeconds ?? 1);
    reply.header('x-ratelimit-limit', options.max).header('x-ratelimit-remaining', Math.max(0, outcome.remaining ?? 0));
    if (outcome.isExceeded) {
      reply.header('retry-after', retryAfter);
      throw rateLimited(retryAfter);
    }
  };
}

/** Per-client-address limit, whatever token the request carries. */
export const perClientAddress = (request: FastifyRequest) => clientBucket(request.ip);
