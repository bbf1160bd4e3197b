import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { CartItemsTable, CartTables, SnapshotJson } from './cart.tables.ts';
import type { CartLine, ProductSnapshot } from './cart.types.ts';

type Db = Executor<CartTables>;
const as = (executor: Executor<any>) => executor as Db;

export interface CartRow {
  customerId: string;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface LineValues {
  customerId: string;
  productId: string;
  quantity: number;
  unitPriceAmount: number;
  currency: string;
  snapshot: ProductSnapshot;
  now: Date;
}

const toSnapshotJson = (s: ProductSnapshot): string =>
  JSON.stringify({ title: s.title, brand: s.brand, image: s.image, seller_id: s.sellerId } satisfies SnapshotJson);

const parseSnapshot = (value: SnapshotJson | string): ProductSnapshot => {
  const json: SnapshotJson = typeof value === 'string' ? JSON.parse(value) : value;
  return { title: json.title, brand: json.brand, image: json.image ?? null, sellerId: json.seller_id };
};

const toLine = (row: Selectable<CartItemsTable>): CartLine => {
  const currency = row.currency.trim();
  return {
    productId: row.product_id,
    quantity: row.quantity,
    unitPrice: { amount: row.unit_price_amount, currency },
    lineTotal: { amount: row.unit_price_amount * row.quantity, currency },
    snapshot: parseSnapshot(row.product_snapshot),
    addedAt: row.added_at,
    updatedAt: row.updated_at,
  };
};

export async function findCart(executor: Executor<any>, customerId: string): Promise<CartRow | undefined> {
  const row = await as(executor).selectFrom('carts').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  return row ? { customerId: row.customer_id, currency: row.currency.trim(), createdAt: row.created_at, updatedAt: row.updated_at } : undefined;
}

/** The cart and its lines (oldest first) in one round trip. */
export async function findCartWithLines(executor: Executor<any>, customerId: string): Promise<{ cart: CartRow; lines: CartLine[] } | undefined> {
  const { rows } = await sql<Selectable<CartItemsTable> & { cart_currency: string; cart_created_at: Date; cart_updated_at: Date; cart_customer_id: string }>`
    select c.customer_id as cart_customer_id, c.currency as cart_currency, c.created_at as cart_created_at, c.updated_at as cart_updated_at, i.*
    from carts c left join cart_items i on i.customer_id = c.customer_id
    where c.customer_id = ${customerId}
    order by i.added_at, i.product_id`.execute(executor);
  const first = rows[0];
  if (!first) return undefined;
  const cart = { customerId: first.cart_customer_id, currency: first.cart_currency.trim(), createdAt: first.cart_created_at, updatedAt: first.cart_updated_at };
  return { cart, lines: rows.filter((r) => r.product_id !== null).map(toLine) };
}

/** Locks the cart row for the rest of the transaction, so writes to one cart are serialised. */
export async function lockCart(executor: Executor<any>, customerId: string): Promise<CartRow | undefined> {
  const row = await as(executor).selectFrom('carts').selectAll().where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
  return row ? { customerId: row.customer_id, currency: row.currency.trim(), createdAt: row.created_at, updatedAt: row.updated_at } : undefined;
}

/** Creates the cart or touches it; either way the row stays locked until the transaction ends. */
export async function upsertCart(executor: Executor<any>, customerId: string, currency: string, now: Date): Promise<CartRow> {
  const row = await as(executor)
    .insertInto('carts')
    .values({ customer_id: customerId, currency, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { customerId: row.customer_id, currency: row.currency.trim(), createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function setCartCurrency(executor: Executor<any>, customerId: string, currency: string): Promise<void> {
  await as(executor).updateTable('carts').set({ currency }).where('customer_id', '=', customerId).execute();
}

export async function touchCart(executor: Executor<any>, customerId: string, now: Date): Promise<void> {
  await as(executor).updateTable('carts').set({ updated_at: now }).where('customer_id', '=', customerId).execute();
}

export async function listLines(executor: Executor<any>, customerId: string): Promise<CartLine[]> {
  const rows = await as(executor)
    .selectFrom('cart_items')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('added_at')
    .orderBy('product_id')
    .execute();
  return rows.map(toLine);
}

/**
 * Adds `quantity` to the line (creating it if needed) in one statement, refreshing price and
 * snapshot. The sum is checked against `maxQuantity` inside the statement, so a concurrent
 * add can never push a line past it; returns undefined when the sum would exceed it.
 */
export async function addToLine(executor: Executor<any>, line: LineValues, maxQuantity: number): Promise<number | undefined> {
  const row = await as(executor)
    .insertInto('cart_items')
    .values({
      customer_id: line.customerId,
      product_id: line.productId,
      quantity: line.quantity,
      unit_price_amount: line.unitPriceAmount,
      currency: line.currency,
      product_snapshot: toSnapshotJson(line.snapshot),
      added_at: line.now,
      updated_at: line.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['customer_id', 'product_id'])
        .doUpdateSet((eb) => ({
          quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')),
          unit_price_amount: eb.ref('excluded.unit_price_amount'),
          currency: eb.ref('excluded.currency'),
          product_snapshot: eb.ref('excluded.product_snapshot'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where(sql<boolean>`cart_items.quantity + excluded.quantity <= ${maxQuantity}`),
    )
    .returning('quantity')
    .executeTakeFirst();
  return row?.quantity;
}

/** Sets an existing line's quantity and refreshes its price and snapshot; false if there is no such line. */
export async function updateLine(executor: Executor<any>, line: LineValues): Promise<boolean> {
  const result = await as(executor)
    .updateTable('cart_items')
    .set({
      quantity: line.quantity,
      unit_price_amount: line.unitPriceAmount,
      currency: line.currency,
      product_snapshot: toSnapshotJson(line.snapshot),
      updated_at: line.now,
    })
    .where('customer_id', '=', line.customerId)
    .where('product_id', '=', line.productId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteLine(executor: Executor<any>, customerId: string, productId: string): Promise<boolean> {
  const result = await as(executor).deleteFrom('cart_items').where('customer_id', '=', customerId).where('product_id', '=', productId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Takes `bought` units off a line: deletes it if that is all of it, otherwise lowers its quantity. */
/**
 * Takes bought units off the cart's lines (a line bought whole goes) and touches the cart,
 * in one statement: the cart row is locked first (the other CTEs read from it), like every
 * cart write, so a concurrent add waits rather than interleaves.
 */
export async function subtractPurchased(executor: Executor<any>, customerId: string, bought: Map<string, number>, now: Date): Promise<void> {
  const values = sql.join([...bought].map(([productId, quantity]) => sql`(${productId}::uuid, ${quantity}::int)`));
  await sql`
    with cart as (
      update carts set updated_at = ${now} where customer_id = ${customerId} returning customer_id
    ), bought (product_id, quantity) as (values ${values}
    ), gone as (
      delete from cart_items i using bought b, cart
      where i.customer_id = cart.customer_id and i.product_id = b.product_id and i.quantity <= b.quantity
    )
    update cart_items i set quantity = i.quantity - b.quantity, updated_at = ${now}
    from bought b, cart
    where i.customer_id = cart.customer_id and i.product_id = b.product_id and i.quantity > b.quantity`.execute(executor);
}

export async function deleteCart(executor: Executor<any>, customerId: string): Promise<void> {
  await as(executor).deleteFrom('carts').where('customer_id', '=', customerId).execute();
}

/** Deletes the cart only if it is still older than `cutoff` (a concurrent write may have just renewed it). */
export async function deleteCartIfExpired(executor: Executor<any>, customerId: string, cutoff: Date): Promise<boolean> {
  const result = await as(executor).deleteFrom('carts').where('customer_id', '=', customerId).where('updated_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes up to `limit` carts untouched since `cutoff`; rows another transaction holds are left for the next batch. */
export async function deleteExpiredBatch(executor: Executor<any>, cutoff: Date, limit: number): Promise<number> {
  const result = await as(executor)
    .deleteFrom('carts')
    .where('customer_id', 'in', (eb) =>
      eb.selectFrom('carts').select('customer_id').where('updated_at', '<', cutoff).orderBy('updated_at').limit(limit).forUpdate().skipLocked(),
    )
    .where('updated_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Carts holding at least one line that nobody changed since `since` (abandoned carts). */
export async function countIdleWithItems(executor: Executor<any>, since: Date): Promise<number> {
  const row = await as(executor)
    .selectFrom('carts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('updated_at', '<', since)
    .where((eb) => eb.exists(eb.selectFrom('cart_items').select('cart_items.product_id').whereRef('cart_items.customer_id', '=', 'carts.customer_id')))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
