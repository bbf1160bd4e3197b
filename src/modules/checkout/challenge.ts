import { LRUCache } from 'lru-cache';
import { AppError } from '../../platform/errors.ts';

/**
 * A human check (CAPTCHA) provider, seen from the server: the storefront renders the
 * provider's widget with `siteKey`, the buyer solves it, and the token it yields comes
 * with the checkout request to be verified here. Tokens are single-use at the provider.
 */
export interface ChallengeVerifier {
  /** What the storefront needs to render the widget; null when there is no widget to render. */
  readonly siteKey: string | null;
  /** Whether the token proves a solved challenge. @throws `challenge_unavailable` when the provider cannot tell. */
  verify(token: string, remoteIp: string | undefined): Promise<boolean>;
}

export const challengeUnavailable = () =>
  new AppError('challenge_unavailable', 'unavailable', 'The human check could not be verified right now; nothing was charged. Please try again.');

/**
 * Verifies tokens with a provider's `siteverify` endpoint, the protocol Cloudflare
 * Turnstile, hCaptcha and reCAPTCHA share: a form POST of `secret`, `response` and
 * `remoteip`, answered `{"success": true|false, ...}`. Anything else (timeout, non-2xx,
 * a body without `success`) is `challenge_unavailable`: the buyer is not let through.
 */
export class SiteVerifyChallenge implements ChallengeVerifier {
  constructor(
    private readonly options: { verifyUrl: string; secret: string; siteKey: string | null; timeoutMs: number },
  ) {}

  get siteKey() {
    return this.options.siteKey;
  }

  async verify(token: string, remoteIp: string | undefined): Promise<boolean> {
    const form = new URLSearchParams({ secret: this.options.secret, response: token });
    if (remoteIp) form.set('remoteip', remoteIp);
    let answer: unknown;
    try {
      const response = await fetch(this.options.verifyUrl, { method: 'POST', body: form, signal: AbortSignal.timeout(this.options.timeoutMs) });
      if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
      answer = await response.json();
    } catch (error) {
      throw Object.assign(challengeUnavailable(), { cause: error });
    }
    const success = (answer as { success?: unknown } | null)?.success;
    if (typeof success !== 'boolean') throw Object.assign(challengeUnavailable(), { cause: new Error('siteverify answered without "success"') });
    return success;
  }
}

/**
 * The development stand-in, like the sandbox PSP's test cards: a token starting with
 * `pass_` is a solved challenge, and only once (as at a real provider); anything else
 * fails. Never used with NODE_ENV=production.
 */
export class SandboxChallenge implements ChallengeVerifier {
  readonly siteKey = 'sandbox';
  private readonly used = new LRUCache<string, true>({ max: 100_000 });

  async verify(token: string): Promise<boolean> {
    if (!token.startsWith('pass_') || this.used.has(token)) return false;
    this.used.set(token, true);
    return true;
  }
}

/** Production without a configured provider: products that ask for a challenge cannot be bought. */
export class UnconfiguredChallenge implements ChallengeVerifier {
  readonly siteKey = null;
  async verify(): Promise<boolean> {
    throw challengeUnavailable();
  }
}

/**
 * Asks the provider once per request (customer and Idempotency-Key) and token, and
 * remembers the outcome for a while, so duplicates of one checkout request arriving
 * together all see the answer the first one got instead of a reused-token failure. A new
 * request (a new key) with a spent token is asked about again, and the provider refuses it.
 */
export class ChallengeGate {
  private readonly outcomes = new LRUCache<string, Promise<boolean>>({ max: 50_000, ttl: 10 * 60_000 });

  constructor(private readonly verifier: ChallengeVerifier) {}

  /** @throws `challenge_required` without a token, `challenge_failed` for a bad one, `challenge_unavailable` */
  async pass(request: { customerId: string; idempotencyKey: string }, token: string | undefined, remoteIp: string | undefined, productIds: string[]): Promise<void> {
    const details = { product_ids: productIds, site_key: this.verifier.siteKey };
    if (!token) throw new AppError('challenge_required', 'forbidden', 'Some items in your cart ask for a human check: solve the challenge and send its token as challenge_token', details);
    const key = JSON.stringify([request.customerId, request.idempotencyKey, token]);
    let outcome = this.outcomes.get(key);
    if (!outcome) {
      outcome = this.verifier.verify(token, remoteIp);
      this.outcomes.set(key, outcome);
      // A provider outage must not stick to the token: the retry asks again.
      outcome.catch(() => this.outcomes.delete(key));
    }
    if (!(await outcome)) throw new AppError('challenge_failed', 'forbidden', 'The human check failed or its token was already used: solve a new challenge', details);
  }
}
