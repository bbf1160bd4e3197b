import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_payments.ts';

export { PaymentsService, paymentDeclined, paymentUnavailable } from './payments.service.ts';
export { SandboxPaymentProvider, SANDBOX_TOKENS, type SandboxOptions } from './sandbox-provider.ts';
export { PaymentError, type PaymentProvider, type AuthorizeRequest } from './payment-provider.ts';
export { backoffDelay, withRetries, RetriesExhausted, type RetryPolicy } from './retry.ts';
export type { Payment, PaymentMethod, PaymentStatus } from './payments.repository.ts';

export const paymentsSchema: ModuleSchema = { module: 'payments', domain: 'orders', migrations: { '0001_payments': m0001 } };
