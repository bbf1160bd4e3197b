import type { FastifyInstance } from 'fastify';
import type { Web } from '../context.ts';
import { resolveWebSession } from '../session.ts';
import { queryString, requireStaff, textOf } from './access.ts';
import { AdminLayout, Pager } from './layout.tsx';

const PAGE_SIZE = 50;

export function registerAdminInventoryPage(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin/inventory', { preHandler: session }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const page = await web.services.inventory.listLowStock(textOf(request.query, 'cursor'), PAGE_SIZE);
    const products = await web.services.catalog.findProducts(page.products.map((p) => p.productId));
    const next = page.nextCursor ? `/admin/inventory${queryString({ cursor: page.nextCursor })}` : null;
    return web.sendPrivate(
      reply,
      <AdminLayout title="Low stock" staff={staff} section="inventory">
        <h1>Low stock</h1>
        <p safe>{`Products with ${page.threshold} or fewer sellable units over all active warehouses, fewest first (LOW_STOCK_THRESHOLD).`}</p>
        {page.products.length === 0 ? (
          <p>Nothing is running low.</p>
        ) : (
          <div class="table-wrap">
            <table class="list" aria-label="Low-stock products">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Available
                  </th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col" class="num">
                    Reserved
                  </th>
                  <th scope="col" class="num">
                    Sold
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.products.map((row) => {
                  const product = products.get(row.productId);
                  return (
                    <tr>
                      <td>
                        <a href={`/admin/products/${row.productId}`} safe>
                          {product?.title ?? row.productId}
                        </a>
                      </td>
                      <td>{product?.status ?? 'unknown'}</td>
                      <td class="num" safe>
                        {String(row.available)}
                      </td>
                      <td class="num" safe>
                        {String(row.total)}
                      </td>
                      <td class="num" safe>
                        {String(row.reserved)}
                      </td>
                      <td class="num" safe>
                        {String(row.sold)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <Pager next={next} />
      </AdminLayout>,
    );
  });
}
