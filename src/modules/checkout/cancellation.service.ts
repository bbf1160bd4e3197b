import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Principal } from '../../platform/principal.ts';
import type { Order, OrdersService } from '../orders/index.ts';
import type { InventoryPort, PaymentsPort } from './checkout.ports.ts';

/**
 * Order cancellation across modules: the order is marked cancelled first (the one
 * conditional update that decides a cancel-versus-pack race), then its units go back to
 * stock and the payment is refunded. Both are idempotent, and a recovery pass finishes
 * any cancellation whose process died half-way.
 */
export class CancellationService {
  constructor(
    private readonly orders: Pick<OrdersService, 'markCancelled' | 'markRefunded' | 'listPendingRefunds' | 'findOrder'>,
    private readonly inventory: Pick<InventoryPort, 'returnToStock'>,
    private readonly payments: Pick<PaymentsPort, 'refund'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly graceSeconds: number,
  ) {}

  async cancel(principal: Principal, orderId: string, reason = 'requested by customer'): Promise<Order> {
    const { order } = await this.orders.markCancelled(principal, orderId, reason);
    if (order.refundStatus === 'pending') await this.settle(order.id);
    return (await this.orders.findOrder(orderId))!;
  }

  /** Returns a cancelled order's units and money; safe to repeat. */
  async settle(orderId: string): Promise<void> {
    await this.inventory.returnToStock(orderId);
    await this.payments.refund(orderId);
    await this.orders.markRefunded(orderId);
  }

  async recoverPending(limit = 50): Promise<number> {
    const olderThan = new Date(this.clock.now().getTime() - this.graceSeconds * 1000);
    const pending = await this.orders.listPendingRefunds(olderThan, limit);
    for (const order of pending) {
      try {
        await this.settle(order.id);
      } catch (error) {
        this.logger.error({ err: error, orderId: order.id }, 'cancellation settlement failed; will retry');
      }
    }
    return pending.length;
  }
}
