/**
 * What the fault matrix counts in the database after each row, straight from the primary
 * (never through the application): orders against acknowledgements, payments against
 * orders, units sold against units ordered, events written against events applied, and
 * notifications per change.
 */
import pg from 'pg';
import { FINISHED_CHECKOUT_STATES } from '../../src/modules/checkout/index.ts';

export interface RowCounts {
  acknowledged: number;
  ordersForKeys: number;
  /** Acknowledged to a client but not in the database: lost. */
  lostOrders: number;
  /** Keys with more than one order: doubled. */
  doubledOrders: number;
  /** In the database for a key whose client gave up or was told otherwise (converged later). */
  unacknowledgedOrders: number;
  capturedPayments: number;
  orders: number;
  ordersWithoutCapture: number;
  capturesWithoutOrder: number;
  unitsSold: number;
  unitsInOrders: number;
  reservedUnits: number;
  stockInvariantViolations: number;
  unfinishedCheckouts: number;
  eventsWritten: number;
  eventsUnpublished: number;
  /** Sum over consumers of events of the types each consumes, and of those it applied. */
  eventsExpected: number;
  eventsApplied: number;
  deadLetters: number;
  ordersWithoutPlacedNotification: number;
  doubledNotifications: number;
}

const one = async (client: pg.Client, text: string, values: unknown[] = []) => Number(Object.values((await client.query(text, values)).rows[0] ?? { n: 0 })[0] ?? 0);

export async function countRow(databaseUrl: string, tag: string, acknowledged: Map<string, string>): Promise<RowCounts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: keyed } = await client.query<{ idempotency_key: string; id: string }>('select idempotency_key, id from orders where idempotency_key like $1', [`${tag}:%`]);
    const byKey = new Map<string, string[]>();
    for (const row of keyed) byKey.set(row.idempotency_key, [...(byKey.get(row.idempotency_key) ?? []), row.id]);
    let lost = 0;
    for (const [key, orderId] of acknowledged) if (!byKey.get(key)?.includes(orderId)) lost++;
    const consumers = await client.query<{ expected: number; applied: number }>(
      `with handled as (select distinct p.consumer, o.type from processed_events p join outbox o on o.id = p.event_id)
       select coalesce(sum((select count(*) from outbox o where o.type = h.type)), 0)::int as expected,
              coalesce(sum((select count(*) from processed_events p join outbox o on o.id = p.event_id where p.consumer = h.consumer and o.type = h.type)), 0)::int as applied
       from handled h`,
    );
    return {
      acknowledged: acknowledged.size,
      ordersForKeys: keyed.length,
      lostOrders: lost,
      doubledOrders: [...byKey.values()].filter((ids) => ids.length > 1).length,
      unacknowledgedOrders: [...byKey.keys()].filter((key) => !acknowledged.has(key)).length,
      capturedPayments: await one(client, `select count(*) from payments where status = 'captured'`),
      orders: await one(client, 'select count(*) from orders'),
      ordersWithoutCapture: await one(client, `select count(*) from orders o left join payments p on p.id = o.payment_id where p.id is null or p.status not in ('captured', 'refunded')`),
      capturesWithoutOrder: await one(client, `select count(*) from payments p where p.status = 'captured' and not exists (select 1 from orders o where o.payment_id = p.id)`),
      unitsSold: await one(client, 'select coalesce(sum(sold_stock), 0) from stock_levels'),
      unitsInOrders: await one(client, `select coalesce(sum(i.quantity), 0) from order_items i join orders o on o.id = i.order_id where o.status <> 'cancelled'`),
      reservedUnits: await one(client, 'select coalesce(sum(reserved_stock), 0) from stock_levels'),
      stockInvariantViolations: await one(client, 'select count(*) from stock_levels where reserved_stock < 0 or sold_stock < 0 or reserved_stock + sold_stock > total_stock'),
      // The checkout module says which states are final: a state it adds is counted right without touching this file.
      unfinishedCheckouts: await one(client, 'select count(*) from checkouts where state <> all($1::text[])', [FINISHED_CHECKOUT_STATES]),
      eventsWritten: await one(client, 'select count(*) from outbox'),
      eventsUnpublished: await one(client, 'select count(*) from outbox where published_at is null'),
      eventsExpected: consumers.rows[0]?.expected ?? 0,
      eventsApplied: consumers.rows[0]?.applied ?? 0,
      deadLetters: await one(client, 'select count(*) from dead_letters'),
      ordersWithoutPlacedNotification: await one(client, `select count(*) from orders o where not exists (select 1 from notifications n where n.order_id = o.id and n.kind = 'order_placed')`),
      doubledNotifications: await one(
        client,
        `select count(*) from (select 1 from notifications group by order_id, kind, coalesce(shipment_id, '00000000-0000-0000-0000-000000000000'::uuid) having count(*) > 1) d`,
      ),
    };
  } finally {
    await client.end();
  }
}

/** Everything in flight has landed: no unfinished checkout, no unpublished or unapplied event, no held unit. */
export function settled(c: RowCounts): boolean {
  return c.unfinishedCheckouts === 0 && c.eventsUnpublished === 0 && c.eventsApplied + 0 >= c.eventsExpected && c.reservedUnits === 0 && c.ordersWithoutPlacedNotification === 0;
}

/** The invariants every row must hold once settled; each failure named. */
export function violations(c: RowCounts): string[] {
  const problems: string[] = [];
  if (c.lostOrders > 0) problems.push(`${c.lostOrders} acknowledged orders missing`);
  if (c.doubledOrders > 0) problems.push(`${c.doubledOrders} keys with two orders`);
  if (c.ordersWithoutCapture > 0) problems.push(`${c.ordersWithoutCapture} orders without a captured payment`);
  if (c.capturesWithoutOrder > 0) problems.push(`${c.capturesWithoutOrder} captured payments without an order`);
  if (c.unitsSold !== c.unitsInOrders) problems.push(`units sold ${c.unitsSold} ≠ units in orders ${c.unitsInOrders}`);
  if (c.stockInvariantViolations > 0) problems.push(`${c.stockInvariantViolations} stock rows break reserved + sold ≤ total`);
  if (c.reservedUnits > 0) problems.push(`${c.reservedUnits} units still reserved`);
  if (c.unfinishedCheckouts > 0) problems.push(`${c.unfinishedCheckouts} checkouts unfinished`);
  if (c.eventsUnpublished > 0) problems.push(`${c.eventsUnpublished} events unpublished`);
  if (c.eventsApplied !== c.eventsExpected) problems.push(`events applied ${c.eventsApplied} ≠ expected ${c.eventsExpected}`);
  if (c.deadLetters > 0) problems.push(`${c.deadLetters} dead letters`);
  if (c.ordersWithoutPlacedNotification > 0) problems.push(`${c.ordersWithoutPlacedNotification} orders without their notification`);
  if (c.doubledNotifications > 0) problems.push(`${c.doubledNotifications} changes notified twice`);
  return problems;
}
