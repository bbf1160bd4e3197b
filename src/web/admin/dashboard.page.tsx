import type { FastifyInstance } from 'fastify';
import { dashboardFigures, type DashboardFigures, type DashboardRange } from '../../app/staff-dashboard.ts';
import type { Web } from '../context.ts';
import { formatMoney } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { requireStaff, textOf } from './access.ts';
import { BarChart } from './chart.tsx';
import { AdminLayout } from './layout.tsx';

const PERIODS: Record<string, { label: string; range: DashboardRange }> = {
  '24h': { label: 'Last 24 hours', range: { hours: 24 } },
  '7d': { label: 'Last 7 days', range: { days: 7 } },
  '14d': { label: 'Last 14 days', range: { days: 14 } },
  '30d': { label: 'Last 30 days', range: { days: 30 } },
  '90d': { label: 'Last 90 days', range: { days: 90 } },
};
const DEFAULT_PERIOD = '14d';

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
/** A bucket's axis label: MM/DD for a day, HH:00 for an hour. */
const shortLabel = (bucket: string) => (bucket.length > 10 ? bucket.slice(11) : bucket.slice(5).replace('-', '/'));

function Figures(props: { f: DashboardFigures }): JSX.Element {
  const { f } = props;
  const money = (amount: number) => formatMoney(amount, f.currency);
  const items: [string, string][] = [
    ['Orders', String(f.orders)],
    ['Revenue', money(f.revenue)],
    ['Average order value', money(f.averageOrderValue)],
    ['Cancelled', String(f.cancelled)],
    ['Visits with a product view', String(f.visitsWithProductView)],
    ['Conversion (orders per visit)', percent(f.conversionRate)],
  ];
  return (
    <ul class="figures" aria-label="Figures">
      {items.map(([label, value]) => (
        <li>
          <span class="muted" safe>
            {label}
          </span>
          <span class="value" safe>
            {value}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Consumers(props: { consumers: DashboardFigures['consumers'] }): JSX.Element {
  return (
    <section class="panel" aria-labelledby="consumers-title">
      <h2 id="consumers-title">Event consumers</h2>
      <p class="muted">Events each background consumer has still to handle (search index, fulfillment, notifications, caches). A growing number means a worker is behind or stopped.</p>
      {props.consumers.length === 0 ? (
        <p>Consumer lag could not be read.</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Consumer</th>
              <th scope="col" class="num">
                Pending
              </th>
              <th scope="col" class="num">
                Oldest (seconds)
              </th>
            </tr>
          </thead>
          <tbody>
            {props.consumers.map((c) => (
              <tr>
                <td safe>{c.consumer}</td>
                <td class="num" safe>
                  {String(c.pending)}
                </td>
                <td class="num" safe>
                  {String(c.oldestAgeSeconds)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Dashboard(props: { f: DashboardFigures; period: string }): JSX.Element {
  const { f } = props;
  const money = (amount: number) => formatMoney(Math.round(amount), f.currency);
  const unit = f.bucket === 'hour' ? 'hour' : 'day';
  return (
    <>
      <h1>Dashboard</h1>
      <form class="filters" method="get" action="/admin">
        <div class="field">
          <label for="range">Period</label>
          <select id="range" name="period" data-autosubmit>
            {Object.entries(PERIODS).map(([value, p]) => (
              <option value={value} selected={value === props.period} safe>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <button class="secondary" type="submit" data-autosubmit-button>
          Show
        </button>
      </form>
      <p class="muted" safe>{`${f.from} to ${f.to} (UTC), in ${f.currency}`}</p>
      <Figures f={f} />
      <div class="charts">
        <BarChart id="chart-revenue" title={`Revenue per ${unit}`} unit={`${unit}s`} points={f.days.map((d) => ({ label: shortLabel(d.day), value: d.revenue }))} format={money} />
        <BarChart id="chart-orders" title={`Orders per ${unit}`} unit={`${unit}s`} points={f.days.map((d) => ({ label: shortLabel(d.day), value: d.orders }))} format={(n) => String(Math.round(n))} integer />
      </div>
      <div class="layout-2">
        <section class="panel" aria-labelledby="top-title">
          <h2 id="top-title">Best sellers</h2>
          {f.topProducts.length === 0 ? (
            <p>No sales in this period.</p>
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" class="num">
                    Units
                  </th>
                  <th scope="col" class="num">
                    Revenue
                  </th>
                </tr>
              </thead>
              <tbody>
                {f.topProducts.map((p) => (
                  <tr>
                    <td>
                      <a href={`/admin/products/${p.productId}`} safe>
                        {p.title}
                      </a>
                    </td>
                    <td class="num" safe>
                      {String(p.units)}
                    </td>
                    <td class="num" safe>
                      {money(p.revenue)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="panel" aria-labelledby="low-title">
          <h2 id="low-title">Low stock</h2>
          {f.lowStock.length === 0 ? (
            <p safe>{`Nothing at or below ${f.lowStockThreshold} units.`}</p>
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" class="num">
                    Available
                  </th>
                </tr>
              </thead>
              <tbody>
                {f.lowStock.map((p) => (
                  <tr>
                    <td>
                      <a href={`/admin/products/${p.productId}`} safe>
                        {p.title ?? p.productId}
                      </a>
                    </td>
                    <td class="num" safe>
                      {String(p.available)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <a href="/admin/inventory">All low-stock products</a>
          </p>
        </section>
      </div>
      <Consumers consumers={f.consumers} />
    </>
  );
}


export function registerAdminDashboardPage(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin', { preHandler: session }, async (request, reply) => {
    if (request.webPrincipal?.role === 'seller') return reply.header('cache-control', 'no-store').redirect('/admin/products', 303);
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const asked = textOf(request.query, 'period');
    const period = asked && Object.hasOwn(PERIODS, asked) ? asked : DEFAULT_PERIOD;
    const f = await dashboardFigures(web.ctx, staff.principal, { range: PERIODS[period]!.range, now: web.ctx.clock.now() });
    return web.sendPrivate(
      reply,
      <AdminLayout title="Dashboard" staff={staff} section="dashboard">
        <Dashboard f={f} period={period} />
      </AdminLayout>,
    );
  });
}
