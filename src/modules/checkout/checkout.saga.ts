import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { AppError, type ErrorKind } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DeliveryService } from '../fulfillment/index.ts';
import type { OrdersService } from '../orders/index.ts';
import type { CartPort, CheckoutFaults, InventoryPort, PaymentsPort } from './checkout.ports.ts';
import * as repo from './checkout.repository.ts';
import type { SoldOutFilter } from './sold-out-filter.ts';
import type { Checkout, CheckoutState } from './checkout.repository.ts';

export interface SagaOptions {
  reservationTtlSeconds: number;
  leaseSeconds: number;
}

export interface SagaDeps {
  soldOut?: SoldOutFilter;
  inventory: InventoryPort;
  payments: PaymentsPort;
  orders: Pick<OrdersService, 'placeOrder'>;
  cart: CartPort;
  delivery: Pick<DeliveryService, 'estimateOrder'>;
}

/**
 * Failures that end a checkout, with what the customer is told and whether money may need
 * returning. Each is the final answer to its idempotency key, transient ones included (as
 * Stripe keeps a 5xx for its key): by then stock is released and money refunded under this
 * checkout's id, so trying again is a new purchase attempt and needs a new key — which is what
 * their messages say, to the first answer and to every replay alike.
 */
const FAILURES: Record<string, { kind: ErrorKind; code: string; message: string; refund: boolean }> = {
  out_of_stock: { kind: 'conflict', code: 'out_of_stock', message: 'Some items are out of stock; nothing was charged', refund: false },
  payment_declined: { kind: 'payment_required', code: 'payment_declined', message: 'Your payment was declined; nothing was charged. Try another payment method.', refund: true },
  payment_unavailable: {
    kind: 'unavailable',
    code: 'payment_unavailable',
    message: 'The payment provider did not answer in time; nothing was charged. To try again, send the checkout with a new Idempotency-Key.',
    refund: true,
  },
  payment_method_not_found: { kind: 'unprocessable', code: 'payment_method_not_found', message: 'The payment method no longer exists; nothing was charged', refund: true },
  reservation_lost: { kind: 'conflict', code: 'out_of_stock', message: 'The items sold out while your payment was processed; the charge was refunded', refund: true },
  checkout_interrupted: {
    kind: 'unavailable',
    code: 'checkout_interrupted',
    message: 'The checkout was interrupted; nothing was charged. To try again, send the checkout with a new Idempotency-Key.',
    refund: true,
  },
};

/**
 * The checkout saga: reserve → authorize → capture → confirm stock → place order →
 * empty the cart. Every step is idempotent and its outcome is persisted before the next
 * starts, so a process that dies anywhere leaves a row that recovery can finish
 * (roll forward once money is involved) or compensate (release stock, refund).
 */
export class CheckoutSaga {
  constructor(
    private readonly db: Kysely<any>,
    private readonly deps: SagaDeps,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: SagaOptions,
    private readonly faults: CheckoutFaults = {},
  ) {}

  /** Runs the checkout until it is answered or another process has taken it over. */
  async drive(checkout: Checkout): Promise<Checkout> {
    let current = checkout;
    while (!repo.TERMINAL_STATES.includes(current.state)) {
      const next = await this.step(current);
      if (!next) return (await repo.findById(this.db, current.id)) as Checkout;
      current = next;
      await this.faults.afterStep?.(current.state, current.id);
    }
    return current;
  }

  /** Decides what recovery does with an abandoned checkout, then drives it. */
  async recover(checkout: Checkout): Promise<Checkout> {
    // Before authorization started there is no customer intent to honour any more: undo.
    if (checkout.state === 'pending' || checkout.state === 'reserved') {
      const failed = await this.fail(checkout, 'checkout_interrupted');
      return failed ? this.drive(failed) : ((await repo.findById(this.db, checkout.id)) as Checkout);
    }
    return this.drive(checkout);
  }

  private step(c: Checkout): Promise<Checkout | undefined> {
    switch (c.state) {
      case 'pending':
        return this.reserve(c);
      case 'reserved':
        return this.authorize(c);
      case 'authorized':
        return this.capture(c);
      case 'captured':
        return this.confirmStock(c);
      case 'confirmed':
        return this.placeOrder(c);
      case 'placed':
        return this.emptyCart(c);
      case 'compensating':
        return this.compensate(c);
      default:
        throw new Error(`checkout ${c.id} in unexpected state ${c.state}`);
    }
  }

  private async reserve(c: Checkout) {
    let reservations;
    try {
      reservations = await this.deps.inventory.reserve({
        checkoutId: c.id,
        lines: c.lines.map((l) => ({ productId: l.product_id, quantity: l.quantity })),
        destination: { latitude: c.shipping_address.latitude, longitude: c.shipping_address.longitude },
        ttlSeconds: this.options.reservationTtlSeconds,
        // Only the creating request reserves: recovery undoes a checkout still pending.
        first: true,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'out_of_stock') {
        await this.flagSoldOut((error.details?.product_ids as string[] | undefined) ?? []);
        return this.fail(c, 'out_of_stock', error.details);
      }
      throw error;
    }
    const sites = new Map(reservations.map((r) => [r.warehouseId, r.warehouse]));
    const warehouses = await Promise.all([...sites].map(([id, site]) => site ?? this.deps.inventory.getWarehouse(id)));
    const estimate = await this.deps.delivery.estimateOrder(
      warehouses.map((w) => ({ latitude: w.latitude, longitude: w.longitude, processingSlaHours: w.processingSlaHours })),
      { latitude: c.shipping_address.latitude, longitude: c.shipping_address.longitude },
      c.created_at,
    );
    return this.advance(c, 'reserved', {
      allocations: reservations.map((r) => ({ reservation_id: r.id, product_id: r.productId, warehouse_id: r.warehouseId, quantity: r.quantity })),
      estimated_delivery: estimate.estimatedDelivery,
    });
  }

  private async authorize(c: Checkout) {
    let payment;
    try {
      payment = await this.deps.payments.authorize({
        checkoutId: c.id,
        accountId: c.customer_id,
        paymentMethodId: c.payment_method_id,
        amount: c.total_amount,
        currency: c.currency.trim(),
      });
    } catch (error) {
      if (error instanceof AppError && FAILURES[error.code]) return this.fail(c, error.code);
      throw error;
    }
    return this.advance(c, 'authorized', { payment_id: payment.id });
  }

  private async capture(c: Checkout) {
    try {
      await this.deps.payments.capture(c.id);
    } catch (error) {
      if (error instanceof AppError && error.code === 'payment_unavailable') return this.fail(c, 'payment_unavailable');
      throw error;
    }
    return this.advance(c, 'captured');
  }

  private async confirmStock(c: Checkout) {
    let reservations;
    try {
      reservations = await this.deps.inventory.confirm(c.id, (c.allocations ?? []).map((a) => ({ id: a.reservation_id })));
    } catch (error) {
      if (error instanceof AppError && (error.code === 'reservation_lost' || error.code === 'out_of_stock')) return this.fail(c, 'reservation_lost');
      throw error;
    }
    return this.advance(c, 'confirmed', {
      allocations: reservations.map((r) => ({ reservation_id: r.id, product_id: r.productId, warehouse_id: r.warehouseId, quantity: r.quantity })),
    });
  }

  private async placeOrder(c: Checkout) {
    const paymentId = c.payment_id ?? (await this.deps.payments.findPayment(c.id))?.id;
    if (!paymentId) throw new Error(`checkout ${c.id} confirmed without a payment record`);
    const priceOf = new Map(c.lines.map((l) => [l.product_id, l]));
    const currency = c.currency.trim();
    const { order } = await this.deps.orders.placeOrder({
      id: c.id,
      customerId: c.customer_id,
      currency,
      shippingAddress: c.shipping_address as never,
      paymentId,
      idempotencyKey: c.idempotency_key,
      estimatedDelivery: c.estimated_delivery!,
      placedAt: this.clock.now(),
      items: (c.allocations ?? []).map((a) => ({
        productId: a.product_id,
        warehouseId: a.warehouse_id,
        quantity: a.quantity,
        unitPrice: priceOf.get(a.product_id)!.unit_price,
        currency,
        title: priceOf.get(a.product_id)!.title,
        reservationId: a.reservation_id,
      })),
    });
    return this.advance(c, 'placed', {
      outcome: {
        placed: { order_id: order.id, status: 'placed', estimated_delivery: order.estimatedDelivery, total_charged: { amount: order.total, currency: order.currency } },
      },
    });
  }

  private async emptyCart(c: Checkout) {
    await this.deps.cart.removePurchasedItems(
      c.customer_id,
      c.lines.map((l) => ({ productId: l.product_id, quantity: l.quantity })),
    );
    return this.advance(c, 'completed');
  }

  private async compensate(c: Checkout) {
    await this.deps.inventory.release(c.id);
    if (FAILURES[c.failure_code ?? '']?.refund !== false) await this.deps.payments.refund(c.id);
    return this.advance(c, 'failed');
  }

  /** Flags products with nothing left at all (not merely fewer units than this order wanted). */
  private async flagSoldOut(productIds: string[]) {
    if (!this.deps.soldOut || productIds.length === 0) return;
    const availability = await this.deps.inventory.getAvailability(productIds);
    await this.deps.soldOut.markSoldOut(productIds.filter((id) => (availability.get(id)?.available ?? 0) === 0));
  }

  /** Records the customer's answer and hands the checkout to compensation. */
  private fail(c: Checkout, reason: string, details?: Record<string, unknown>) {
    const failure = FAILURES[reason]!;
    this.logger.info({ checkoutId: c.id, reason, state: c.state }, 'checkout failed; compensating');
    return this.advance(c, 'compensating', {
      failure_code: reason,
      outcome: { code: failure.code, kind: failure.kind, message: failure.message, ...(details ? { details } : {}) },
    });
  }

  private advance(c: Checkout, to: CheckoutState, changes: Parameters<typeof repo.advance>[3] extends infer T ? Omit<T & object, 'updated_at' | 'state'> : never = {}) {
    const now = this.clock.now();
    return repo.advance(this.db, c.id, c.state, {
      ...changes,
      state: to,
      updated_at: now,
      lease_expires_at: new Date(now.getTime() + this.options.leaseSeconds * 1000),
    });
  }
}
