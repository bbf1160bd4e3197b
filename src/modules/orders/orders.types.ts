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
