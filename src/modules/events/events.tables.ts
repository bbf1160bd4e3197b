import type { Generated } from 'kysely';
import type { OutboxTables } from './outbox.repository.ts';

export interface ProcessedEventTable {
  consumer: string;
  event_id: string;
  processed_at: Generated<Date>;
}

export interface EventDeliveryTable {
  consumer: string;
  event_id: string;
  seq: number;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: Date;
  attempts: Generated<number>;
  available_at: Date;
  last_error: string | null;
}

export interface DeadLetterTable {
  consumer: string;
  event_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: unknown;
  occurred_at: Date;
  attempts: number;
  last_error: string;
  dead_at: Date;
}

export interface EventsTables extends OutboxTables {
  processed_events: ProcessedEventTable;
  event_deliveries: EventDeliveryTable;
  dead_letters: DeadLetterTable;
}
