import type { FastifyInstance } from 'fastify';
import { Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { resolveWebSession } from '../session.ts';

const PAGE_SIZE = 20;

/** The customer's notifications: order placed, parcels shipped (with tracking) and delivered, cancellations, refunds. */
export function registerNotificationsPage(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/notifications', { preHandler: session }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const cursor = (request.query as { cursor?: string }).cursor;
    const page = await web.services.notifications.list(principal, typeof cursor === 'string' && cursor ? cursor : undefined, PAGE_SIZE);
    const viewer = await web.viewer(request, reply);
    return web.sendPrivate(
      reply,
      <Layout title="Notifications" departments={await web.departments()} viewer={viewer} noindex>
        <h1>Notifications</h1>
        {page.notifications.length === 0 ? <p>Nothing yet. We tell you here when an order is placed, ships and arrives.</p> : ''}
        <ul class="cart-lines">
          {page.notifications.map((n) => (
            <li class="panel">
              <h2 safe>{n.title}</h2>
              <p safe>{n.body}</p>
              <p class="muted">
                <span safe>{formatDateTime(n.occurredAt)}</span> · <a href={`/orders/${n.orderId}`}>View order</a>
              </p>
            </li>
          ))}
        </ul>
        {page.nextCursor ? (
          <nav class="pager" aria-label="Pages">
            <a class="button secondary" rel="next" href={`/notifications?cursor=${encodeURIComponent(page.nextCursor)}`}>
              Older notifications
            </a>
          </nav>
        ) : (
          ''
        )}
      </Layout>,
    );
  });
}
