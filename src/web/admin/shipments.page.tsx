import type { FastifyInstance } from 'fastify';
import type { ShipmentDetail } from '../../modules/fulfillment/index.ts';
import { Field } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { formatDateTime, formatDay, statusLabel } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { requireStaff, shortRef, textOf } from './access.ts';
import { AdminLayout } from './layout.tsx';

const TRACKING = /^[A-Za-z0-9-]{4,40}$/;

function Results(props: { query: string; shipments: ShipmentDetail[] }): JSX.Element {
  if (props.shipments.length === 0) return <p safe>{`No shipment has the tracking number ${props.query}.`}</p>;
  return (
    <div class="table-wrap">
      <table class="list" aria-label="Shipments found">
        <thead>
          <tr>
            <th scope="col">Parcel</th>
            <th scope="col">Order</th>
            <th scope="col">Carrier</th>
            <th scope="col">Tracking number</th>
            <th scope="col">Status</th>
            <th scope="col">Last change</th>
            <th scope="col">Estimated delivery</th>
          </tr>
        </thead>
        <tbody>
          {props.shipments.map((s) => (
            <tr>
              <td safe>{shortRef(s.id)}</td>
              <td>
                <a href={`/admin/orders/${s.orderId}`} safe>
                  {shortRef(s.orderId)}
                </a>
              </td>
              <td safe>{s.carrier ?? ''}</td>
              <td safe>{s.trackingNumber ?? ''}</td>
              <td>
                <span class={`status ${s.status}`} safe>
                  {statusLabel(s.status)}
                </span>
              </td>
              <td safe>{formatDateTime(s.statusChangedAt)}</td>
              <td safe>{s.deliveredAt ? `Delivered ${formatDateTime(s.deliveredAt)}` : formatDay(s.estimatedDelivery)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function registerAdminShipmentsPage(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin/shipments', { preHandler: session }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const query = textOf(request.query, 'tracking_number');
    const valid = query !== undefined && TRACKING.test(query);
    const shipments = valid ? await web.services.fulfillment.findByTrackingNumber(query) : [];
    const errors = query !== undefined && !valid ? { tracking_number: 'A tracking number has 4 to 40 letters, digits or dashes' } : undefined;
    return web.sendPrivate(
      reply,
      <AdminLayout title="Find a shipment" staff={staff} section="shipments">
        <h1>Find a shipment</h1>
        <form class="filters" method="get" action="/admin/shipments" role="search" aria-label="Find a shipment by tracking number">
          <Field name="tracking_number" label="Tracking number" value={query} errors={errors} maxlength={40} required />
          <button class="primary" type="submit">
            Find
          </button>
        </form>
        {valid ? <Results query={query} shipments={shipments} /> : ''}
      </AdminLayout>,
      errors ? 400 : 200,
    );
  });
}
