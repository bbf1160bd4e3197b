import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ReportStepBody } from '../../http/routes/fulfillment.routes.ts';
import { SHIPMENT_TRANSITIONS, type ShipmentDetail } from '../../modules/fulfillment/index.ts';
import { CANCELLABLE, type OrderDetail } from '../../modules/orders/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { CsrfField, Field, FormAlert, Notice } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { notFoundError, sendErrorPage } from '../errors.tsx';
import { errorsFromAppError, FORM_LEVEL, validateForm, type FieldErrors } from '../forms.ts';
import { formatDateTime, formatDay, formatMoney, statusLabel } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { requireStaff, shortRef, textOf, type Staff } from './access.ts';
import { AdminLayout } from './layout.tsx';

const STEP_FIELDS = ['type', 'carrier', 'tracking_number'] as const;
const DONE_MESSAGES: Record<string, string> = { cancelled: 'The order is cancelled; its units went back to stock and the refund was started.', step: 'The shipment step was recorded.' };

interface DetailProps {
  order: OrderDetail;
  shipments: ShipmentDetail[];
  customer: { email: string; name: string } | undefined;
  payment: { status: string; amount: number; currency: string; refundedAmount: number } | undefined;
  carriers: { id: string; name: string; isDefault: boolean }[];
  csrf: string;
  done?: string;
  /** A refused action: which form, and its messages. */
  refused?: { form: string; errors: FieldErrors };
}

/** The steps staff can report next for a shipment (cancelling happens with the order). */
const nextSteps = (s: ShipmentDetail) => SHIPMENT_TRANSITIONS[s.status].filter((to) => to !== 'cancelled');

function StepForm(props: { shipment: ShipmentDetail; carriers: DetailProps['carriers']; csrf: string; errors?: FieldErrors }): JSX.Element {
  const s = props.shipment;
  const steps = nextSteps(s);
  if (steps.length === 0) return '';
  const formId = `step-${s.id}`;
  const shipping = steps.includes('shipped');
  return (
    <form id={formId} class="actions" method="post" action={`/admin/shipments/${s.id}/events`} aria-label={`Report a step of parcel ${shortRef(s.id)}`} data-once>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="type" value={steps[0]} />
      {shipping ? (
        <>
          <div class="field">
            <label for={`${formId}-carrier`}>Carrier</label>
            <select id={`${formId}-carrier`} name="carrier">
              {props.carriers.map((c) => (
                <option value={c.id} selected={c.isDefault} safe>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <Field form={formId} name="tracking_number" label="Tracking number" errors={props.errors} maxlength={40} required />
        </>
      ) : (
        ''
      )}
      <button class="primary" type="submit" safe>
        {`Mark ${statusLabel(steps[0]!).toLowerCase()}`}
      </button>
    </form>
  );
}

function Shipment(props: { shipment: ShipmentDetail; carriers: DetailProps['carriers']; csrf: string; errors?: FieldErrors }): JSX.Element {
  const s = props.shipment;
  return (
    <article class="panel" aria-label={`Parcel ${shortRef(s.id)}`}>
      <h3>
        Parcel <span safe>{shortRef(s.id)}</span> · <span class={`status ${s.status}`} safe>{statusLabel(s.status)}</span>
      </h3>
      <p safe>{s.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')}</p>
      <p>
        Carrier: <strong safe>{s.carrier ?? 'not yet'}</strong> · Tracking number: <strong safe>{s.trackingNumber ?? 'not yet'}</strong> · Estimated delivery:{' '}
        <span safe>{formatDay(s.estimatedDelivery)}</span>
      </p>
      <table class="list" aria-label="Parcel history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Reported by</th>
          </tr>
        </thead>
        <tbody>
          {s.history.map((h) => (
            <tr>
              <td safe>{formatDateTime(h.occurredAt)}</td>
              <td safe>{`${h.from ? `${statusLabel(h.from)} → ` : ''}${statusLabel(h.to)}`}</td>
              <td safe>{h.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.errors ? <FormAlert errors={props.errors} /> : ''}
      <StepForm shipment={s} carriers={props.carriers} csrf={props.csrf} {...(props.errors ? { errors: props.errors } : {})} />
    </article>
  );
}

function Detail(props: DetailProps): JSX.Element {
  const { order, payment } = props;
  const a = order.shippingAddress;
  return (
    <>
      {props.done && DONE_MESSAGES[props.done] ? (
        <Notice kind="success">
          <p safe>{DONE_MESSAGES[props.done]}</p>
        </Notice>
      ) : (
        ''
      )}
      {props.refused?.form === 'cancel' ? <FormAlert errors={props.refused.errors} /> : ''}
      <p>
        <a href="/admin/orders">← All orders</a>
      </p>
      <h1>
        Order <span safe>{shortRef(order.id)}</span>
      </h1>
      <p>
        <span class={`status ${order.status}`} data-order-status safe>
          {statusLabel(order.status)}
        </span>{' '}
        · placed <span safe>{formatDateTime(order.placedAt)}</span> · <code safe>{order.id}</code>
      </p>
      {order.status === 'cancelled' ? <p safe>{`Cancelled (${order.cancelReason ?? 'no reason'}); refund ${order.refundStatus}.`}</p> : ''}
      <div class="layout-2">
        <div>
          <section aria-labelledby="parcels-title">
            <h2 id="parcels-title">Shipments</h2>
            {props.shipments.length === 0 ? <p>No shipments yet: fulfillment plans them right after the order is placed.</p> : ''}
            {props.shipments.map((s) => (
              <Shipment shipment={s} carriers={props.carriers} csrf={props.csrf} {...(props.refused?.form === s.id ? { errors: props.refused.errors } : {})} />
            ))}
          </section>
          <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">Order history</h2>
            <ul>
              {order.history.map((h) => (
                <li safe>{`${formatDateTime(h.occurredAt)}: ${h.from ? `${statusLabel(h.from)} → ` : ''}${statusLabel(h.to)}${h.reason ? ` (${h.reason})` : ''}`}</li>
              ))}
            </ul>
          </section>
        </div>
        <aside>
          <section class="panel" aria-labelledby="customer-title">
            <h2 id="customer-title">Customer</h2>
            <p safe>{props.customer ? `${props.customer.name} · ${props.customer.email}` : order.customerId}</p>
            <p class="description" safe>{[a.name, a.line1, a.line2, `${a.city}, ${a.region} ${a.postal_code}`, a.country].filter(Boolean).join('\n')}</p>
          </section>
          <section class="panel" aria-labelledby="items-title">
            <h2 id="items-title">Items</h2>
            <ul>
              {order.items.map((i) => (
                <li>
                  <a href={`/admin/products/${i.productId}`} safe>
                    {`${i.quantity} × ${i.title}`}
                  </a>{' '}
                  <span safe>{formatMoney(i.unitPrice * i.quantity, i.currency)}</span>
                </li>
              ))}
            </ul>
            <p class="summary">
              <span>Total</span>
              <span safe>{formatMoney(order.total, order.currency)}</span>
            </p>
          </section>
          <section class="panel" aria-labelledby="payment-title">
            <h2 id="payment-title">Payment</h2>
            <p>{payment ? `${payment.status.charAt(0).toUpperCase()}${payment.status.slice(1)}: ${formatMoney(payment.amount, payment.currency)}${payment.refundedAmount > 0 ? `, refunded ${formatMoney(payment.refundedAmount, payment.currency)}` : ''}` : 'No payment found'}</p>
          </section>
          {CANCELLABLE.includes(order.status) ? (
            <section class="panel" aria-labelledby="cancel-title">
              <h2 id="cancel-title">Cancel</h2>
              <form method="post" action={`/admin/orders/${order.id}/cancel`} data-once>
                <CsrfField token={props.csrf} />
                <Field name="reason" label="Reason (the customer sees it)" value="cancelled by staff" maxlength={500} />
                <button class="secondary" type="submit">
                  Cancel order and refund
                </button>
              </form>
            </section>
          ) : (
            ''
          )}
        </aside>
      </div>
    </>
  );
}

export function registerAdminOrderDetail(app: FastifyInstance, web: Web): void {
  const { orders, fulfillment, identity, payments, cancellation, delivery } = web.services;
  const session = resolveWebSession(identity);

  const render = async (request: FastifyRequest, reply: FastifyReply, staff: Staff, orderId: string, extra: Pick<DetailProps, 'refused' | 'done'> = {}, status = 200) => {
    const order = await orders.getOrder(staff.principal, orderId);
    const [shipments, customers, payment, carriers] = await Promise.all([fulfillment.listForOrder(order.id), identity.findAccounts([order.customerId]), payments.findPayment(order.id), delivery.listCarriers()]);
    const account = customers.get(order.customerId);
    return web.sendPrivate(
      reply,
      <AdminLayout title={`Order ${shortRef(order.id)}`} staff={staff} section="orders">
        <Detail
          order={order}
          shipments={shipments}
          customer={account}
          payment={payment ? { status: payment.status, amount: payment.amount, currency: payment.currency, refundedAmount: payment.refundedAmount } : undefined}
          carriers={carriers}
          csrf={staff.csrf}
          {...extra}
        />
      </AdminLayout>,
      status,
    );
  };

  app.get<{ Params: { id: string } }>('/admin/orders/:id', { preHandler: session }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const done = textOf(request.query, 'done');
    return render(request, reply, staff, request.params.id, done ? { done } : {});
  });

  app.post<{ Params: { id: string } }>('/admin/orders/:id/cancel', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const reason = (textOf(request.body, 'reason') ?? 'cancelled by staff').slice(0, 500);
    try {
      await cancellation.cancel(staff.principal, request.params.id, reason);
    } catch (error) {
      return render(request, reply, staff, request.params.id, { refused: { form: 'cancel', errors: errorsFromAppError(error) } }, 409);
    }
    return reply.redirect(`/admin/orders/${request.params.id}?done=cancelled`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/shipments/:id/events', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const shipment = await fulfillment.getShipment(request.params.id);
    const form = validateForm(ReportStepBody, request.body, STEP_FIELDS);
    if (!form.ok) return render(request, reply, staff, shipment.orderId, { refused: { form: shipment.id, errors: form.errors } }, 400);
    const b = form.value;
    try {
      await fulfillment.report(shipment.id, { type: b.type, ...(b.carrier ? { carrier: b.carrier } : {}), ...(b.tracking_number ? { trackingNumber: b.tracking_number } : {}), source: 'admin' });
    } catch (error) {
      const errors = errorsFromAppError(error, { tracking_number_in_use: 'tracking_number', tracking_number_required: 'tracking_number', invalid_tracking_number: 'tracking_number' });
      return render(request, reply, staff, shipment.orderId, { refused: { form: shipment.id, errors: { [FORM_LEVEL]: Object.values(errors)[0]!, ...errors } } }, 409);
    }
    return reply.redirect(`/admin/orders/${shipment.orderId}?done=step`, 303);
  });
}
