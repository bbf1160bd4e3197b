import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ShipmentDetail } from '../../modules/fulfillment/index.ts';
import type { OrderDetail } from '../../modules/orders/index.ts';
import { CANCELLABLE } from '../../modules/orders/index.ts';
import type { Principal } from '../../modules/identity/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { CsrfField, Notice } from '../components/form.tsx';
import { Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { notFoundError, sendErrorPage } from '../errors.tsx';
import { errorsFromAppError, FORM_LEVEL } from '../forms.ts';
import { formatDateTime, formatDay, formatMoney, statusLabel } from '../format.ts';
import { resolveWebSession } from '../session.ts';

const STEPS = ['pending', 'picked', 'packed', 'shipped', 'delivered'] as const;
const PAGE_SIZE = 20;

function Timeline(props: { shipment: ShipmentDetail }): JSX.Element {
  const s = props.shipment;
  if (s.status === 'cancelled') return <p>This parcel was cancelled before it left the warehouse.</p>;
  const reached = STEPS.indexOf(s.status as (typeof STEPS)[number]);
  return (
    <ol class="timeline">
      {STEPS.map((step, i) => {
        const change = [...s.history].reverse().find((h) => h.to === step);
        const state = i < reached ? 'done' : i === reached ? 'done current' : '';
        return (
          <li class={state} aria-current={i === reached ? 'step' : undefined}>
            <span safe>{statusLabel(step)}</span>
            {change ? <time datetime={change.occurredAt.toISOString()} safe>{formatDateTime(change.occurredAt)}</time> : ''}
          </li>
        );
      })}
    </ol>
  );
}

/** Every parcel's live status: the section live-order.js refreshes until the order is final. */
export function ShipmentsSection(props: { order: OrderDetail; shipments: ShipmentDetail[] }): JSX.Element {
  const { order, shipments } = props;
  const final = order.status === 'delivered' || order.status === 'cancelled';
  return (
    <section
      id="shipments"
      aria-labelledby="shipments-title"
      aria-live="polite"
      data-live-src={`/orders/${order.id}/shipments`}
      data-final={final ? 'true' : 'false'}
      data-order-status={order.status}
      data-order-status-label={statusLabel(order.status)}
    >
      <h2 id="shipments-title">Shipments</h2>
      {shipments.length === 0 ? <p>{order.status === 'cancelled' ? 'Nothing will be shipped.' : 'The warehouse is preparing your parcels.'}</p> : ''}
      {shipments.map((s, i) => (
        <article class="panel" aria-label={`Parcel ${i + 1} of ${shipments.length}`}>
          <h3>
            <span safe>{`Parcel ${i + 1}`}</span> · <span class={`status ${s.status}`} safe>{statusLabel(s.status)}</span>
          </h3>
          <p safe>{s.items.map((item) => `${item.quantity} × ${item.title}`).join(', ')}</p>
          <p>
            {s.carrier ? (
              <>
                Carrier: <strong safe>{s.carrier}</strong>
                {s.trackingNumber ? (
                  <>
                    {' '}
                    · Tracking number: <strong safe>{s.trackingNumber}</strong>
                  </>
                ) : (
                  ''
                )}
              </>
            ) : (
              'Carrier: assigned when the parcel ships'
            )}
          </p>
          <p safe>{s.deliveredAt ? `Delivered ${formatDateTime(s.deliveredAt)}` : `Estimated delivery: ${formatDay(s.estimatedDelivery)}`}</p>
          <Timeline shipment={s} />
        </article>
      ))}
    </section>
  );
}

interface OrderPageProps {
  order: OrderDetail;
  shipments: ShipmentDetail[];
  csrf: string;
  placed: boolean;
  message?: { kind: 'success' | 'error'; text: string };
}

function OrderBody(props: OrderPageProps): JSX.Element {
  const { order } = props;
  const a = order.shippingAddress;
  return (
    <>
      {props.placed ? (
        <Notice kind="success">
          <p>
            <strong>Thank you, your order is placed.</strong> A confirmation is in your <a href="/notifications">notifications</a>.
          </p>
        </Notice>
      ) : (
        ''
      )}
      {props.message ? (
        <Notice kind={props.message.kind}>
          <p safe>{props.message.text}</p>
        </Notice>
      ) : (
        ''
      )}
      <h1>
        Order <span safe>{order.id.slice(-8).toUpperCase()}</span>
      </h1>
      <p>
        Status:{' '}
        <span class={`status ${order.status}`} data-order-status safe>
          {statusLabel(order.status)}
        </span>{' '}
        · placed <span safe>{formatDateTime(order.placedAt)}</span> · estimated delivery <span safe>{formatDay(order.estimatedDelivery)}</span>
      </p>
      {order.status === 'cancelled' ? (
        <p safe>{`Cancelled${order.cancelReason ? ` (${order.cancelReason})` : ''}. Refund: ${order.refundStatus === 'done' ? 'refunded' : order.refundStatus === 'pending' ? 'in progress' : 'none needed'}.`}</p>
      ) : (
        ''
      )}
      <div class="layout-2">
        <div>
          <ShipmentsSection order={order} shipments={props.shipments} />
        </div>
        <aside>
          <section class="panel" aria-labelledby="items-title">
            <h2 id="items-title">Items</h2>
            <ul>
              {order.items.map((i) => (
                <li safe>{`${i.quantity} × ${i.title} — ${formatMoney(i.unitPrice * i.quantity, i.currency)}`}</li>
              ))}
            </ul>
            <p class="summary">
              <span>Total charged</span>
              <span safe>{formatMoney(order.total, order.currency)}</span>
            </p>
          </section>
          <section class="panel" aria-labelledby="address-title">
            <h2 id="address-title">Shipping to</h2>
            <p class="description" safe>{[a.name, a.line1, a.line2, `${a.city}, ${a.region} ${a.postal_code}`, a.country].filter(Boolean).join('\n')}</p>
          </section>
          {CANCELLABLE.includes(order.status) ? (
            <form method="post" action={`/orders/${order.id}/cancel`}>
              <CsrfField token={props.csrf} />
              <button class="secondary" type="submit">
                Cancel this order
              </button>
            </form>
          ) : (
            ''
          )}
        </aside>
      </div>
    </>
  );
}

async function loadOrder(web: Web, principal: Principal, id: string) {
  const order = await web.services.orders.getOrder(principal, id);
  return { order, shipments: await web.services.fulfillment.listForOrder(order.id) };
}

export function registerOrderPages(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);

  const renderOrder = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, principal: Principal, message?: OrderPageProps['message'], status = 200) => {
    const { order, shipments } = await loadOrder(web, principal, request.params.id);
    const viewer = await web.viewer(request, reply);
    const placed = (request.query as { placed?: string }).placed === '1';
    return web.sendPrivate(
      reply,
      <Layout title={`Order ${order.id.slice(-8).toUpperCase()}`} departments={await web.departments()} viewer={viewer} scripts={['live-order.js']} noindex>
        <OrderBody order={order} shipments={shipments} csrf={viewer.csrf} placed={placed} {...(message ? { message } : {})} />
      </Layout>,
      status,
    );
  };

  app.get('/orders', { preHandler: session }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const cursor = (request.query as { cursor?: string }).cursor;
    const page = await web.services.orders.listOrders(principal, typeof cursor === 'string' && cursor ? cursor : undefined, PAGE_SIZE);
    const viewer = await web.viewer(request, reply);
    return web.sendPrivate(
      reply,
      <Layout title="Your orders" departments={await web.departments()} viewer={viewer} noindex>
        <h1>Your orders</h1>
        {page.orders.length === 0 ? (
          <p>
            You have no orders yet. <a href="/">Start shopping</a>
          </p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {page.orders.map((o) => (
                <tr>
                  <td>
                    <a href={`/orders/${o.id}`} safe>
                      {o.id.slice(-8).toUpperCase()}
                    </a>
                  </td>
                  <td safe>{formatDateTime(o.placedAt)}</td>
                  <td>
                    <span class={`status ${o.status}`} safe>
                      {statusLabel(o.status)}
                    </span>
                  </td>
                  <td safe>{formatMoney(o.total, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor ? (
          <nav class="pager" aria-label="Pages">
            <a class="button secondary" rel="next" href={`/orders?cursor=${encodeURIComponent(page.nextCursor)}`}>
              Older orders
            </a>
          </nav>
        ) : (
          ''
        )}
      </Layout>,
    );
  });

  app.get<{ Params: { id: string } }>('/orders/:id', { preHandler: session }, async (request, reply) => {
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    return renderOrder(request, reply, principal);
  });

  app.get<{ Params: { id: string } }>('/orders/:id/shipments', { preHandler: session }, async (request, reply) => {
    if (!isUuid(request.params.id) || !request.webPrincipal) return sendErrorPage(web, request, reply, notFoundError());
    const { order, shipments } = await loadOrder(web, request.webPrincipal, request.params.id);
    return reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(await (<ShipmentsSection order={order} shipments={shipments} />));
  });

  app.post<{ Params: { id: string } }>('/orders/:id/cancel', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    try {
      await web.services.cancellation.cancel(principal, request.params.id, 'requested by customer');
    } catch (error) {
      return renderOrder(request, reply, principal, { kind: 'error', text: errorsFromAppError(error)[FORM_LEVEL]! }, 409);
    }
    return reply.redirect(`/orders/${request.params.id}`, 303);
  });
}
