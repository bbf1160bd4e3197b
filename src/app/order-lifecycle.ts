import type { Config } from '../platform/config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Databases } from '../platform/database.ts';
import { isAppError } from '../platform/errors.ts';
import type { PeriodicJob } from '../platform/jobs.ts';
import type { Logger } from '../platform/logger.ts';
import type { EventRuntime } from '../modules/events/index.ts';
import {
  CarrierWebhookService,
  FulfillmentService,
  FulfillmentSimulator,
  fulfillmentConsumers,
  type DeliveryService,
  type OrderLifecyclePort,
  type WarehouseLocator,
} from '../modules/fulfillment/index.ts';
import type { InventoryService } from '../modules/inventory/index.ts';
import { NotificationsService } from '../modules/notifications/index.ts';
import type { OrdersService } from '../modules/orders/index.ts';

/** How long webhook delivery ids are remembered: well past any accepted timestamp. */
const RECEIPT_RETENTION_MS = 7 * 24 * 3600_000;

export interface OrderLifecycleDeps {
  orders: OrdersService;
  delivery: DeliveryService;
  inventory: InventoryService;
}

/** After checkout: fulfillment (shipments, carrier webhooks) and customer notifications, wired to orders and inventory through ports. */
export function createOrderLifecycle(config: Config, databases: Databases, clock: Clock, logger: Logger, deps: OrderLifecycleDeps) {
  const ordersPort: OrderLifecyclePort = {
    changeStatus: async (orderId, from, to, reason) => (await deps.orders.changeStatus(orderId, [...from], to, reason)) !== undefined,
    findStatus: async (orderId) => (await deps.orders.findOrder(orderId))?.status,
    beginPacking: (orderId) => deps.orders.beginPacking(orderId),
  };
  const warehouses: WarehouseLocator = {
    findOrigin: async (warehouseId) => {
      try {
        const w = await deps.inventory.getWarehouse(warehouseId);
        return { latitude: w.latitude, longitude: w.longitude, processingSlaHours: w.processingSlaHours };
      } catch (error) {
        if (isAppError(error) && error.kind === 'not_found') return undefined;
        throw error;
      }
    },
  };
  const fulfillment = new FulfillmentService({
    db: databases.orders,
    clock,
    delivery: deps.delivery,
    orders: ordersPort,
    warehouses,
  });
  const carrierWebhooks = new CarrierWebhookService(fulfillment, clock, {
    secrets: config.carrierWebhookSecrets,
    toleranceSeconds: config.carrierWebhookToleranceSeconds,
  });
  const notifications = new NotificationsService(databases.main, clock);
  return { fulfillment, carrierWebhooks, notifications };
}

type OrderLifecycle = ReturnType<typeof createOrderLifecycle>;

/** Registers fulfillment and notification consumers (every role registers them; only workers deliver). */
export function registerOrderLifecycleConsumers(events: EventRuntime, services: OrderLifecycle, databases: Databases): void {
  for (const consumer of fulfillmentConsumers(services.fulfillment, databases.orders)) events.registerConsumer(consumer);
  events.registerConsumer(services.notifications.consumer());
}

/** Worker jobs of the order lifecycle; the simulator only when asked for (`--simulate-fulfillment`, `bazaar all`). */
export function orderLifecycleJobs(
  ctx: { config: Config; databases: Databases; clock: Clock; logger: Logger; services: OrderLifecycle & { delivery: DeliveryService } },
  options: { simulateFulfillment: boolean },
): PeriodicJob[] {
  const { fulfillment, delivery } = ctx.services;
  const singleton = ctx.databases.kind === 'postgres' ? ctx.databases.orders : undefined;
  const jobs: PeriodicJob[] = [
    {
      name: 'fulfillment.webhook-receipts-cleanup',
      intervalMs: 3600_000,
      run: () => fulfillment.purgeWebhookReceipts(new Date(ctx.clock.now().getTime() - Math.max(RECEIPT_RETENTION_MS, ctx.config.carrierWebhookToleranceSeconds * 2000))),
    },
  ];
  if (options.simulateFulfillment) {
    const simulator = new FulfillmentSimulator(fulfillment, delivery, ctx.logger.child({ module: 'simulator' }), { stepSeconds: ctx.config.simulatorStepSeconds });
    jobs.push(simulator.job(singleton));
  }
  return jobs;
}
