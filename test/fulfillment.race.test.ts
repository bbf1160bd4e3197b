import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/app/worker.ts';
import { createAdminSession, createTestApp, errorCode, type Session, type TestApp } from './helpers/app.ts';
import { CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { FAST_LIFECYCLE, orderDetail, placeOrder, reportStep, waitFor } from './helpers/lifecycle.ts';
import { assertMoneyMatchesOrders, assertStockInvariants, createBuyer, FAST_PAYMENTS, stockedProducts, type Buyer } from './helpers/shop.ts';
import { describeEach, NEEDS_POSTGRES } from './helpers/suites.ts';

const ORDERS = 24;

// A race needs real connections: PostgreSQL only (PGlite has one connection and would serialize it).
describeEach(
  CONCURRENT_BACKENDS,
  NEEDS_POSTGRES,
  'cancel racing pack (%s)',
  (backend) => {
    let t: TestApp;
    let worker: RunningWorker;
    let admin: Session;
    let buyer: Buyer;
    let productId: string;

    beforeAll(async () => {
      t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE }, { poolSize: 40 });
      worker = await startWorker(t.ctx, { simulateFulfillment: false });
      admin = await createAdminSession(t.ctx, t.app);
      buyer = await createBuyer(t.app);
      productId = (await stockedProducts(t.ctx, { stock: 1000 })).productIds[0]!;
    });
    afterAll(async () => {
      await worker?.stop();
      if (t) {
        await assertStockInvariants(t);
        await assertMoneyMatchesOrders(t);
        await t.close();
      }
    });

    it('has exactly one winner on the order row (beginPacking vs markCancelled)', async () => {
      const { orders } = t.ctx.services;
      const ids: string[] = [];
      for (let i = 0; i < ORDERS; i++) ids.push(await placeOrder(t.app, buyer, [productId]));
      const principal = { accountId: buyer.accountId, role: 'customer' as const, sessionId: 'race' };
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [packed, cancelled] = await Promise.all([
            orders.beginPacking(id),
            orders.markCancelled(principal, id, 'race').then(
              () => true,
              (error: { code?: string }) => (error.code === 'order_not_cancellable' ? false : Promise.reject(error)),
            ),
          ]);
          return { id, packed, cancelled };
        }),
      );
      for (const o of outcomes) expect(o.packed !== o.cancelled, `order ${o.id}: packed=${o.packed} cancelled=${o.cancelled}`).toBe(true);
      for (const o of outcomes) expect((await orders.findOrder(o.id))!.status === 'cancelled').toBe(o.cancelled);
      // Settle the cancelled ones (units back, refunds) so the shop's invariants hold afterwards.
      for (const o of outcomes.filter((x) => x.cancelled)) await t.ctx.services.cancellation.settle(o.id);
    });

    it('has exactly one winner through the API: the customer cancelling or the warehouse packing', async () => {
      const ids: string[] = [];
      for (let i = 0; i < ORDERS; i++) ids.push(await placeOrder(t.app, buyer, [productId]));
      const shipmentIds = await Promise.all(
        ids.map(async (id) => {
          const detail = await waitFor(() => orderDetail(t.app, buyer, id), (d) => d.shipments.length === 1, `shipment of ${id}`);
          const shipmentId = detail.shipments[0].id as string;
          expect((await reportStep(t.app, admin, shipmentId, { type: 'picked' })).statusCode).toBe(200);
          return shipmentId;
        }),
      );
      const outcomes = await Promise.all(
        ids.map(async (id, i) => {
          const [cancel, pack] = await Promise.all([
            t.app.inject({ method: 'POST', url: `/v1/orders/${id}/cancel`, headers: buyer.auth, payload: { reason: 'race' } }),
            reportStep(t.app, admin, shipmentIds[i]!, { type: 'packed' }),
          ]);
          return { id, shipmentId: shipmentIds[i]!, cancel, pack };
        }),
      );
      for (const { id, shipmentId, cancel, pack } of outcomes) {
        const cancelWon = cancel.statusCode === 200;
        const packWon = pack.statusCode === 200;
        expect(cancelWon !== packWon, `order ${id}: cancel ${cancel.statusCode} ${cancel.body} / pack ${pack.statusCode} ${pack.body}`).toBe(true);
        if (cancelWon) {
          expect(errorCode(pack)).toMatch(/^(order_cancelled|invalid_shipment_transition)$/);
          const detail = await waitFor(() => orderDetail(t.app, buyer, id), (d) => d.shipments[0].status === 'cancelled', `shipment ${shipmentId} cancelled`);
          expect(detail.order).toMatchObject({ status: 'cancelled', refund_status: 'done' });
        } else {
          expect(errorCode(cancel)).toBe('order_not_cancellable');
          const detail = await orderDetail(t.app, buyer, id);
          expect(detail.order.status).not.toBe('cancelled');
          expect(detail.shipments[0].status).toBe('packed');
        }
      }
    });
  },
);
