export interface NotificationsTable {
  id: string;
  customer_id: string;
  kind: string;
  title: string;
  body: string;
  order_id: string;
  shipment_id: string | null;
  data: Record<string, unknown>;
  source_event_id: string;
  occurred_at: Date;
  created_at: Date;
}

export interface NotificationsTables {
  notifications: NotificationsTable;
}
