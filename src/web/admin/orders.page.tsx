import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StaffOrdersQuery, staffOrderFilter } from '../../http/routes/staff.routes.ts';
import type { Account } from '../../modules/identity/index.ts';
import type { Order } from '../../modules/orders/index.ts';
import type { Warehouse } from '../../modules/inventory/index.ts';
import { AppError } from '../../platform/errors.ts';
import { Field, FormAlert } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { validateForm, type FieldErrors } from '../forms.ts';
import { formatDateTime, formatMoney, statusLabel } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { queryString, requireStaff, shortRef, type Staff } from './access.ts';
import { AdminLayout, Pager } from './layout.tsx';
import { registerAdminOrderDetail } from './order-detail.page.tsx';

const FIELDS = ['order', 'customer_email', 'status', 'from', 'to', 'warehouse_id', 'cursor'] as const;
const STATUSES = ['placed', 'processing', 'packed', 'shipped', 'delivered', 'cancelled'];
const PAGE_SIZE = 25;

interface ListProps {
  values: Record<string, string>;
  errors?: FieldErrors;
  orders: Order[];
  customers: Map<string, Account>;
  warehouses: Warehouse[];
  next: string | null;
}

function Filters(props: { values: Record<string, string>; errors?: FieldErrors; warehouses: Warehouse[] }): JSX.Element {
  const v = props.values;
  return (
    <form class="filters" method="get" action="/admin/orders" role="search" aria-label="Filter orders">
      <Field name="order" label="Order reference or id" value={v.order} errors={props.errors} maxlength={36} />
      <Field name="customer_email" label="Customer email" type="email" value={v.customer_email} errors={props.errors} maxlength={320} />
      <div class="field">
        <label for="field-status">Status</label>
        <select id="field-status" name="status">
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option value={s} selected={v.status === s} safe>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <Field name="from" label="Placed from" type="date" value={v.from} errors={props.errors} />
      <Field name="to" label="Placed until" type="date" value={v.to} errors={props.errors} />
      <div class="field">
        <label for="field-warehouse_id">Warehouse</label>
        <select id="field-warehouse_id" name="warehouse_id">
          <option value="">Any</option>
          {props.warehouses.map((w) => (
            <option value={w.id} selected={v.warehouse_id === w.id} safe>
              {`${w.code} · ${w.name}`}
            </option>
          ))}
        </select>
      </div>
      <button class="primary" type="submit">
        Filter
      </button>
      <a href="/admin/orders">Clear</a>
    </form>
  );
}

function OrdersList(props: ListProps): JSX.Element {
  return (
    <>
      <h1>Orders</h1>
      <Filters values={props.values} warehouses={props.warehouses} {...(props.errors ? { errors: props.errors } : {})} />
      <FormAlert errors={props.errors} />
      {props.orders.length === 0 ? (
        <p>No orders match.</p>
      ) : (
        <div class="table-wrap">
          <table class="list" aria-label="Orders">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Customer</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {props.orders.map((o) => (
                <tr>
                  <td>
                    <a href={`/admin/orders/${o.id}`} safe>
                      {shortRef(o.id)}
                    </a>
                  </td>
                  <td safe>{formatDateTime(o.placedAt)}</td>
                  <td safe>{props.customers.get(o.customerId)?.email ?? o.customerId}</td>
                  <td>
                    <span class={`status ${o.status}`} safe>
                      {statusLabel(o.status)}
                    </span>
                  </td>
                  <td class="num" safe>
                    {formatMoney(o.total, o.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={props.next} label="Older orders" />
    </>
  );
}

async function loadList(web: Web, staff: Staff, query: unknown): Promise<{ props: ListProps; status: number }> {
  const warehouses = await web.services.inventory.listWarehouses();
  const form = validateForm(StaffOrdersQuery, query, FIELDS);
  const empty = { orders: [], customers: new Map(), warehouses, next: null };
  if (!form.ok) return { props: { ...empty, values: form.values, errors: form.errors }, status: 400 };
  const q = form.value;
  const values = Object.fromEntries(FIELDS.filter((f) => f !== 'cursor').map((f) => [f, q[f] === undefined ? '' : String(q[f])]));
  let customerId: string | undefined;
  if (q.customer_email) {
    customerId = (await web.services.identity.findAccountByEmail(q.customer_email))?.id;
    if (!customerId) return { props: { ...empty, values }, status: 200 };
  }
  let filter;
  try {
    filter = staffOrderFilter(q, customerId);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'invalid_date_range') throw error;
    return { props: { ...empty, values, errors: { to: 'The last day must not be before the first day' } }, status: 400 };
  }
  const page = await web.services.orders.listAllOrders(staff.principal, filter, q.cursor, PAGE_SIZE);
  const customers = await web.services.identity.findAccounts(page.orders.map((o) => o.customerId));
  const next = page.nextCursor ? `/admin/orders${queryString({ ...values, cursor: page.nextCursor })}` : null;
  return { props: { orders: page.orders, customers, warehouses, next, values }, status: 200 };
}

export function registerAdminOrderPages(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin/orders', { preHandler: session }, async (request: FastifyRequest, reply: FastifyReply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const { props, status } = await loadList(web, staff, request.query);
    return web.sendPrivate(
      reply,
      <AdminLayout title="Orders" staff={staff} section="orders">
        <OrdersList {...props} />
      </AdminLayout>,
      status,
    );
  });
  registerAdminOrderDetail(app, web);
}
