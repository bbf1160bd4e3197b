export type OrderStatus = 'placed' | 'processing' | 'packed' | 'shipped' | 'delivered' | 'cancelled';

export interface ShippingAddressSnapshot {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  latitude: number;
  longitude: number;
}

export interface OrderItem {
  id: string;
  productId: string;
  warehouseId: string;
  quantity: number;
  unitPrice: number;
  currency: string;
  title: string;
  reservationId: string;
}

export interface StatusChange {
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string | null;
  occurredAt: Date;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  subtotal: number;
  total: number;
  currency: string;
  shippingAddress: ShippingAddressSnapshot;
  paymentId: string;
  idempotencyKey: string;
  estimatedDelivery: string;
  placedAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
  refundStatus: 'none' | 'pending' | 'done';
}

export interface OrderDetail extends Order {
  items: OrderItem[];
  history: StatusChange[];
}

export interface NewOrder {
  id: string;
  customerId: string;
  currency: string;
  shippingAddress: ShippingAddressSnapshot;
  paymentId: string;
  idempotencyKey: string;
  estimatedDelivery: string;
  placedAt: Date;
  items: Omit<OrderItem, 'id'>[];
}

export interface SalesFigures {
  currency: string;
  /** Per UTC day (or hour) with orders, oldest first; `day` is YYYY-MM-DD or YYYY-MM-DDTHH:00. */
  days: { day: string; orders: number; cancelled: number; revenue: number }[];
  orders: number;
  cancelled: number;
  /** Totals of orders not cancelled, minor units. */
  revenue: number;
  /** revenue / orders not cancelled, rounded to a minor unit. */
  averageOrderValue: number;
  topProducts: { productId: string; title: string; units: number; revenue: number }[];
}
