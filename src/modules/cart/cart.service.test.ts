import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, CONCURRENT_BACKENDS, createTestDatabases, type Backend, type TestDatabases } from '../../../test/helpers/databases.ts';
import { CartService, cartSchema, type CartProduct, type ProductSource } from './index.ts';
import { codeOf } from '../../../test/helpers/refusal.ts';

const DAY = 86_400_000;

class FakeCatalog implements ProductSource {
  readonly products = new Map<string, CartProduct>();
  add(overrides: Partial<CartProduct> = {}): CartProduct {
    const product: CartProduct = {
      id: newId(),
      title: 'Kettle',
      brand: 'Acme',
      sellerId: newId(),
      price: { amount: 1999, currency: 'USD' },
      images: ['/img/kettle.jpg'],
      status: 'active',
      purchaseLimit: null,
      ...overrides,
    };
    this.products.set(product.id, product);
    return product;
  }
  async findProducts(ids: string[]) {
    return new Map(ids.flatMap((id) => (this.products.has(id) ? [[id, this.products.get(id)!] as const] : [])));
  }
}

async function setup(backend: Backend, options = { maxLines: 3, maxQuantity: 10, expiryDays: 30 }) {
  const databases = await createTestDatabases(backend);
  await migrateToLatest(databases, [cartSchema]);
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const catalog = new FakeCatalog();
  return { databases, clock, catalog, cart: new CartService(databases.main, clock, catalog, options) };
}

describe.each(BACKENDS)('CartService (%s)', (backend) => {
  let databases: TestDatabases;
  let clock: ManualClock;
  let catalog: FakeCatalog;
  let cart: CartService;
  let me: { accountId: string };
  beforeAll(async () => {
    ({ databases, clock, catalog, cart } = await setup(backend));
  });
  afterAll(async () => databases?.close());
  beforeEach(() => {
    me = { accountId: newId() };
  });

  it('sums repeated adds into one line and prices it from the catalog', async () => {
    const kettle = catalog.add();
    const mug = catalog.add({ title: 'Mug', brand: null, images: [], price: { amount: 450, currency: 'USD' } });
    await cart.addItem(me, { productId: kettle.id, quantity: 2 });
    await cart.addItem(me, { productId: mug.id, quantity: 3 });
    const result = await cart.addItem(me, { productId: kettle.id, quantity: 1 });
    expect(result.items.map((l) => [l.productId, l.quantity, l.lineTotal.amount])).toEqual([
      [kettle.id, 3, 5997],
      [mug.id, 3, 1350],
    ]);
    expect(result.subtotal).toEqual({ amount: 7347, currency: 'USD' });
    expect(result.itemCount).toBe(6);
    expect(result.items[1]!.snapshot).toEqual({ title: 'Mug', brand: null, image: null, sellerId: mug.sellerId });
  });

  it('re-prices a line when its quantity is set', async () => {
    const kettle = catalog.add();
    await cart.addItem(me, { productId: kettle.id, quantity: 1 });
    catalog.products.set(kettle.id, { ...kettle, price: { amount: 2500, currency: 'USD' }, title: 'Kettle 2' });
    const result = await cart.setQuantity(me, kettle.id, 2);
    expect(result.items[0]).toMatchObject({ quantity: 2, unitPrice: { amount: 2500 }, lineTotal: { amount: 5000 }, snapshot: { title: 'Kettle 2' } });
  });

  it('refuses a second currency but lets an emptied cart switch', async () => {
    const usd = catalog.add();
    const eur = catalog.add({ price: { amount: 100, currency: 'EUR' } });
    await cart.addItem(me, { productId: usd.id, quantity: 1 });
    expect(await codeOf(cart.addItem(me, { productId: eur.id, quantity: 1 }))).toBe('currency_mismatch');
    await cart.setQuantity(me, usd.id, 0);
    const switched = await cart.addItem(me, { productId: eur.id, quantity: 1 });
    expect(switched.currency).toBe('EUR');
    expect(switched.subtotal).toEqual({ amount: 100, currency: 'EUR' });
  });

  it('enforces the line, quantity and purchase limits without changing anything', async () => {
    const products = [catalog.add(), catalog.add(), catalog.add(), catalog.add()];
    for (const p of products.slice(0, 3)) await cart.addItem(me, { productId: p.id, quantity: 9 });
    const before = await cart.getCart(me);
    expect(await codeOf(cart.addItem(me, { productId: products[3]!.id, quantity: 1 }))).toBe('cart_full');
    expect(await codeOf(cart.addItem(me, { productId: products[0]!.id, quantity: 2 }))).toBe('quantity_limit_exceeded');
    expect(await codeOf(cart.setQuantity(me, products[0]!.id, 11))).toBe('quantity_limit_exceeded');
    expect(await cart.getCart(me)).toEqual(before);

    const limited = catalog.add({ purchaseLimit: 2 });
    const other = { accountId: newId() };
    await cart.addItem(other, { productId: limited.id, quantity: 2 });
    expect(await codeOf(cart.addItem(other, { productId: limited.id, quantity: 1 }))).toBe('purchase_limit_exceeded');
    expect(await codeOf(cart.setQuantity(other, limited.id, 3))).toBe('purchase_limit_exceeded');
    expect((await cart.getCart(other)).items[0]!.quantity).toBe(2);
  });

  it('refuses unknown, unavailable and malformed input', async () => {
    const inactive = catalog.add({ status: 'inactive' });
    const suspended = catalog.add({ status: 'suspended' });
    expect(await codeOf(cart.addItem(me, { productId: newId(), quantity: 1 }))).toBe('product_not_found');
    expect(await codeOf(cart.addItem(me, { productId: inactive.id, quantity: 1 }))).toBe('product_unavailable');
    expect(await codeOf(cart.addItem(me, { productId: suspended.id, quantity: 1 }))).toBe('product_unavailable');
    expect(await codeOf(cart.addItem(me, { productId: 'nope', quantity: 1 }))).toBe('validation_failed');
    expect(await codeOf(cart.addItem(me, { productId: newId(), quantity: 1.5 }))).toBe('validation_failed');
    expect(await codeOf(cart.setQuantity(me, newId(), 1))).toBe('cart_item_not_found');
    expect(await codeOf(cart.setQuantity(me, newId(), 0))).toBe('cart_item_not_found');
    expect((await cart.getCart(me)).items).toEqual([]);
    const rows = await databases.main.selectFrom('carts').selectAll().where('customer_id', '=', me.accountId).execute();
    expect(rows).toEqual([]);
  });

  it('removes purchased lines, keeping units the customer added meanwhile', async () => {
    const [a, b, c] = [catalog.add(), catalog.add(), catalog.add()];
    await cart.addItem(me, { productId: a.id, quantity: 2 });
    await cart.addItem(me, { productId: b.id, quantity: 5 });
    await cart.addItem(me, { productId: c.id, quantity: 1 });
    await cart.removePurchasedItems(me.accountId, [
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 3 },
      { productId: newId(), quantity: 1 },
    ]);
    const after = await cart.getCartForCheckout(me.accountId);
    expect(after.items.map((l) => [l.productId, l.quantity])).toEqual([
      [b.id, 2],
      [c.id, 1],
    ]);
  });

  it('expires carts untouched for expiryDays, on read and by the job', async () => {
    const p = catalog.add();
    const stale = { accountId: newId() };
    const fresh = { accountId: newId() };
    await cart.addItem(stale, { productId: p.id, quantity: 1 });
    await cart.addItem(me, { productId: p.id, quantity: 1 });
    clock.advance(29 * DAY);
    await cart.addItem(fresh, { productId: p.id, quantity: 1 });
    expect((await cart.getCart(me)).items).toHaveLength(1);
    clock.advance(DAY + 1);

    expect(await cart.getCart(me)).toMatchObject({ items: [], itemCount: 0, updatedAt: null });
    const remaining = async () =>
      (await databases.main.selectFrom('carts').select('customer_id').where('customer_id', 'in', [me.accountId, stale.accountId, fresh.accountId]).execute()).map((r) => r.customer_id);
    expect(await remaining()).not.toContain(me.accountId);

    const job = cart.cartExpiryJob(60_000);
    expect(job.name).toBe('cart.expiry');
    await job.run();
    expect(await remaining()).toEqual([fresh.accountId]);
    expect((await cart.getCart(fresh)).items).toHaveLength(1);
  });

  it('deletes expired carts in batches until none is left', async () => {
    const p = catalog.add();
    const owners = Array.from({ length: 7 }, () => ({ accountId: newId() }));
    for (const owner of owners) await cart.addItem(owner, { productId: p.id, quantity: 1 });
    clock.advance(31 * DAY);
    expect(await cart.deleteExpiredCarts(3)).toBeGreaterThanOrEqual(7);
    expect(await cart.deleteExpiredCarts(3)).toBe(0);
  });
});

describe.each(CONCURRENT_BACKENDS)('CartService under concurrency (%s)', (backend) => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    ctx = await setup(backend, { maxLines: 5, maxQuantity: 10, expiryDays: 30 });
  });
  afterAll(async () => ctx?.databases.close());

  it('sums simultaneous adds of the same product without losing one', async () => {
    const me = { accountId: newId() };
    const p = ctx.catalog.add();
    await Promise.all(Array.from({ length: 8 }, () => ctx.cart.addItem(me, { productId: p.id, quantity: 1 })));
    expect((await ctx.cart.getCart(me)).items[0]!.quantity).toBe(8);
  });

  it('lets exactly the adds that fit under the quantity limit through', async () => {
    const me = { accountId: newId() };
    const p = ctx.catalog.add();
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => ctx.cart.addItem(me, { productId: p.id, quantity: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    expect(new Set(reasons)).toEqual(new Set(['quantity_limit_exceeded']));
    expect((await ctx.cart.getCart(me)).items[0]!.quantity).toBe(10);
  });

  it('never lets simultaneous adds of different products exceed the line limit', async () => {
    const me = { accountId: newId() };
    const products = Array.from({ length: 9 }, () => ctx.catalog.add());
    const results = await Promise.allSettled(products.map((p) => ctx.cart.addItem(me, { productId: p.id, quantity: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect((await ctx.cart.getCart(me)).items).toHaveLength(5);
  });
});
