import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { distanceKm, type Coordinates } from '../../platform/geo.ts';
import { addBusinessDays, nextBusinessDayOnOrAfter, toIsoDate } from './business-days.ts';

export interface Origin extends Coordinates {
  /** Warehouse processing SLA: how long from order to hand-over to the carrier. */
  processingSlaHours: number;
}

export interface DeliveryEstimate {
  carrierId: string;
  carrierName: string;
  distanceKm: number;
  shipBy: string;
  transitBusinessDays: number;
  /** Calendar date (YYYY-MM-DD, UTC) the parcel is expected. */
  estimatedDelivery: string;
}

interface CarrierTable {
  id: string;
  name: string;
  isDefault: boolean;
  bands: { minKm: number; maxKm: number; days: number }[];
}

/**
 * Delivery promises: warehouse processing SLA, rolled to the next business day, plus the
 * carrier's transit time for the distance band (business days). Checkout stores its
 * estimate on the order; the product page shows the same computation as a guide.
 */
export class DeliveryService {
  private carriers: Promise<CarrierTable[]> | undefined;

  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
  ) {}

  /** Estimate with the default carrier for one parcel. */
  async estimate(origin: Origin, destination: Coordinates, placedAt: Date = this.clock.now()): Promise<DeliveryEstimate> {
    const carriers = await this.loadCarriers();
    const carrier = carriers.find((c) => c.isDefault) ?? carriers[0];
    if (!carrier) throw new Error('no carriers configured');
    const km = distanceKm(origin, destination);
    const band = carrier.bands.find((b) => km >= b.minKm && km < b.maxKm) ?? carrier.bands[carrier.bands.length - 1]!;
    const handOver = nextBusinessDayOnOrAfter(new Date(placedAt.getTime() + origin.processingSlaHours * 3600_000));
    const delivered = addBusinessDays(handOver, band.days);
    return {
      carrierId: carrier.id,
      carrierName: carrier.name,
      distanceKm: Math.round(km),
      shipBy: toIsoDate(handOver),
      transitBusinessDays: band.days,
      estimatedDelivery: toIsoDate(delivered),
    };
  }

  /** The latest of several parcels' estimates: an order arrives when its last shipment does. */
  async estimateOrder(origins: Origin[], destination: Coordinates, placedAt: Date = this.clock.now()): Promise<DeliveryEstimate> {
    const estimates = await Promise.all(origins.map((o) => this.estimate(o, destination, placedAt)));
    return estimates.reduce((latest, e) => (e.estimatedDelivery > latest.estimatedDelivery ? e : latest));
  }

  /** Active carriers, the default one first. */
  async listCarriers(): Promise<{ id: string; name: string; isDefault: boolean }[]> {
    const carriers = await this.loadCarriers();
    return [...carriers].sort((a, b) => Number(b.isDefault) - Number(a.isDefault)).map((c) => ({ id: c.id, name: c.name, isDefault: c.isDefault }));
  }

  /**
   * Delivery date of a parcel handed to `carrierId` at `handedOverAt`: that carrier's
   * transit time for the distance, in business days. Undefined for an unknown carrier.
   */
  async estimateInTransit(carrierId: string, origin: Coordinates, destination: Coordinates, handedOverAt: Date): Promise<string | undefined> {
    const carrier = (await this.loadCarriers()).find((c) => c.id === carrierId);
    if (!carrier || carrier.bands.length === 0) return undefined;
    const km = distanceKm(origin, destination);
    const band = carrier.bands.find((b) => km >= b.minKm && km < b.maxKm) ?? carrier.bands[carrier.bands.length - 1]!;
    return toIsoDate(addBusinessDays(handedOverAt, band.days));
  }

  private loadCarriers(): Promise<CarrierTable[]> {
    this.carriers ??= (async () => {
      const carriers = await this.db.selectFrom('carriers').selectAll().where('active', '=', true).orderBy('id').execute();
      const bands = await this.db.selectFrom('carrier_transit_times').selectAll().orderBy('min_km').execute();
      return carriers.map((c) => ({
        id: c.id as string,
        name: c.name as string,
        isDefault: c.is_default as boolean,
        bands: bands.filter((b) => b.carrier_id === c.id).map((b) => ({ minKm: b.min_km as number, maxKm: b.max_km as number, days: b.business_days as number })),
      }));
    })().catch((error: unknown) => {
      this.carriers = undefined;
      throw error;
    });
    return this.carriers;
  }
}
