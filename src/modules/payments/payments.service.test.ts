import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { backoffDelay, paymentsSchema, PaymentsService, SandboxPaymentProvider } from './index.ts';

const policy = { timeoutMs: 60, maxAttempts: 4, baseDelayMs: 5 };

describe.each(BACKENDS)('payments with the sandbox provider (%s)', (backend) => {
  let databases: TestDatabases;
  let provider: SandboxPaymentProvider;
  let payments: PaymentsService;
  const principal: Principal = { accountId: newId(), role: 'customer', sessionId: newId() };

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [paymentsSchema]);
    provider = new SandboxPaymentProvider(databases.orders, { slowMs: 150, flakyFailures: 2 });
    payments = new PaymentsService(databases.orders, provider, systemClock, policy);
  });
  afterAll(async () => databases?.close());

  const pay = async (token: string, amount = 2500) => {
    const method = await payments.addMethod(principal, token);
    const checkoutId = newId();
    return { checkoutId, run: () => payments.authorize({ checkoutId, accountId: principal.accountId, paymentMethodId: method.id, amount, currency: 'USD' }) };
  };
  const pspRow = (key: string) => databases.orders.selectFrom('sandbox_psp_operations').selectAll().where('idempotency_key', '=', key).executeTakeFirst();

  it('authorizes and captures a good card exactly once, however often it is called', async () => {
    const { checkoutId, run } = await pay('tok_visa');
    await run();
    await run();
    await payments.capture(checkoutId);
    const captured = await payments.capture(checkoutId);
    expect(captured.status).toBe('captured');
    expect((await pspRow(`${checkoutId}:authorize`))?.outcome).toBe('captured');
    expect(await databases.orders.selectFrom('sandbox_psp_operations').where('idempotency_key', 'like', `${checkoutId}%`).selectAll().execute()).toHaveLength(2);
  });

  it('reports a decline as payment_declined and records the failure', async () => {
    const { checkoutId, run } = await pay('tok_decline');
    await expect(run()).rejects.toMatchObject({ code: 'payment_declined', kind: 'payment_required' });
    expect((await payments.findPayment(checkoutId))?.status).toBe('failed');
  });

  it('gives up on a provider that never answers and leaves no authorization behind', async () => {
    const { checkoutId, run } = await pay('tok_timeout');
    await expect(run()).rejects.toMatchObject({ code: 'payment_unavailable' });
    expect((await payments.findPayment(checkoutId))?.status).toBe('refunded');
    expect((await pspRow(`${checkoutId}:authorize`))?.outcome).toBe('voided');
  });

  it('retries transient failures until the flaky card succeeds', async () => {
    const { checkoutId, run } = await pay('tok_flaky');
    expect((await run()).status).toBe('authorized');
    expect((await pspRow(`${checkoutId}:authorize`))?.attempts).toBe(3);
  });

  it('keeps asking a slow provider under the same key until its answer arrives', async () => {
    const { checkoutId, run } = await pay('tok_slow');
    expect((await run()).status).toBe('authorized');
    expect((await pspRow(`${checkoutId}:authorize`))?.outcome).toBe('authorized');
  });

  it('refunds a captured payment once and voids an authorization that arrives late', async () => {
    const { checkoutId, run } = await pay('tok_visa');
    await run();
    await payments.capture(checkoutId);
    await payments.refund(checkoutId);
    await payments.refund(checkoutId);
    expect((await payments.findPayment(checkoutId))?.status).toBe('refunded');
    expect((await pspRow(`${checkoutId}:authorize`))?.outcome).toBe('refunded');

    const orphan = newId();
    await payments.refund(orphan);
    const method = await payments.addMethod(principal, 'tok_visa');
    await expect(
      payments.authorize({ checkoutId: orphan, accountId: principal.accountId, paymentMethodId: method.id, amount: 100, currency: 'USD' }),
    ).rejects.toMatchObject({ code: 'payment_declined' });
    expect(await provider.capturedAuthorizations()).not.toContainEqual(expect.objectContaining({ key: `${orphan}:authorize` }));
  });

  it('refuses an unknown token and another customer’s method', async () => {
    await expect(payments.addMethod(principal, 'tok_nonsense')).rejects.toMatchObject({ code: 'invalid_payment_method' });
    const method = await payments.addMethod(principal, 'tok_visa');
    const stranger: Principal = { accountId: newId(), role: 'customer', sessionId: newId() };
    await expect(payments.getMethod(stranger, method.id)).rejects.toMatchObject({ code: 'payment_method_not_found' });
    await expect(payments.deleteMethod(stranger, method.id)).rejects.toMatchObject({ kind: 'not_found' });
    const stored = await databases.orders.selectFrom('payment_methods').selectAll().where('id', '=', method.id).executeTakeFirstOrThrow();
    expect(Object.keys(stored).sort()).toEqual(['account_id', 'brand', 'created_at', 'deleted_at', 'id', 'last4', 'provider', 'token']);
  });
});

describe('backoff', () => {
  it('stays within the exponential cap and uses jitter', () => {
    const p = { timeoutMs: 1, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, p, () => 0.999)).toBe(99);
    expect(backoffDelay(2, p, () => 0.5)).toBe(200);
    expect(backoffDelay(10, p, () => 0.999)).toBe(999);
    expect(backoffDelay(3, p, () => 0)).toBe(0);
  });
});
