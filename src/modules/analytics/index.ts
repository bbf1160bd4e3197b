import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_storefront_visits.ts';

export { AnalyticsService, type AnalyticsOptions } from './analytics.service.ts';
export type { AnalyticsTables } from './analytics.tables.ts';

export const analyticsSchema: ModuleSchema = { module: 'analytics', domain: 'main', migrations: { '0001_storefront_visits': m0001 } };
