import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Coordinates } from '../../platform/geo.ts';
import { newId } from '../../platform/ids.ts';
import { candidateOrder, planLine, type StockCandidate } from './inventory.allocation.ts';
import * as repo from './inventory.repository.ts';
import type { Reservation, ReserveLine, WarehouseSite } from './inventory.types.ts';

/**
 * Fresh snapshots taken after losing races. Every lost race means another buyer took
 * units, so this bounds work under contention, not correctness: a line still short after
 * the last pass is reported short (never oversold).
 */
const MAX_PASSES = 5;

class LostRace extends Error {}

/**
 * Takes units for a checkout. Internal to the module: the service decides when to call it
 * and what to undo on failure.
 */
export class StockAllocator {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
  ) {}

  /**
   * Reserves the lines warehouse by warehouse, each attempt its own short transaction
   * (the conditional UPDATE plus the reservation row). A lost race moves on to the next
   * candidate, then to a fresh snapshot. Returns the products it could not fully reserve
   * and the reservations it made, with their warehouses as read; what it did reserve stays
   * reserved (the caller releases it).
   */
  async allocate(checkoutId: string, lines: ReserveLine[], destination: Coordinates, ttlSeconds: number): Promise<{ short: string[]; made: Reservation[] }> {
    const remaining = new Map(lines.map((l) => [l.productId, l.quantity]));
    const made: Reservation[] = [];
    const warehouses = new Map<string, WarehouseSite>();
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const wanted = [...remaining].filter(([, q]) => q > 0).map(([productId, quantity]) => ({ productId, quantity }));
      if (wanted.length === 0) break;
      const candidates = await this.snapshot(wanted);
      for (const c of candidates) warehouses.set(c.warehouseId, { latitude: c.latitude, longitude: c.longitude, processingSlaHours: c.processingSlaHours });
      const order = candidateOrder(candidates, wanted, destination);
      let lostRace = false;
      for (const { productId } of wanted) {
        for (const candidate of order.get(productId)!) {
          const need = remaining.get(productId)!;
          if (need === 0) break;
          const take = Math.min(need, candidate.available);
          const reservation = await this.reserveAt(checkoutId, productId, candidate.warehouseId, take, destination, ttlSeconds);
          if (reservation) {
            remaining.set(productId, need - take);
            made.push({ ...reservation, warehouse: warehouses.get(candidate.warehouseId)! });
          } else lostRace = true;
        }
      }
      if (!lostRace) break;
    }
    return { short: [...remaining].filter(([, q]) => q > 0).map(([id]) => id), made };
  }

  /**
   * Re-reserves the units of expired reservations (payment outlived the TTL), each in one
   * transaction that also marks the expired row replaced, so a crash or a repeat never
   * re-makes it twice. Returns the products whose units are gone.
   */
  async remakeExpired(expired: repo.ReservationRow[], ttlSeconds: number): Promise<string[]> {
    const lines = expired.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
    const short = new Set<string>();
    for (const row of expired) {
      const destination = { latitude: row.destination_latitude, longitude: row.destination_longitude };
      let outcome: 'done' | 'short' | 'lost_race' = 'lost_race';
      for (let pass = 0; pass < MAX_PASSES && outcome === 'lost_race'; pass++) {
        const order = candidateOrder(await this.snapshot(lines), lines, destination);
        const plan = planLine(order.get(row.product_id) ?? [], row.quantity);
        outcome = plan ? await this.remakeOne(row, plan, ttlSeconds) : 'short';
      }
      if (outcome !== 'done') short.add(row.product_id);
    }
    return [...short];
  }

  private async snapshot(lines: ReserveLine[]): Promise<(StockCandidate & { processingSlaHours: number })[]> {
    const rows = await repo.stockWithWarehouses(this.db, [...new Set(lines.map((l) => l.productId))]);
    return rows.map((r) => ({
      productId: r.product_id,
      warehouseId: r.warehouse_id,
      latitude: r.latitude,
      longitude: r.longitude,
      processingSlaHours: r.processing_sla_hours,
      available: r.total_stock - r.reserved_stock - r.sold_stock,
    }));
  }

  private reserveAt(checkoutId: string, productId: string, warehouseId: string, quantity: number, destination: Coordinates, ttlSeconds: number) {
    return repo.reserveUnits(this.db, this.newRow(newId(), checkoutId, productId, warehouseId, quantity, destination, ttlSeconds, this.clock.now()));
  }

  private async remakeOne(expired: repo.ReservationRow, plan: { warehouseId: string; quantity: number }[], ttlSeconds: number): Promise<'done' | 'lost_race'> {
    // Stock rows in one fixed order, so two transactions holding several never deadlock.
    const parts = [...plan].sort((a, b) => a.warehouseId.localeCompare(b.warehouseId)).map((p) => ({ ...p, id: newId() }));
    const destination = { latitude: expired.destination_latitude, longitude: expired.destination_longitude };
    try {
      return await this.db.transaction().execute(async (trx) => {
        const now = this.clock.now();
        if (!(await repo.markReplaced(trx, expired.id, parts[0]!.id, now))) return 'done';
        for (const part of parts) {
          if (!(await repo.tryReserveUnits(trx, expired.product_id, part.warehouseId, part.quantity, now))) throw new LostRace();
          await repo.insertReservation(trx, this.newRow(part.id, expired.checkout_id, expired.product_id, part.warehouseId, part.quantity, destination, ttlSeconds, now));
        }
        return 'done' as const;
      });
    } catch (error) {
      if (error instanceof LostRace) return 'lost_race';
      throw error;
    }
  }

  private newRow(id: string, checkoutId: string, productId: string, warehouseId: string, quantity: number, destination: Coordinates, ttlSeconds: number, now: Date) {
    return {
      id,
      checkout_id: checkoutId,
      product_id: productId,
      warehouse_id: warehouseId,
      quantity,
      status: 'reserved' as const,
      destination_latitude: destination.latitude,
      destination_longitude: destination.longitude,
      replaced_by: null,
      expires_at: new Date(now.getTime() + ttlSeconds * 1000),
      created_at: now,
      updated_at: now,
    };
  }
}
