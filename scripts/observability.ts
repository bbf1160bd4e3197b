/**
 * The Prometheus alert rules, their promtool unit tests and the Grafana dashboard, generated from
 * one place so they stay in step with the metric names the app registers
 * (test/observability.test.ts checks both). `npx tsx scripts/observability.ts` rewrites
 * deploy/observability/{alerts.yml,alerts.test.yml,grafana-dashboard.json}.
 */
import fs from 'node:fs';
import path from 'node:path';

export const OUTPUT_DIR = path.resolve(import.meta.dirname, '..', 'deploy', 'observability');

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: 'page' | 'ticket';
  summary: string;
  description: string;
}

export interface AlertGroup {
  name: string;
  rules: AlertRule[];
}

const CHECKOUT_ERRORS = 'outcome=~"interrupted|payment_unavailable|challenge_unavailable|error"';
const PAYMENT_FAILURES = 'outcome=~"declined|payment_unavailable"';
const PAYMENT_ATTEMPTS = 'outcome=~"placed|declined|payment_unavailable"';

/** The spec's alerting list (checkout errors > 1%, inventory DB p99 > 50 ms, reservation timeout spikes, payment failures > 5%, lag > 1,000), and the cache target. */
export const ALERT_GROUPS: AlertGroup[] = [
  {
    name: 'bazaar-checkout',
    rules: [
      {
        alert: 'BazaarCheckoutErrorRateHigh',
        expr: `sum(rate(bazaar_checkout_total{${CHECKOUT_ERRORS}}[5m])) / sum(rate(bazaar_checkout_total[5m])) > 0.01`,
        for: '5m',
        severity: 'page',
        summary: 'More than 1% of checkouts fail on our side',
        description:
          'Checkouts answered interrupted, payment_unavailable, challenge_unavailable or an internal error make up more than 1% of all checkouts for 5 minutes. See the checkout outcome panel, the payment provider and the databases.',
      },
      {
        alert: 'BazaarPaymentFailureRateHigh',
        expr: `sum(rate(bazaar_checkout_total{${PAYMENT_FAILURES}}[5m])) / sum(rate(bazaar_checkout_total{${PAYMENT_ATTEMPTS}}[5m])) > 0.05`,
        for: '10m',
        severity: 'page',
        summary: 'More than 5% of payments fail',
        description: 'Declined or unavailable payments are more than 5% of the checkouts that reached the payment step, for 10 minutes: the provider, its latency or a card-testing attack.',
      },
    ],
  },
  {
    name: 'bazaar-inventory',
    rules: [
      {
        alert: 'BazaarInventoryDbSlow',
        expr: 'histogram_quantile(0.99, sum by (le) (rate(bazaar_inventory_db_duration_seconds_bucket[5m]))) > 0.05',
        for: '5m',
        severity: 'page',
        summary: 'Inventory database p99 above 50 ms',
        description: 'The 99th percentile of the buy path\'s inventory operations (reserve, confirm, release) is above 50 ms for 5 minutes: hot rows, a slow disk or a saturated pool.',
      },
      {
        alert: 'BazaarReservationTimeoutsSpike',
        expr:
          'sum(increase(bazaar_inventory_reservations_expired_total[10m])) > 10 and sum(rate(bazaar_inventory_reservations_expired_total[10m])) > 0.05 * sum(rate(bazaar_inventory_reservations_total{outcome="reserved"}[10m]))',
        for: '5m',
        severity: 'page',
        summary: 'Reservations are timing out',
        description: 'More than 5% of reservations (and more than 10 in 10 minutes) ran past their TTL and were given back by the sweeper: payments are slow or checkouts die between reserving and paying.',
      },
    ],
  },
  {
    name: 'bazaar-events',
    rules: [
      {
        alert: 'BazaarConsumerLagHigh',
        // Every process reports the same figure (read from the outbox and the bus), so take the max, not the sum.
        expr: 'max by (consumer) (bazaar_events_consumer_pending) > 1000',
        for: '5m',
        severity: 'page',
        summary: 'Event consumer {{ $labels.consumer }} is more than 1,000 events behind',
        description: 'Consumer {{ $labels.consumer }} has had more than 1,000 events waiting for 5 minutes: workers down, too few, or an event failing repeatedly (see bazaar_events_handled_total).',
      },
    ],
  },
  {
    name: 'bazaar-browse',
    rules: [
      {
        alert: 'BazaarCacheHitRatioLow',
        expr: 'sum(rate(bazaar_cache_requests_total{layer="all",result="hit"}[15m])) / sum(rate(bazaar_cache_requests_total{layer="all"}[15m])) < 0.95',
        for: '15m',
        severity: 'ticket',
        summary: 'Response cache hit ratio below 95%',
        description: 'Fewer than 95% of cacheable catalog reads were answered from a cache for 15 minutes (the spec\'s target): a purge storm, a cold start, or too small a CACHE_L1_MAX_MB.',
      },
    ],
  },
];

/** One promtool unit test: series, when to evaluate, and whether the alert fires (with which labels). */
interface AlertCase {
  name: string;
  alert: string;
  series: Record<string, string>;
  evalTime: string;
  fires: Record<string, string>[];
}

const CASES: AlertCase[] = [
  {
    name: '2% of checkouts interrupted',
    alert: 'BazaarCheckoutErrorRateHigh',
    series: { 'bazaar_checkout_total{outcome="placed",instance="api-1"}': '0+98x30', 'bazaar_checkout_total{outcome="interrupted",instance="api-1"}': '0+2x30' },
    evalTime: '15m',
    fires: [{}],
  },
  {
    name: 'half a percent of checkouts interrupted, and many declines (customers, not us)',
    alert: 'BazaarCheckoutErrorRateHigh',
    series: {
      'bazaar_checkout_total{outcome="placed",instance="api-1"}': '0+80x30',
      'bazaar_checkout_total{outcome="declined",instance="api-1"}': '0+20x30',
      'bazaar_checkout_total{outcome="interrupted",instance="api-1"}': '0+0.5x30',
    },
    evalTime: '15m',
    fires: [],
  },
  {
    name: '10% of payments declined',
    alert: 'BazaarPaymentFailureRateHigh',
    series: { 'bazaar_checkout_total{outcome="placed",instance="api-1"}': '0+90x30', 'bazaar_checkout_total{outcome="declined",instance="api-2"}': '0+10x30' },
    evalTime: '20m',
    fires: [{}],
  },
  {
    name: '2% of payments declined',
    alert: 'BazaarPaymentFailureRateHigh',
    series: { 'bazaar_checkout_total{outcome="placed",instance="api-1"}': '0+98x30', 'bazaar_checkout_total{outcome="declined",instance="api-1"}': '0+2x30' },
    evalTime: '20m',
    fires: [],
  },
  {
    name: 'a tenth of inventory operations take 50-100 ms',
    alert: 'BazaarInventoryDbSlow',
    series: {
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="0.05"}': '0+90x30',
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="0.1"}': '0+100x30',
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="+Inf"}': '0+100x30',
    },
    evalTime: '15m',
    fires: [{}],
  },
  {
    name: 'every inventory operation under 25 ms',
    alert: 'BazaarInventoryDbSlow',
    series: {
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="0.025"}': '0+100x30',
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="0.05"}': '0+100x30',
      'bazaar_inventory_db_duration_seconds_bucket{operation="reserve",le="+Inf"}': '0+100x30',
    },
    evalTime: '15m',
    fires: [],
  },
  {
    name: 'a quarter of reservations expire',
    alert: 'BazaarReservationTimeoutsSpike',
    series: { 'bazaar_inventory_reservations_expired_total{instance="worker-1"}': '0+5x30', 'bazaar_inventory_reservations_total{outcome="reserved",attempt="first",instance="api-1"}': '0+20x30' },
    evalTime: '20m',
    fires: [{}],
  },
  {
    name: 'the odd reservation expires',
    alert: 'BazaarReservationTimeoutsSpike',
    series: { 'bazaar_inventory_reservations_expired_total{instance="worker-1"}': '0+0.2x30', 'bazaar_inventory_reservations_total{outcome="reserved",attempt="first",instance="api-1"}': '0+100x30' },
    evalTime: '20m',
    fires: [],
  },
  {
    name: 'fulfillment 1,500 behind, seen by an API process and a worker alike',
    alert: 'BazaarConsumerLagHigh',
    series: {
      'bazaar_events_consumer_pending{consumer="fulfillment.orders",instance="api-1"}': '1500x30',
      'bazaar_events_consumer_pending{consumer="fulfillment.orders",instance="worker-1"}': '1500x30',
      'bazaar_events_consumer_pending{consumer="search.products",instance="api-1"}': '600x30',
      'bazaar_events_consumer_pending{consumer="search.products",instance="worker-1"}': '600x30',
    },
    evalTime: '10m',
    fires: [{ consumer: 'fulfillment.orders' }],
  },
  {
    name: 'cache answers 80%',
    alert: 'BazaarCacheHitRatioLow',
    series: { 'bazaar_cache_requests_total{layer="all",result="hit",instance="api-1"}': '0+80x60', 'bazaar_cache_requests_total{layer="all",result="miss",instance="api-1"}': '0+20x60' },
    evalTime: '40m',
    fires: [{}],
  },
  {
    name: 'cache answers 99%',
    alert: 'BazaarCacheHitRatioLow',
    series: { 'bazaar_cache_requests_total{layer="all",result="hit",instance="api-1"}': '0+99x60', 'bazaar_cache_requests_total{layer="all",result="miss",instance="api-1"}': '0+1x60' },
    evalTime: '40m',
    fires: [],
  },
];

const q = (s: string) => JSON.stringify(s);

export function renderAlerts(groups: AlertGroup[] = ALERT_GROUPS): string {
  const lines = ['# Generated by scripts/observability.ts: edit there, then `npx tsx scripts/observability.ts`.', 'groups:'];
  for (const group of groups) {
    lines.push(`  - name: ${group.name}`, '    rules:');
    for (const rule of group.rules) {
      lines.push(
        `      - alert: ${rule.alert}`,
        `        expr: ${q(rule.expr)}`,
        `        for: ${rule.for}`,
        '        labels:',
        `          severity: ${rule.severity}`,
        '        annotations:',
        `          summary: ${q(rule.summary)}`,
        `          description: ${q(rule.description)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const fill = (template: string, labels: Record<string, string>) => template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');

export function renderAlertTests(groups: AlertGroup[] = ALERT_GROUPS, cases: AlertCase[] = CASES): string {
  const rules = new Map(groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
  const lines = ['# Generated by scripts/observability.ts. Run: promtool test rules deploy/observability/alerts.test.yml', 'rule_files:', '  - alerts.yml', 'evaluation_interval: 1m', 'tests:'];
  for (const c of cases) {
    const rule = rules.get(c.alert);
    if (!rule) throw new Error(`test "${c.name}" names an unknown alert ${c.alert}`);
    lines.push(`  # ${c.name}`, '  - interval: 1m', '    input_series:');
    for (const [series, values] of Object.entries(c.series)) lines.push(`      - series: ${q(series)}`, `        values: ${q(values)}`);
    lines.push('    alert_rule_test:', `      - eval_time: ${c.evalTime}`, `        alertname: ${c.alert}`);
    if (c.fires.length === 0) {
      lines.push('        exp_alerts: []');
      continue;
    }
    lines.push('        exp_alerts:');
    for (const labels of c.fires) {
      lines.push('          - exp_labels:', `              severity: ${rule.severity}`);
      for (const [k, v] of Object.entries(labels)) lines.push(`              ${k}: ${q(v)}`);
      lines.push('            exp_annotations:', `              summary: ${q(fill(rule.summary, labels))}`, `              description: ${q(fill(rule.description, labels))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
  description?: string;
}

const quantile = (q: number, metric: string, by = '') => `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket[5m])))`;

/** Rows of the dashboard: the spec's checkout pipeline, business and infrastructure figures. */
export const DASHBOARD_ROWS: { title: string; panels: Panel[] }[] = [
  {
    title: 'Checkout pipeline',
    panels: [
      { title: 'Checkouts by outcome', unit: 'reqps', targets: [{ expr: 'sum by (outcome) (rate(bazaar_checkout_total[5m]))', legend: '{{outcome}}' }] },
      {
        title: 'Checkout success and error rate',
        unit: 'percentunit',
        targets: [
          { expr: 'sum(rate(bazaar_checkout_total{outcome="placed"}[5m])) / sum(rate(bazaar_checkout_total[5m]))', legend: 'placed' },
          { expr: `sum(rate(bazaar_checkout_total{${CHECKOUT_ERRORS}}[5m])) / sum(rate(bazaar_checkout_total[5m]))`, legend: 'our errors (alert > 1%)' },
          { expr: `sum(rate(bazaar_checkout_total{${PAYMENT_FAILURES}}[5m])) / sum(rate(bazaar_checkout_total{${PAYMENT_ATTEMPTS}}[5m]))`, legend: 'payment failures (alert > 5%)' },
        ],
      },
      {
        title: 'Checkout latency, end to end',
        unit: 's',
        targets: [
          { expr: quantile(0.5, 'bazaar_checkout_duration_seconds'), legend: 'p50' },
          { expr: quantile(0.99, 'bazaar_checkout_duration_seconds'), legend: 'p99' },
        ],
      },
      {
        title: 'Reservation hit rate on first attempt',
        unit: 'percentunit',
        targets: [{ expr: 'sum(rate(bazaar_inventory_reservations_total{attempt="first",outcome="reserved"}[5m])) / sum(rate(bazaar_inventory_reservations_total{attempt="first"}[5m]))', legend: 'reserved' }],
      },
      {
        title: 'Reservation timeouts',
        unit: 'ops',
        targets: [
          { expr: 'sum(rate(bazaar_inventory_reservations_expired_total[5m]))', legend: 'expired by the sweeper' },
          { expr: 'sum(rate(bazaar_inventory_reservations_total{outcome="reserved"}[5m]))', legend: 'reserved' },
        ],
      },
      { title: 'Inventory database p99 by operation', unit: 's', targets: [{ expr: quantile(0.99, 'bazaar_inventory_db_duration_seconds', 'operation'), legend: '{{operation}}' }] },
    ],
  },
  {
    title: 'Business',
    panels: [
      { title: 'Orders per second', unit: 'ops', targets: [{ expr: 'sum by (currency) (rate(bazaar_orders_placed_total[5m]))', legend: '{{currency}}' }] },
      {
        title: 'Average order value (minor units)',
        unit: 'none',
        targets: [{ expr: 'sum by (currency) (rate(bazaar_order_value_minor_units_sum[1h])) / sum by (currency) (rate(bazaar_order_value_minor_units_count[1h]))', legend: '{{currency}}' }],
      },
      {
        title: 'Conversion: orders per visit with a product view',
        unit: 'percentunit',
        targets: [{ expr: 'sum(rate(bazaar_orders_placed_total[1h])) / sum(rate(bazaar_storefront_visits_with_product_view_total[1h]))', legend: 'conversion' }],
      },
      {
        title: 'Cart abandonment',
        unit: 'short',
        description: 'Carts with items untouched for an hour (every process reports the same count: max), and carts deleted after CART_EXPIRY_DAYS.',
        targets: [
          { expr: 'max(bazaar_carts_idle_with_items)', legend: 'idle with items' },
          { expr: 'sum(increase(bazaar_carts_expired_total[1h]))', legend: 'expired per hour' },
        ],
      },
    ],
  },
  {
    title: 'Infrastructure',
    panels: [
      {
        title: 'Response cache hit ratio',
        unit: 'percentunit',
        targets: [
          { expr: 'sum(rate(bazaar_cache_requests_total{layer="all",result="hit"}[5m])) / sum(rate(bazaar_cache_requests_total{layer="all"}[5m]))', legend: 'all levels (target > 95%)' },
          { expr: 'avg by (layer) (bazaar_cache_hit_ratio)', legend: '{{layer}} since start' },
        ],
      },
      { title: 'Search latency p99', unit: 's', targets: [{ expr: quantile(0.99, 'bazaar_search_duration_seconds', 'operation'), legend: '{{operation}}' }] },
      {
        title: 'Consumer lag per consumer',
        unit: 'short',
        targets: [{ expr: 'max by (consumer) (bazaar_events_consumer_pending)', legend: '{{consumer}}' }],
      },
      { title: 'Oldest unhandled event per consumer', unit: 's', targets: [{ expr: 'max by (consumer) (bazaar_events_consumer_oldest_age_seconds)', legend: '{{consumer}}' }] },
      { title: 'Events handled', unit: 'ops', targets: [{ expr: 'sum by (consumer, outcome) (rate(bazaar_events_handled_total[5m]))', legend: '{{consumer}} {{outcome}}' }] },
      { title: 'HTTP p99 by route', unit: 's', targets: [{ expr: quantile(0.99, 'bazaar_http_request_duration_seconds', 'route'), legend: '{{route}}' }] },
      {
        title: 'Process CPU and memory',
        unit: 'short',
        targets: [
          { expr: 'sum by (instance) (rate(bazaar_process_cpu_seconds_total[5m]))', legend: 'CPU {{instance}}' },
          { expr: 'sum by (instance) (bazaar_process_resident_memory_bytes) / 1024 / 1024', legend: 'RSS MiB {{instance}}' },
        ],
      },
    ],
  },
];

export function renderDashboard(): string {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of DASHBOARD_ROWS) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    row.panels.forEach((panel, i) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panel.title,
        ...(panel.description ? { description: panel.description } : {}),
        datasource,
        gridPos: { h: 8, w: 8, x: (i % 3) * 8, y: y + Math.floor(i / 3) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
        targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: t.expr, legendFormat: t.legend })),
      });
    });
    y += Math.ceil(row.panels.length / 3) * 8;
  }
  const dashboard = {
    uid: 'bazaar-overview',
    title: 'Bazaar',
    description: 'Generated by scripts/observability.ts from the metric names Bazaar registers.',
    tags: ['bazaar'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }] },
    annotations: { list: [] },
    panels,
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** Every expression the alerts and the dashboard evaluate. */
export function allExpressions(): string[] {
  return [...ALERT_GROUPS.flatMap((g) => g.rules.map((r) => r.expr)), ...DASHBOARD_ROWS.flatMap((r) => r.panels.flatMap((p) => p.targets.map((t) => t.expr)))];
}

export const GENERATED: Record<string, () => string> = {
  'alerts.yml': () => renderAlerts(),
  'alerts.test.yml': () => renderAlertTests(),
  'grafana-dashboard.json': renderDashboard,
};

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const [file, render] of Object.entries(GENERATED)) {
    fs.writeFileSync(path.join(OUTPUT_DIR, file), render());
    console.log(`wrote deploy/observability/${file}`);
  }
}
