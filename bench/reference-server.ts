/**
 * The in-run reference: bare Fastify (the project's own version), no database, no plugins,
 * one JSON route returning a product-sized object. The API's figures are read against it,
 * so results from different machines can be compared as ratios.
 */
import fs from 'node:fs';
import Fastify from 'fastify';

// Shaped and sized like a product detail response; replaced by a real one when the harness passes it.
const SAMPLE = {
  id: '0191f3a2-7c4e-7b21-9a55-2f1f0c1d2e3f',
  seller_id: '0191f3a2-7c4e-7b21-9a55-000000000001',
  title: "Stridelite Men's Trail Running Shoe, Lightweight, Breathable Mesh, Size 10",
  description:
    'The Stridelite trail running shoe is a lightweight choice for trail days. It brings breathable mesh and responsive foam to the ' +
    'running shoes you use every day. Specifications — audience: Men\'s; size: 10; color: Navy; width: Regular. Free returns within 30 days.',
  category_id: 17,
  brand: 'Stridelite',
  price: { amount: 8999, currency: 'USD' },
  images: ['/img/3b9f4c1e0a2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7.svg'],
  attributes: { audience: "Men's", size: '10', color: 'Navy', width: 'Regular' },
  avg_rating: 4.6,
  review_count: 1287,
  status: 'active',
  purchase_limit: null,
  created_at: '2025-03-14T09:26:53.000Z',
  updated_at: '2025-03-14T09:26:53.000Z',
  availability: 'in_stock',
};

const bodyFile = process.env.BENCH_REFERENCE_BODY_FILE;
const body: unknown = bodyFile ? JSON.parse(fs.readFileSync(bodyFile, 'utf8')) : SAMPLE;

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/product', async () => body);
// The same body under varying paths, for loads that pick a path per request (the client's cost included).
app.get('/product/:id', async () => body);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3999) });
const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
