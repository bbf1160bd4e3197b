import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isAppError } from '../../platform/errors.ts';
import { lockKeyFor, type PeriodicJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DeliveryService } from './delivery.service.ts';
import type { FulfillmentService } from './fulfillment.service.ts';
import type { Shipment } from './fulfillment.types.ts';
import type { ReportedStep } from './shipment-states.ts';

export interface SimulatorOptions {
  /** Base delay of one warehouse step (SIMULATOR_STEP_SECONDS); 0 moves a shipment one step per run. */
  stepSeconds: number;
  batchSize?: number;
}

const NEXT_STEP: Record<'pending' | 'picked' | 'packed' | 'shipped', ReportedStep> = {
  pending: 'picked',
  picked: 'packed',
  packed: 'shipped',
  shipped: 'delivered',
};

/** Relative time spent in each status: picking and packing are quick, the carrier is not. */
const STEP_WEIGHTS = { pending: 1, picked: 1, packed: 2, shipped: 3 } as const;

/**
 * Plays warehouse and carrier for the demo (`bazaar worker --simulate-fulfillment`,
 * on in `bazaar all`): each run advances the shipments that have spent their delay in
 * their status by one step, assigning a carrier and tracking number when they ship.
 * It reports through `FulfillmentService.report`, exactly like a warehouse or carrier,
 * so the order, events and notifications move as they would for real.
 */
export class FulfillmentSimulator {
  constructor(
    private readonly fulfillment: FulfillmentService,
    private readonly delivery: DeliveryService,
    private readonly logger: Logger,
    private readonly options: SimulatorOptions,
  ) {}

  /** The periodic job; with `singletonDb` (PostgreSQL) one worker simulates at a time. */
  job(singletonDb?: Kysely<any>): PeriodicJob {
    return {
      name: 'fulfillment.simulator',
      intervalMs: Math.min(1000, Math.max(100, this.options.stepSeconds * 250)),
      run: () => this.advance(),
      ...(singletonDb ? { singleton: { db: singletonDb, lockKey: lockKeyFor('fulfillment.simulator') } } : {}),
    };
  }

  /** Advances every due shipment by one step; returns how many moved. */
  async advance(): Promise<number> {
    const stepMs = this.options.stepSeconds * 1000;
    const due = await this.fulfillment.listDue(
      { pending: stepMs * STEP_WEIGHTS.pending, picked: stepMs * STEP_WEIGHTS.picked, packed: stepMs * STEP_WEIGHTS.packed, shipped: stepMs * STEP_WEIGHTS.shipped },
      this.options.batchSize ?? 100,
    );
    let moved = 0;
    for (const shipment of due) {
      if (await this.step(shipment)) moved++;
    }
    return moved;
  }

  private async step(shipment: Shipment): Promise<boolean> {
    if (shipment.status === 'delivered' || shipment.status === 'cancelled') return false;
    const type = NEXT_STEP[shipment.status];
    try {
      const tracking = type === 'shipped' ? await this.label(shipment) : {};
      const { changed } = await this.fulfillment.report(shipment.id, { type, ...tracking, source: 'simulator' });
      return changed;
    } catch (error) {
      // A cancelled order's shipment is refused packing until its cancellation reaches it; another process may have moved it.
      if (isAppError(error) && error.kind === 'conflict') this.logger.debug({ shipmentId: shipment.id, code: error.code }, 'simulator step refused');
      else this.logger.warn({ err: error, shipmentId: shipment.id }, 'simulator step failed; will retry');
      return false;
    }
  }

  /** A carrier (spread over the active ones by shipment) and a tracking number in its style. */
  private async label(shipment: Shipment): Promise<{ carrier: string; trackingNumber: string }> {
    const carriers = await this.delivery.listCarriers();
    if (carriers.length === 0) throw new Error('no active carrier to hand the parcel to');
    const carrier = carriers[parseInt(shipment.id.slice(-4), 16) % carriers.length]!;
    const prefix = carrier.id
      .split('-')
      .map((word) => word[0]!.toUpperCase())
      .join('');
    let digits = '';
    for (let i = 0; i < 12; i++) digits += String(randomInt(10));
    return { carrier: carrier.id, trackingNumber: `${prefix}${digits}` };
  }
}
