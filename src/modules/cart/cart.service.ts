import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/database.ts';
import { isUuid } from '../../platform/ids.ts';
import type { PeriodicJob } from '../../platform/jobs.ts';
import * as errors from './cart.errors.ts';
import * as repo from './cart.repository.ts';
import type { Cart, CartLine, CartOptions, CartProduct, Customer, NewCartItem, ProductSource } from './cart.types.ts';

const DAY_MS = 86_400_000;
const EXPIRY_BATCH = 500;

/**
 * Durable per-customer carts: one per account, shared by all its devices, keyed by the
 * principal's account id (there is no way to address another customer's cart).
 *
 * Invariants: every line has 1..min(maxQuantity, product purchase limit) units; at most
 * `maxLines` lines; all lines in one currency; unit prices and snapshots come from the
 * catalog at add/update time, never from the caller. A cart holds no stock. A cart not
 * written for `expiryDays` reads as empty and is deleted.
 *
 * Error codes: `validation_failed` (400), `product_not_found` / `cart_item_not_found` (404),
 * `product_unavailable`, `currency_mismatch`, `cart_full`, `quantity_limit_exceeded`,
 * `purchase_limit_exceeded` (422). A refused request changes nothing.
 */
export class CartService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
    private readonly products: ProductSource,
    private readonly options: CartOptions,
  ) {}

  async getCart(principal: Customer): Promise<Cart> {
    return this.getCartForCheckout(principal.accountId);
  }

  /** The cart of `accountId`, for the checkout saga (which has already authenticated the customer). */
  async getCartForCheckout(accountId: string): Promise<Cart> {
    const now = this.clock.now();
    const found = await repo.findCartWithLines(this.db, accountId);
    if (!found) return emptyCart(accountId);
    if (this.isExpired(found.cart, now)) {
      await repo.deleteCartIfExpired(this.db, accountId, this.cutoff(now));
      return emptyCart(accountId);
    }
    return buildCart(accountId, found.lines, found.cart.updatedAt);
  }

  /** Adds `quantity` units to the product's line (creating it); returns the whole cart. */
  async addItem(principal: Customer, item: NewCartItem): Promise<Cart> {
    const customerId = principal.accountId;
    const productId = normalizeProductId(item.productId);
    assertQuantity(item.quantity, 1);
    const product = await this.loadProduct(productId);
    const limit = this.limitFor(product);
    if (item.quantity > limit.max) throw errors.limitExceeded(limit, product.id, 0, item.quantity);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      await repo.deleteCartIfExpired(trx, customerId, this.cutoff(now));
      const cart = await repo.upsertCart(trx, customerId, product.price.currency, now);
      const lines = await repo.listLines(trx, customerId);
      const current = lines.find((l) => l.productId === product.id)?.quantity ?? 0;
      await this.assertCurrency(trx, cart, lines, product);
      if (current === 0 && lines.length >= this.options.maxLines) throw errors.cartFull(this.options.maxLines);
      if (current + item.quantity > limit.max) throw errors.limitExceeded(limit, product.id, current, item.quantity);
      const added = await repo.addToLine(trx, lineValues(customerId, product, item.quantity, now), limit.max);
      if (added === undefined) throw errors.limitExceeded(limit, product.id, current, item.quantity);
      return this.readCart(trx, customerId);
    });
  }

  /**
   * Sets a line's quantity (0 removes it), re-pricing it from the catalog. The line must
   * already be in the cart (`cart_item_not_found`).
   */
  async setQuantity(principal: Customer, rawProductId: string, quantity: number): Promise<Cart> {
    const customerId = principal.accountId;
    const productId = normalizeProductId(rawProductId);
    assertQuantity(quantity, 0);
    // Checked before asking the catalog, so a missing line is reported as such.
    const before = await this.getCartForCheckout(customerId);
    if (!before.items.some((l) => l.productId === productId)) throw errors.cartItemNotFound(productId);
    if (quantity === 0) return this.removeLine(customerId, productId);

    const product = await this.loadProduct(productId);
    const limit = this.limitFor(product);
    if (quantity > limit.max) throw errors.limitExceeded(limit, productId, lineQuantity(before.items, productId), quantity);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const cart = await this.lockLiveCart(trx, customerId, now);
      const lines = cart ? await repo.listLines(trx, customerId) : [];
      if (!cart || !lines.some((l) => l.productId === productId)) throw errors.cartItemNotFound(productId);
      await this.assertCurrency(trx, cart, lines, product);
      await repo.updateLine(trx, lineValues(customerId, product, quantity, now));
      await repo.touchCart(trx, customerId, now);
      return this.readCart(trx, customerId);
    });
  }

  /**
   * Moves a signed-out visitor's cart (kept under an opaque guest id) into the account's cart
   * when they sign in: units add to existing lines, re-priced from the catalog; a line that
   * would break a limit keeps as many units as allowed, and one no longer for sale is left out.
   * The guest cart is deleted afterwards. Returns the product ids that could not be moved.
   */
  async mergeGuestCart(guestId: string, principal: Customer): Promise<{ merged: number; skipped: string[] }> {
    if (!isUuid(guestId) || guestId.toLowerCase() === principal.accountId.toLowerCase()) return { merged: 0, skipped: [] };
    const guest = await this.getCartForCheckout(guestId);
    const skipped: string[] = [];
    let merged = 0;
    for (const line of guest.items) {
      const moved = await this.addAsManyAsAllowed(principal, line.productId, line.quantity);
      if (moved > 0) merged += 1;
      else skipped.push(line.productId);
    }
    await repo.deleteCart(this.db, guestId);
    return { merged, skipped };
  }

  async clear(principal: Customer): Promise<void> {
    await repo.deleteCart(this.db, principal.accountId);
  }

  /**
   * After an order exists: takes the bought units off the cart. A line the customer has
   * meanwhile raised above the bought quantity keeps the difference; lines no longer in
   * the cart are ignored. Idempotent only per distinct call; the saga calls it once.
   */
  async removePurchasedItems(accountId: string, lines: { productId: string; quantity: number }[]): Promise<void> {
    const bought = new Map<string, number>();
    for (const line of lines) {
      const productId = normalizeProductId(line.productId);
      assertQuantity(line.quantity, 1);
      bought.set(productId, (bought.get(productId) ?? 0) + line.quantity);
    }
    if (bought.size === 0) return;
    const now = this.clock.now();
    await repo.subtractPurchased(this.db, accountId, bought, now);
  }

  /** Deletes every cart untouched for `expiryDays`, in batches; returns how many went. */
  async deleteExpiredCarts(batchSize = EXPIRY_BATCH): Promise<number> {
    const cutoff = this.cutoff(this.clock.now());
    let total = 0;
    for (;;) {
      const deleted = await repo.deleteExpiredBatch(this.db, cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  /** How many carts with items nobody changed since `since` (cart abandonment, for metrics). */
  async countIdleCartsWithItems(since: Date): Promise<number> {
    return repo.countIdleWithItems(this.db, since);
  }

  /** Background job for the worker role; safe in several processes at once (rows are claimed with SKIP LOCKED). */
  cartExpiryJob(intervalMs: number): PeriodicJob {
    return { name: 'cart.expiry', intervalMs, run: () => this.deleteExpiredCarts() };
  }

  private async addAsManyAsAllowed(principal: Customer, productId: string, quantity: number): Promise<number> {
    try {
      await this.addItem(principal, { productId, quantity });
      return quantity;
    } catch (error) {
      const details = (error as { details?: { max_quantity?: number; in_cart?: number } }).details;
      const room = details?.max_quantity !== undefined ? details.max_quantity - (details.in_cart ?? 0) : 0;
      if (room <= 0 || room >= quantity) return 0;
      try {
        await this.addItem(principal, { productId, quantity: room });
        return room;
      } catch {
        return 0;
      }
    }
  }

  private async removeLine(customerId: string, productId: string): Promise<Cart> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const cart = await this.lockLiveCart(trx, customerId, now);
      if (!cart || !(await repo.deleteLine(trx, customerId, productId))) throw errors.cartItemNotFound(productId);
      await repo.touchCart(trx, customerId, now);
      return this.readCart(trx, customerId);
    });
  }

  /** Locks the customer's cart; an expired one is deleted and reported as absent. */
  private async lockLiveCart(trx: Transaction<any>, customerId: string, now: Date): Promise<repo.CartRow | undefined> {
    const cart = await repo.lockCart(trx, customerId);
    if (cart && this.isExpired(cart, now)) {
      await repo.deleteCart(trx, customerId);
      return undefined;
    }
    return cart;
  }

  /** All lines share one currency; a cart whose other lines are gone takes the product's currency. */
  private async assertCurrency(trx: Executor<any>, cart: repo.CartRow, lines: CartLine[], product: CartProduct): Promise<void> {
    const currency = product.price.currency;
    const other = lines.find((l) => l.productId !== product.id);
    if (other && other.unitPrice.currency !== currency) throw errors.currencyMismatch(other.unitPrice.currency, currency);
    if (!other && cart.currency !== currency) await repo.setCartCurrency(trx, cart.customerId, currency);
  }

  private async loadProduct(productId: string): Promise<CartProduct> {
    const product = (await this.products.findProducts([productId])).get(productId);
    if (!product) throw errors.productNotFound(productId);
    if (product.status !== 'active') throw errors.productUnavailable(productId, product.status);
    return product;
  }

  private limitFor(product: CartProduct): errors.QuantityLimit {
    const { purchaseLimit } = product;
    if (purchaseLimit !== null && purchaseLimit < this.options.maxQuantity) return { max: purchaseLimit, code: 'purchase_limit_exceeded' };
    return { max: this.options.maxQuantity, code: 'quantity_limit_exceeded' };
  }

  private async readCart(executor: Executor<any>, customerId: string): Promise<Cart> {
    const cart = await repo.findCart(executor, customerId);
    if (!cart) return emptyCart(customerId);
    return buildCart(customerId, await repo.listLines(executor, customerId), cart.updatedAt);
  }

  private cutoff(now: Date): Date {
    return new Date(now.getTime() - this.options.expiryDays * DAY_MS);
  }

  private isExpired(cart: repo.CartRow, now: Date): boolean {
    return cart.updatedAt.getTime() < this.cutoff(now).getTime();
  }
}

function assertQuantity(quantity: number, min: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < min) throw errors.invalidInput(`quantity must be an integer of at least ${min}`);
}

/** Ids are compared as text in maps, so one spelling (PostgreSQL's: lower case) is used throughout. */
function normalizeProductId(productId: string): string {
  if (typeof productId !== 'string' || !isUuid(productId)) throw errors.invalidInput('product_id must be a UUID');
  return productId.toLowerCase();
}

const lineQuantity = (lines: CartLine[], productId: string) => lines.find((l) => l.productId === productId)?.quantity ?? 0;

function lineValues(customerId: string, product: CartProduct, quantity: number, now: Date): repo.LineValues {
  return {
    customerId,
    productId: product.id,
    quantity,
    unitPriceAmount: product.price.amount,
    currency: product.price.currency,
    snapshot: { title: product.title, brand: product.brand, image: product.images[0] ?? null, sellerId: product.sellerId },
    now,
  };
}

function emptyCart(customerId: string): Cart {
  return { customerId, currency: null, items: [], subtotal: { amount: 0, currency: null }, itemCount: 0, updatedAt: null };
}

function buildCart(customerId: string, items: CartLine[], updatedAt: Date): Cart {
  if (items.length === 0) return { ...emptyCart(customerId), updatedAt };
  const currency = items[0]!.unitPrice.currency;
  return {
    customerId,
    currency,
    items,
    subtotal: { amount: items.reduce((sum, l) => sum + l.lineTotal.amount, 0), currency },
    itemCount: items.reduce((sum, l) => sum + l.quantity, 0),
    updatedAt,
  };
}
