import { sql } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { AnalyticsTables } from './analytics.tables.ts';

export interface VisitDelta {
  visitId: string;
  accountId: string | null;
  firstProductId: string;
  views: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Adds buffered views to their visits in one statement (new visits are inserted). */
export async function upsertVisits(db: Executor<AnalyticsTables>, deltas: VisitDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db
    .insertInto('storefront_visits')
    .values(
      deltas.map((d) => ({
        visit_id: d.visitId,
        account_id: d.accountId,
        first_product_id: d.firstProductId,
        product_views: d.views,
        first_seen_at: d.firstSeenAt,
        last_seen_at: d.lastSeenAt,
      })),
    )
    .onConflict((oc) =>
      oc.column('visit_id').doUpdateSet({
        product_views: sql`storefront_visits.product_views + excluded.product_views`,
        last_seen_at: sql`greatest(storefront_visits.last_seen_at, excluded.last_seen_at)`,
        account_id: sql`coalesce(excluded.account_id, storefront_visits.account_id)`,
      }),
    )
    .execute();
}

export async function countVisits(db: Executor<AnalyticsTables>, from: Date, to: Date): Promise<{ visits: number; views: number }> {
  const row = await db
    .selectFrom('storefront_visits')
    .select((eb) => [eb.fn.countAll<string>().as('visits'), eb.fn.coalesce(eb.fn.sum<string>('product_views'), eb.lit(0)).as('views')])
    .where('first_seen_at', '>=', from)
    .where('first_seen_at', '<', to)
    .executeTakeFirstOrThrow();
  return { visits: Number(row.visits), views: Number(row.views) };
}

export async function accountsWithVisits(db: Executor<AnalyticsTables>, from: Date, to: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('storefront_visits')
    .select('account_id')
    .distinct()
    .where('first_seen_at', '>=', from)
    .where('first_seen_at', '<', to)
    .where('account_id', 'is not', null)
    .execute();
  return rows.map((r) => r.account_id!);
}
