import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { pgErrorCode, PG_UNIQUE_VIOLATION } from '../../platform/database.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.ts';
import { distanceKm, resolvePostalCode, type Coordinates } from '../../platform/geo.ts';
import { newId } from '../../platform/ids.ts';
import { lockKeyFor, type PeriodicJob } from '../../platform/jobs.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { appendToOutbox, EventTypes } from '../events/index.ts';
import { mergeLines } from './inventory.allocation.ts';
import * as repo from './inventory.repository.ts';
import { StockAllocator } from './inventory.reservations.ts';
import type {
  Availability,
  ImportedStock,
  LowStockProduct,
  ImportedWarehouse,
  NewWarehouse,
  ProductAvailability,
  Reservation,
  ReserveRequest,
  StockLevel,
  Warehouse,
} from './inventory.types.ts';

export interface InventoryOptions {
  /** At or below this many sellable units (and above zero) a product shows `low_stock`. */
  lowStockThreshold: number;
  reservationTtlSeconds: number;
  /** Guard singleton jobs with PostgreSQL advisory locks (not on PGlite, which one process owns). */
  singletonLocks?: boolean;
  /** Reservation outcomes, expiries and the inventory database's transaction latency go here. */
  metrics?: Metrics;
}

/** Buckets around the spec's alert (inventory DB p99 > 50 ms). */
const DB_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Largest total a row may hold: far above any real shelf, far below the int column's limit. */
export const MAX_TOTAL_STOCK = 10_000_000;
const SWEEP_BATCH = 500;
const LowStockCursor = cursorCodec({ a: { int: [-MAX_TOTAL_STOCK, MAX_TOTAL_STOCK] }, i: 'uuid' });
/** Rounds of "re-make what expired, confirm what is held" before confirm gives up on a racing sweeper. */
const CONFIRM_ROUNDS = 3;

const isLive = (r: repo.ReservationRow) => r.status === 'reserved' || r.status === 'confirmed';
const isLost = (r: repo.ReservationRow) => r.status === 'expired' && r.replaced_by === null;

/**
 * Stock per (product, warehouse) and the reservations that hold it during checkout.
 *
 * Invariant 1 (also enforced by CHECK constraints): 0 ≤ reserved, 0 ≤ sold,
 * reserved + sold ≤ total. Reserving is the spec's single conditional UPDATE, one short
 * transaction per warehouse attempt. Each reservation changes status at most once per
 * edge (reserved → confirmed | released | expired; confirmed → released on
 * cancellation), and its units move in the same statement as its status.
 *
 * Error codes: `out_of_stock` (409, details.product_ids), `reservation_lost` (409,
 * details.product_ids), `stock_below_committed` (409, details {reserved, sold}),
 * `warehouse_code_taken` (409), `warehouse_not_found` (404), `unknown_postal_code` /
 * `unsupported_country` (422), `invalid_stock` / `invalid_quantity` / `invalid_reservation` (400).
 */
export class InventoryService {
  private readonly allocator: StockAllocator;
  private readonly observed;

  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
    private readonly options: InventoryOptions,
  ) {
    this.allocator = new StockAllocator(db, clock);
    const metrics = options.metrics;
    this.observed = metrics && {
      duration: metrics.histogram('bazaar_inventory_db_duration_seconds', 'Time the buy path spends in the inventory database per operation (its transactions and statements)', ['operation'], DB_BUCKETS),
      reservations: metrics.counter(
        'bazaar_inventory_reservations_total',
        'Reservation attempts by outcome (reserved, out_of_stock, error); attempt="first" is a checkout reserving for the first time',
        ['outcome', 'attempt'],
      ),
      expired: metrics.counter('bazaar_inventory_reservations_expired_total', 'Reservations given back by the sweeper because their TTL ran out'),
    };
  }

  /** Times one inventory operation for bazaar_inventory_db_duration_seconds. */
  private async timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (!this.observed) return run();
    const stop = this.observed.duration.startTimer({ operation });
    try {
      return await run();
    } finally {
      stop();
    }
  }

  /** Adds a warehouse located by its postal code. */
  async createWarehouse(input: NewWarehouse): Promise<Warehouse> {
    const { latitude, longitude } = resolvePostalCode(input.postalCode, input.country);
    const sla = input.processingSlaHours ?? 24;
    if (!Number.isSafeInteger(sla) || sla <= 0) throw invalid('invalid_processing_sla', 'processing_sla_hours must be a positive integer');
    try {
      return await repo.insertWarehouse(this.db, {
        id: newId(),
        code: input.code,
        name: input.name,
        postal_code: input.postalCode.trim(),
        country: input.country.toUpperCase(),
        latitude,
        longitude,
        processing_sla_hours: sla,
        active: true,
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw conflict('warehouse_code_taken', `A warehouse with code ${input.code} exists`, { code: input.code });
      throw error;
    }
  }

  /** Every warehouse, active or not, by code. */
  listWarehouses(): Promise<Warehouse[]> {
    return repo.listWarehouses(this.db);
  }

  /** @throws `warehouse_not_found` */
  async getWarehouse(id: string): Promise<Warehouse> {
    const warehouse = await repo.findWarehouse(this.db, id);
    if (!warehouse) throw notFound('warehouse', id);
    return warehouse;
  }

  /**
   * Sets the units of a product in a warehouse (creating the row). One conditional
   * statement refuses a total below what is already reserved or sold
   * (`stock_below_committed`). Writes `inventory.stock.changed` in the same transaction.
   */
  async setTotalStock(productId: string, warehouseId: string, totalStock: number): Promise<StockLevel> {
    if (!Number.isSafeInteger(totalStock) || totalStock < 0 || totalStock > MAX_TOTAL_STOCK) {
      throw invalid('invalid_stock', `total_stock must be an integer from 0 to ${MAX_TOTAL_STOCK}`, { total_stock: totalStock });
    }
    const warehouse = await this.getWarehouse(warehouseId);
    return this.db.transaction().execute(async (trx) => {
      const row = await repo.upsertTotalStock(trx, productId, warehouseId, totalStock, this.clock.now());
      if (!row) {
        // The refused row stays locked by ON CONFLICT, so this read matches what refused it.
        const current = (await repo.findStockRow(trx, productId, warehouseId))!;
        const committed = current.reserved_stock + current.sold_stock;
        throw conflict('stock_below_committed', `Total stock cannot drop below the ${committed} units already reserved or sold`, {
          reserved: current.reserved_stock,
          sold: current.sold_stock,
        });
      }
      const available = Math.max(0, (await repo.availableByProduct(trx, [productId])).get(productId) ?? 0);
      await appendToOutbox(trx, { type: EventTypes.stockChanged, aggregateType: 'stock', aggregateId: productId, payload: { product_id: productId, available } });
      return repo.toStockLevel({ ...row, code: warehouse.code, latitude: warehouse.latitude, longitude: warehouse.longitude });
    });
  }

  /** The product's stock rows in active warehouses, by warehouse code. */
  async getStock(productId: string): Promise<StockLevel[]> {
    return (await repo.stockWithWarehouses(this.db, [productId])).map(repo.toStockLevel);
  }

  /**
   * Display-grade availability: sellable units over active warehouses. Every requested id
   * is in the map; a product without stock rows is `out_of_stock` with 0.
   */
  async getAvailability(productIds: string[]): Promise<Map<string, ProductAvailability>> {
    const available = await repo.availableByProduct(this.db, [...new Set(productIds)]);
    return new Map(productIds.map((id) => [id, this.describe(available.get(id) ?? 0)]));
  }

  /**
   * Products at or below the low-stock threshold (sold out included), fewest sellable units
   * first, keyset-paginated: the console's restocking list. Error codes: `invalid_cursor`.
   */
  async listLowStock(cursor: string | undefined, limit: number, threshold = this.options.lowStockThreshold): Promise<{ products: LowStockProduct[]; nextCursor: string | null; threshold: number }> {
    const after = cursor ? LowStockCursor.decode(cursor) : undefined;
    const rows = await repo.lowStockPage(this.db, threshold, after ? { available: after.a, productId: after.i } : undefined, limit + 1);
    const products = rows.slice(0, limit).map((r) => ({ ...r, available: Math.max(0, r.available) }));
    const last = rows[limit - 1];
    return { products, nextCursor: rows.length > limit && last ? LowStockCursor.encode({ a: last.available, i: last.productId }) : null, threshold };
  }

  /** The status shown for a number of sellable units. */
  describe(available: number): ProductAvailability {
    const units = Math.max(0, available);
    const status: Availability = units === 0 ? 'out_of_stock' : units <= this.options.lowStockThreshold ? 'low_stock' : 'in_stock';
    return { status, available: units };
  }

  /** The nearest active warehouse with sellable units of the product (for delivery promises on the product page). */
  async nearestWarehouseWithStock(productId: string, destination: Coordinates): Promise<Warehouse | undefined> {
    const rows = (await repo.stockWithWarehouses(this.db, [productId])).filter((r) => r.total_stock - r.reserved_stock - r.sold_stock > 0);
    const nearest = rows.sort((a, b) => distanceKm(destination, a) - distanceKm(destination, b))[0];
    return nearest ? repo.findWarehouse(this.db, nearest.warehouse_id) : undefined;
  }

  /**
   * Holds every line for the checkout, or nothing: on any shortfall everything the
   * checkout holds is released and `out_of_stock` (details.product_ids) is thrown.
   * Warehouses: the nearest one that can ship the whole order, else per line the nearest
   * with stock, splitting a line only when no single warehouse has enough.
   *
   * Idempotent: when the checkout already holds its lines (or has confirmed any), returns
   * its live reservations unchanged. A checkout holding only part of its lines (a crash
   * mid-call) or whose reservations expired gets the missing units reserved.
   */
  async reserve(request: ReserveRequest): Promise<Reservation[]> {
    const lines = this.validateReserve(request);
    let first = false;
    try {
      const reserved = await this.timed('reserve', async () => {
        // The saga says when this is its first attempt: nothing can be held yet, so nothing is read.
        const rows = request.first ? [] : await repo.reservationsOf(this.db, request.checkoutId);
        first = rows.length === 0;
        return this.reserveLines(request, lines, rows);
      });
      this.observed?.reservations.inc({ outcome: 'reserved', attempt: first ? 'first' : 'again' });
      return reserved;
    } catch (error) {
      const outcome = error instanceof AppError && error.code === 'out_of_stock' ? 'out_of_stock' : 'error';
      this.observed?.reservations.inc({ outcome, attempt: first ? 'first' : 'again' });
      throw error;
    }
  }

  private async reserveLines(request: ReserveRequest, lines: ReturnType<InventoryService['validateReserve']>, rows: repo.ReservationRow[]): Promise<Reservation[]> {
    const ttl = request.ttlSeconds ?? this.options.reservationTtlSeconds;
    if (rows.some((r) => r.status === 'confirmed')) return rows.filter(isLive).map(repo.toReservation);
    try {
      const lost = rows.filter(isLost);
      const gone = lost.length > 0 ? await this.allocator.remakeExpired(lost, ttl) : [];
      if (gone.length > 0) throw outOfStock(gone);
      const held = lost.length > 0 ? await repo.reservationsOf(this.db, request.checkoutId) : rows;
      const missing = lines
        .map((l) => ({ productId: l.productId, quantity: l.quantity - unitsOf(held, l.productId, 'reserved') }))
        .filter((l) => l.quantity > 0);
      if (missing.length > 0) {
        const { short, made } = await this.allocator.allocate(request.checkoutId, missing, request.destination, ttl);
        if (short.length > 0) throw outOfStock(short);
        // A first call (nothing held before): what it made is all the checkout holds.
        if (rows.length === 0) return made;
      } else if (lost.length === 0) {
        return held.filter(isLive).map(repo.toReservation);
      }
    } catch (error) {
      // All or nothing. If even the release fails, the TTL and the sweeper give the units back.
      await this.release(request.checkoutId).catch(() => undefined);
      throw error;
    }
    return this.getLive(request.checkoutId);
  }

  /**
   * Turns the checkout's held units into sales (reserved → sold). Reservations that
   * expired meanwhile (payment outlived the TTL) are reserved again by the same rules
   * first; if their units are gone, everything the checkout holds or bought is given back
   * and `reservation_lost` is thrown. Released reservations are never revived. Idempotent:
   * an already confirmed checkout returns its confirmed reservations. `known`: the
   * reservations the caller was given by `reserve`, which the usual case confirms without a lookup.
   */
  async confirm(checkoutId: string, known?: { id: string }[]): Promise<Reservation[]> {
    return this.timed('confirm', () => this.confirmAll(checkoutId, known));
  }

  private async confirmAll(checkoutId: string, known?: { id: string }[]): Promise<Reservation[]> {
    const fast = known && known.length > 0 ? await this.confirmHeld(known) : undefined;
    if (fast?.confirmed) return fast.confirmed;
    for (let round = 0; round < CONFIRM_ROUNDS; round++) {
      const rows = await repo.reservationsOf(this.db, checkoutId);
      const lost = rows.filter(isLost);
      const held = rows.filter((r) => r.status === 'reserved');
      if (lost.length > 0 && rows.some((r) => r.status === 'released')) {
        // A release after part of the checkout expired means it was given up: re-making the
        // expired part would sell an order whose other lines went back to stock.
        await this.giveBack(checkoutId);
        throw reservationLost([...new Set(lost.map((r) => r.product_id))]);
      }
      if (lost.length === 0 && held.length === 0) {
        const confirmed = rows.filter((r) => r.status === 'confirmed');
        if (confirmed.length === 0) throw reservationLost([...new Set(rows.map((r) => r.product_id))]);
        return confirmed.map(repo.toReservation);
      }
      const gone = lost.length > 0 ? await this.allocator.remakeExpired(lost, this.options.reservationTtlSeconds) : [];
      if (gone.length > 0) {
        await this.giveBack(checkoutId);
        throw reservationLost(gone);
      }
      const now = this.clock.now();
      for (const row of (await repo.reservationsOf(this.db, checkoutId)).filter((r) => r.status === 'reserved')) {
        await repo.transitionReservation(this.db, row.id, 'reserved', 'confirmed', { reserved: -1, sold: 1 }, now);
      }
    }
    // A sweeper kept expiring what this call had just reserved again; give up cleanly.
    await this.giveBack(checkoutId);
    throw reservationLost([]);
  }

  /**
   * The usual confirm, when the caller knows what the checkout holds (the saga keeps its
   * allocations): each held reservation is confirmed in one statement, without reading the
   * checkout's reservations first. Undefined when any of them is no longer held (expired,
   * released, or already confirmed by a retry): the full loop sorts it out.
   */
  private async confirmHeld(held: { id: string }[]): Promise<{ confirmed?: Reservation[] }> {
    const now = this.clock.now();
    const confirmed: Reservation[] = [];
    for (const { id } of held) {
      const row = await repo.confirmReservation(this.db, id, now);
      if (!row) return {};
      confirmed.push(row);
    }
    return { confirmed };
  }

  /** Gives back units still held (reserved, not sold) by the checkout. Idempotent; confirmed units stay sold. */
  async release(checkoutId: string): Promise<void> {
    await this.timed('release', () => this.transitionAll(checkoutId, 'reserved', 'released', { reserved: -1, sold: 0 }));
  }

  /** Gives back units sold to a cancelled order (confirmed → released, sold −= quantity). Idempotent. */
  async returnToStock(checkoutId: string): Promise<void> {
    await this.transitionAll(checkoutId, 'confirmed', 'released', { reserved: 0, sold: -1 });
  }

  /**
   * Expires reservations held past their TTL, giving their units back; returns how many
   * it expired. Safe beside a concurrent confirm: each reservation transitions once.
   */
  async expireDue(limit = SWEEP_BATCH): Promise<number> {
    return (await this.expireBatch(limit)).expired;
  }

  /** Every reservation of the checkout, oldest first, whatever its status. */
  async getReservations(checkoutId: string): Promise<Reservation[]> {
    return (await repo.reservationsOf(this.db, checkoutId)).map(repo.toReservation);
  }

  /**
   * The background job that expires reservations; each run drains everything due. On
   * PostgreSQL one process at a time runs it (advisory lock on `singletonDb`, by default
   * the inventory database).
   */
  reservationSweeper(intervalMs: number, singletonDb: Kysely<any> = this.db): PeriodicJob {
    const name = 'inventory.reservation-sweeper';
    return {
      name,
      intervalMs,
      run: async () => {
        while ((await this.expireBatch(SWEEP_BATCH)).picked === SWEEP_BATCH);
      },
      ...(this.options.singletonLocks ? { singleton: { db: singletonDb, lockKey: lockKeyFor(name) } } : {}),
    };
  }

  /** Bulk load of warehouses for the seeder (multi-row inserts); locations from postal codes. */
  async importWarehouses(rows: ImportedWarehouse[]): Promise<void> {
    const located = rows.map((w) => {
      const country = (w.country ?? 'US').toUpperCase();
      const { latitude, longitude } = resolvePostalCode(w.postalCode, country);
      return { id: w.id, code: w.code, name: w.name, postal_code: w.postalCode, country, latitude, longitude, processing_sla_hours: w.processingSlaHours ?? 24, active: true };
    });
    await repo.importWarehouses(this.db, located);
  }

  /** Bulk load of totals for the seeder (multi-row upserts, no events; the seeder reindexes search). */
  async importStock(rows: ImportedStock[]): Promise<void> {
    const bad = rows.find((r) => !Number.isSafeInteger(r.totalStock) || r.totalStock < 0 || r.totalStock > MAX_TOTAL_STOCK);
    if (bad) throw invalid('invalid_stock', `total_stock must be an integer from 0 to ${MAX_TOTAL_STOCK}`, { product_id: bad.productId });
    await repo.importStock(this.db, rows.map((r) => ({ product_id: r.productId, warehouse_id: r.warehouseId, total_stock: r.totalStock })), this.clock.now());
  }

  private async getLive(checkoutId: string): Promise<Reservation[]> {
    return (await repo.reservationsOf(this.db, checkoutId)).filter(isLive).map(repo.toReservation);
  }

  /** Undoes a checkout that cannot complete: held units released, sold units returned. */
  private async giveBack(checkoutId: string): Promise<void> {
    await this.release(checkoutId);
    await this.returnToStock(checkoutId);
  }

  private async transitionAll(checkoutId: string, from: 'reserved' | 'confirmed', to: 'released', move: repo.StockMove): Promise<void> {
    const now = this.clock.now();
    for (const row of (await repo.reservationsOf(this.db, checkoutId)).filter((r) => r.status === from)) {
      await repo.transitionReservation(this.db, row.id, from, to, move, now);
    }
  }

  private async expireBatch(limit: number): Promise<{ picked: number; expired: number }> {
    const now = this.clock.now();
    const ids = await repo.dueReservationIds(this.db, now, limit);
    let expired = 0;
    for (const id of ids) {
      if ((await repo.transitionReservation(this.db, id, 'reserved', 'expired', { reserved: -1, sold: 0 }, now)) > 0) expired++;
    }
    this.observed?.expired.inc(expired);
    return { picked: ids.length, expired };
  }

  private validateReserve(request: ReserveRequest) {
    const lines = mergeLines(request.lines);
    if (lines === 'invalid') throw invalid('invalid_quantity', 'Quantities must be positive integers');
    const { latitude, longitude } = request.destination;
    const ttl = request.ttlSeconds ?? this.options.reservationTtlSeconds;
    if (lines.length === 0 || !Number.isFinite(latitude) || !Number.isFinite(longitude) || !Number.isSafeInteger(ttl) || ttl <= 0) {
      throw invalid('invalid_reservation', 'A reservation needs at least one line, a destination and a positive TTL');
    }
    return lines;
  }
}

function unitsOf(rows: repo.ReservationRow[], productId: string, status: repo.ReservationRow['status']): number {
  return rows.filter((r) => r.product_id === productId && r.status === status).reduce((sum, r) => sum + r.quantity, 0);
}

const outOfStock = (productIds: string[]) => new AppError('out_of_stock', 'conflict', 'Not enough stock for some items', { product_ids: productIds });

const reservationLost = (productIds: string[]) =>
  new AppError('reservation_lost', 'conflict', 'The reserved units expired and are no longer available', { product_ids: productIds });
