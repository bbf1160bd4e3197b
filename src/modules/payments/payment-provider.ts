/**
 * What Bazaar needs from a payment service provider (PSP). Every call carries an
 * idempotency key: repeating a call with the same key returns the first outcome and
 * never charges twice, which is what makes retries after a timeout safe.
 */
export interface PaymentProvider {
  readonly name: string;
  /** Validates a client-side token and says what it is (for display); throws PaymentError('invalid_payment_method'). */
  describeMethod(token: string): Promise<{ brand: string; last4: string }>;
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<{ ref: string }>;
  capture(request: { idempotencyKey: string; authorizationKey: string; amount: number }, signal: AbortSignal): Promise<void>;
  /**
   * Gives money back — or cancels the hold — for whatever was authorized under
   * `authorizationKey`, including an authorization still in flight at the PSP.
   * Refunding nothing is a success.
   */
  refund(request: { idempotencyKey: string; authorizationKey: string; amount: number }, signal: AbortSignal): Promise<void>;
}

export interface AuthorizeRequest {
  idempotencyKey: string;
  token: string;
  amount: number;
  currency: string;
}

/** `retryable` errors are transient (network, 5xx, rate limit); others are final (declines). */
export class PaymentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}
