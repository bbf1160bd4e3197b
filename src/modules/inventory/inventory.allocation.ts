import { distanceKm, type Coordinates } from '../../platform/geo.ts';
import type { ReserveLine } from './inventory.types.ts';

/** A warehouse's sellable units of one product, as a snapshot read before reserving. */
export interface StockCandidate {
  productId: string;
  warehouseId: string;
  latitude: number;
  longitude: number;
  available: number;
}

/**
 * Warehouse choice, as pure functions over a stock snapshot. The snapshot may be stale by
 * the time units are taken; the conditional UPDATE is what decides, this only orders the
 * attempts.
 *
 * Rules: the nearest warehouse that can ship the whole order comes first (one parcel);
 * then, per line, warehouses that can ship the whole line, nearest first; then the rest,
 * nearest first, among which a line is split when no single warehouse has enough.
 */
export function candidateOrder(candidates: StockCandidate[], lines: ReserveLine[], destination: Coordinates): Map<string, StockCandidate[]> {
  const distance = new Map<string, number>();
  for (const c of candidates) if (!distance.has(c.warehouseId)) distance.set(c.warehouseId, distanceKm(destination, c));
  const byDistance = (a: StockCandidate, b: StockCandidate) =>
    distance.get(a.warehouseId)! - distance.get(b.warehouseId)! || a.warehouseId.localeCompare(b.warehouseId);
  const whole = wholeOrderWarehouse(candidates, lines, distance);

  const order = new Map<string, StockCandidate[]>();
  for (const line of lines) {
    const stocked = candidates.filter((c) => c.productId === line.productId && c.available > 0).sort(byDistance);
    const full = stocked.filter((c) => c.available >= line.quantity);
    const partial = stocked.filter((c) => c.available < line.quantity);
    const preferred = full.filter((c) => c.warehouseId === whole);
    order.set(line.productId, [...preferred, ...full.filter((c) => c.warehouseId !== whole), ...partial]);
  }
  return order;
}

/** The nearest warehouse holding enough of every line, if any. */
function wholeOrderWarehouse(candidates: StockCandidate[], lines: ReserveLine[], distance: Map<string, number>): string | undefined {
  const able = [...distance.keys()].filter((warehouseId) =>
    lines.every((line) => candidates.some((c) => c.warehouseId === warehouseId && c.productId === line.productId && c.available >= line.quantity)),
  );
  return able.sort((a, b) => distance.get(a)! - distance.get(b)! || a.localeCompare(b))[0];
}

/**
 * Splits one line over the ordered candidates as the snapshot allows: `undefined` if the
 * snapshot does not hold enough in total.
 */
export function planLine(ordered: StockCandidate[], quantity: number): { warehouseId: string; quantity: number }[] | undefined {
  const parts: { warehouseId: string; quantity: number }[] = [];
  let need = quantity;
  for (const c of ordered) {
    if (need === 0) break;
    const take = Math.min(need, c.available);
    if (take <= 0) continue;
    parts.push({ warehouseId: c.warehouseId, quantity: take });
    need -= take;
  }
  return need === 0 ? parts : undefined;
}

/** Sums quantities per product; refuses non-positive or fractional quantities. */
export function mergeLines(lines: ReserveLine[]): ReserveLine[] | 'invalid' {
  const merged = new Map<string, number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) return 'invalid';
    merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  }
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}
