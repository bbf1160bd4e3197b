import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentError } from './payment-provider.ts';

export interface RetryPolicy {
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs?: number;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs ?? 10_000, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempts`);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Calls `fn` with a per-attempt timeout, retrying timeouts and retryable PaymentErrors.
 * A final PaymentError (a decline) is rethrown at once; exhaustion throws RetriesExhausted.
 */
export async function withRetries<T>(policy: RetryPolicy, fn: (signal: AbortSignal, attempt: number) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt - 1, policy));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new PaymentError('timeout', `no answer within ${policy.timeoutMs} ms`, true)), policy.timeoutMs);
    try {
      return await fn(controller.signal, attempt);
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof PaymentError && !reason.retryable) throw reason;
      lastError = reason;
    } finally {
      clearTimeout(timer);
    }
  }
  throw new RetriesExhausted(policy.maxAttempts, lastError);
}
