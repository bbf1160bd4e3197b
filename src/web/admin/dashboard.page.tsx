import type { FastifyInstance } from 'fastify';
import { dashboardFigures, type DashboardFigures } from '../../app/staff-dashboard.ts';
import type { Web } from '../context.ts';
import { formatMoney } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { requireStaff, textOf } from './access.ts';
import { BarChart } from './chart.tsx';
import { AdminLayout } from './layout.tsx';

const RANGES = [7, 14, 30, 90] as const;

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const shortDay = (day: string) => day.slice(5).replace('-', '/');

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

function Dashboard(props: { f: DashboardFigures; days: number }): JSX.Element {
  const { f } = props;
  const money = (amount: number) => formatMoney(Math.round(amount), f.currency);
  return (
    <>
      <h1>Dashboard</h1>
      <form class="filters" method="get" action="/admin">
        <div class="field">
          <label for="range">Period</label>
          <select id="range" name="days" data-autosubmit>
            {RANGES.map((d) => (
              <option value={String(d)} selected={d === props.days} safe>
                {`Last ${d} days`}
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
        <BarChart id="chart-revenue" title="Revenue per day" points={f.days.map((d) => ({ label: shortDay(d.day), value: d.revenue }))} format={money} />
        <BarChart id="chart-orders" title="Orders per day" points={f.days.map((d) => ({ label: shortDay(d.day), value: d.orders }))} format={(n) => String(Math.round(n))} integer />
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
    </>
  );
}


export function registerAdminDashboardPage(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin', { preHandler: session }, async (request, reply) => {
    if (request.webPrincipal?.role === 'seller') return reply.header('cache-control', 'no-store').redirect('/admin/products', 303);
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const asked = Number(textOf(request.query, 'days'));
    const days = (RANGES as readonly number[]).includes(asked) ? asked : 14;
    const f = await dashboardFigures(web.services, staff.principal, { days, now: web.ctx.clock.now() });
    return web.sendPrivate(
      reply,
      <AdminLayout title="Dashboard" staff={staff} section="dashboard">
        <Dashboard f={f} days={days} />
      </AdminLayout>,
    );
  });
}
