import type { Principal } from '../../platform/principal.ts';

/**
 * What the checkout orchestrator needs from the modules it coordinates. The composition
 * root passes the real services; each port names only the calls the saga makes.
 */
export interface CartPort {
  getCartForCheckout(accountId: string): Promise<{
    items: { productId: string; quantity: number; unitPrice: { amount: number; currency: string }; snapshot: { title: string } }[];
  }>;
  removePurchasedItems(accountId: string, lines: { productId: string; quantity: number }[]): Promise<void>;
}

export interface CatalogPort {
  findProducts(ids: string[]): Promise<
    Map<string, { id: string; title: string; price: { amount: number; currency: string }; status: string; purchaseLimit: number | null; checkoutChallenge: boolean }>
  >;
}

export interface AddressPort {
  getAddress(
    principal: Principal,
    id: string,
  ): Promise<{ name: string | null; line1: string; line2: string | null; city: string; region: string; postalCode: string; country: string; latitude: number; longitude: number }>;
}

export interface ReservationView {
  id: string;
  productId: string;
  warehouseId: string;
  quantity: number;
  /** Where it ships from, when the reservation call read it anyway (saves a lookup). */
  warehouse?: { latitude: number; longitude: number; processingSlaHours: number };
}

export interface InventoryPort {
  reserve(input: {
    checkoutId: string;
    lines: { productId: string; quantity: number }[];
    destination: { latitude: number; longitude: number };
    ttlSeconds?: number;
    first?: boolean;
  }): Promise<ReservationView[]>;
  /** `held`: the reservations the checkout was given (its allocations), so the usual case needs no lookup. */
  confirm(checkoutId: string, held?: { id: string }[]): Promise<ReservationView[]>;
  release(checkoutId: string): Promise<void>;
  returnToStock(checkoutId: string): Promise<void>;
  getWarehouse(id: string): Promise<{ id: string; latitude: number; longitude: number; processingSlaHours: number }>;
  getAvailability(productIds: string[]): Promise<Map<string, { available: number }>>;
}

export interface PaymentsPort {
  getMethod(principal: Principal, id: string): Promise<{ id: string }>;
  authorize(input: { checkoutId: string; accountId: string; paymentMethodId: string; amount: number; currency: string }): Promise<{ id: string }>;
  capture(checkoutId: string): Promise<{ id: string }>;
  refund(checkoutId: string): Promise<void>;
  findPayment(checkoutId: string): Promise<{ id: string } | undefined>;
}

export interface CheckoutFaults {
  /** Test seam: called after each saga step is durably recorded; throwing simulates a crash there. */
  afterStep?(step: string, checkoutId: string): void | Promise<void>;
}

export class SimulatedCrash extends Error {
  constructor(step: string) {
    super(`simulated crash after ${step}`);
    this.name = 'SimulatedCrash';
  }
}
