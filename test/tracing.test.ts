import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, withSpan, type Tracing } from '../src/platform/tracing.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BUSES, uniquePrefix } from './helpers/events.ts';
import { FAST_LIFECYCLE, placeOrder, waitFor } from './helpers/lifecycle.ts';
import { addToCart, checkout, createBuyer, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';

const SAGA_STEPS = ['checkout.reserve', 'checkout.estimate_delivery', 'checkout.authorize', 'checkout.capture', 'checkout.confirm_stock', 'checkout.create_order', 'checkout.empty_cart'];

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing off (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', FAST_PAYMENTS);
  });
  afterAll(async () => t?.close());

  it('writes no trace context into the outbox', async () => {
    const { productIds: [product] } = await stockedProducts(t.ctx, { stock: 5 });
    await placeOrder(t.app, await createBuyer(t.app), [product!]);
    const rows = await t.ctx.databases.orders.selectFrom('outbox').select(['type', 'trace_context']).execute();
    expect(rows.some((r) => r.type === 'orders.order.placed')).toBe(true);
    expect(rows.every((r) => r.trace_context === null)).toBe(true);
  });
});

describe.each(BUSES)('tracing on, with an in-memory exporter (%s bus)', (bus) => {
  let t: TestApp;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();
  const prefix = uniquePrefix();

  beforeAll(async () => {
    tracing = startTracing({ exporter, serviceName: 'bazaar-test' });
    t = await createTestApp('pglite', { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, NATS_STREAM_PREFIX: prefix, ...(bus === 'jetstream' ? { NATS_URL: process.env.TEST_NATS_URL! } : {}) });
  });
  afterAll(async () => {
    await t?.close();
    await tracing?.shutdown();
    if (bus === 'jetstream') {
      const nc = await connect({ servers: process.env.TEST_NATS_URL! });
      await (await nc.jetstreamManager()).streams.delete(`${prefix}_EVENTS`).catch(() => false);
      await nc.close();
    }
  });

  it('gives a checkout one trace with a span per saga step, in order, and continues it in the consumers through the event headers', async () => {
    const { productIds: [product] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyer = await createBuyer(t.app);
    exporter.reset();
    await placeOrder(t.app, buyer, [product!]);

    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'checkout');
    expect(root, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(root!.attributes['bazaar.checkout.outcome']).toBe('placed');
    const steps = spans.filter((s) => s.name.startsWith('checkout.') && s.spanContext().traceId === root!.spanContext().traceId);
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(SAGA_STEPS));
    for (const step of steps) expect(parentOf(step), step.name).toBe(root!.spanContext().spanId);
    const started = (name: string) => Math.min(...steps.filter((s) => s.name === name).map((s) => s.startTime[0] * 1e9 + s.startTime[1]));
    const order = [...SAGA_STEPS].sort((a, b) => started(a) - started(b));
    expect(order).toEqual(SAGA_STEPS);

    // The order.placed event carries the checkout's trace; the worker side continues it.
    const placed = await t.ctx.databases.orders.selectFrom('outbox').select(['trace_context']).where('type', '=', 'orders.order.placed').executeTakeFirstOrThrow();
    expect((placed.trace_context as Record<string, string>).traceparent).toContain(root!.spanContext().traceId);
    await t.ctx.events.start();
    const consumed = await waitFor(
      async () => exporter.getFinishedSpans().filter((s) => s.name === 'consume orders.order.placed' && s.attributes['messaging.consumer.group.name'] === 'fulfillment.orders'),
      (found) => found.length > 0,
      'the fulfillment consumer span',
    );
    expect(consumed[0]!.spanContext().traceId).toBe(root!.spanContext().traceId);
    expect(consumed[0]!.attributes['bazaar.outcome']).toBe('ack');
    // The event was written by the create-order step: the trace continues from there (through the publish on JetStream).
    const createOrder = steps.find((s) => s.name === 'checkout.create_order')!.spanContext().spanId;
    if (bus === 'jetstream') {
      const publish = exporter.getFinishedSpans().find((s) => s.name === 'publish orders.order.placed');
      expect(publish?.spanContext().traceId).toBe(root!.spanContext().traceId);
      expect(parentOf(publish!)).toBe(createOrder);
      expect(parentOf(consumed[0]!)).toBe(publish!.spanContext().spanId);
    } else {
      expect(parentOf(consumed[0]!)).toBe(createOrder);
    }
    await t.ctx.events.stop();
  });

  it('shows a declined payment and its compensation in the checkout trace', async () => {
    const { productIds: [product] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyer = await createBuyer(t.app, 'tok_decline');
    await addToCart(t.app, buyer, product!, 1);
    exporter.reset();
    expect((await checkout(t.app, buyer)).statusCode).toBe(402);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'checkout')!;
    expect(root.attributes['bazaar.checkout.outcome']).toBe('declined');
    const names = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['checkout.reserve', 'checkout.authorize', 'checkout.compensate.release']));
    expect(names).not.toContain('checkout.create_order');
    expect(spans.find((s) => s.name === 'checkout.authorize')!.status.code).toBe(2);
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('sends the spans to <endpoint>/v1/traces over OTLP/HTTP', async () => {
    const received: { url: string; body: string }[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
      request.on('end', () => {
        received.push({ url: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const tracing = startTracing({ endpoint: `http://127.0.0.1:${port}`, serviceName: 'bazaar-otlp-test' });
    try {
      await withSpan('checkout', {}, async () => withSpan('checkout.reserve', {}, async () => undefined));
    } finally {
      await tracing.shutdown();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(received.map((r) => r.url)).toContain('/v1/traces');
    const body = received.map((r) => r.body).join('');
    expect(body).toContain('checkout.reserve');
    expect(body).toContain('bazaar-otlp-test');
  });
});
