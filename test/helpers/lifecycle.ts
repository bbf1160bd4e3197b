import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { connect } from 'nats';
import type { AppContext } from '../../src/app/context.ts';
import { signCarrierWebhook } from '../../src/modules/fulfillment/index.ts';
import { DEMO_CARRIER_WEBHOOK_SECRETS } from '../../src/platform/config.ts';
import { newId } from '../../src/platform/ids.ts';
import type { Session } from './app.ts';
import { addToCart, checkout, createWarehouse, stockedProducts, WAREHOUSE_ZIPS, type Buyer } from './shop.ts';
export { waitFor } from './wait.ts';

/** Settings that make the event pipeline and the simulator quick in tests. */
export const FAST_LIFECYCLE = { EVENTS_POLL_INTERVAL_MS: '20', EVENTS_RETRY_BASE_MS: '20', SIMULATOR_STEP_SECONDS: '0', DEFAULT_PURCHASE_LIMIT: '100000' };

/** Two products: one stocked only in an east warehouse, one only in a west one, so an order of both ships as two parcels. */
export async function splitStock(ctx: AppContext, stock = 100) {
  const east = await createWarehouse(ctx, WAREHOUSE_ZIPS.east);
  const west = await createWarehouse(ctx, WAREHOUSE_ZIPS.west);
  const { productIds: [eastProduct] } = await stockedProducts(ctx, { stock, warehouseIds: [east.id] });
  const { productIds: [westProduct] } = await stockedProducts(ctx, { stock, warehouseIds: [west.id] });
  return { east: east.id, west: west.id, eastProduct: eastProduct!, westProduct: westProduct! };
}

/** Puts the products in the buyer's cart and checks out; returns the order id. */
export async function placeOrder(app: FastifyInstance, buyer: Buyer, productIds: string[]): Promise<string> {
  for (const productId of productIds) await addToCart(app, buyer, productId, 1);
  const response = await checkout(app, buyer);
  if (response.statusCode !== 201) throw new Error(`checkout failed: ${response.statusCode} ${response.body}`);
  return response.json().order_id as string;
}

export async function orderDetail(app: FastifyInstance, session: Session, orderId: string) {
  const response = await app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: session.auth });
  if (response.statusCode !== 200) throw new Error(`order detail failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export function reportStep(app: FastifyInstance, admin: Session, shipmentId: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: `/v1/admin/shipments/${shipmentId}/events`, headers: admin.auth, payload: body });
}

/** A carrier webhook request, signed with the demo secret of `carrier` unless told otherwise. */
export function carrierWebhook(
  app: FastifyInstance,
  carrier: string,
  body: Record<string, unknown>,
  options: { secret?: string; timestamp?: number; raw?: string; signature?: string } = {},
): Promise<LightMyRequestResponse> {
  const raw = options.raw ?? JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = options.signature ?? signCarrierWebhook(options.secret ?? (Object.hasOwn(DEMO_CARRIER_WEBHOOK_SECRETS, carrier) ? DEMO_CARRIER_WEBHOOK_SECRETS[carrier]! : 'no-secret'), timestamp, raw);
  return app.inject({
    method: 'POST',
    url: `/v1/webhooks/carriers/${carrier}`,
    headers: { 'content-type': 'application/json', 'x-carrier-signature': signature, 'x-carrier-timestamp': timestamp },
    payload: raw,
  });
}

export const newDeliveryId = () => `dlv_${newId()}`;

export async function countRows(ctx: AppContext, domain: 'main' | 'orders', table: string, where: Record<string, unknown> = {}): Promise<number> {
  let query = ctx.databases[domain].selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** CI sets TEST_NATS_URL and must fail, not time out or skip, when NATS is not there. */
export async function assertNatsReachable(url = process.env.TEST_NATS_URL!): Promise<void> {
  const nc = await connect({ servers: url, timeout: 3000 }).catch((error: unknown) => {
    throw new Error(`TEST_NATS_URL=${url} is set but NATS is unreachable: ${String(error)}`);
  });
  await nc.close();
}

/** Removes a test's JetStream stream (never the server's other streams). */
export async function deleteStream(prefix: string, url = process.env.TEST_NATS_URL!): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await nc.jetstreamManager()).streams.delete(`${prefix}_EVENTS`).catch(() => false);
  } finally {
    await nc.close();
  }
}
