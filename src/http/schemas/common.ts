import { Type } from 'typebox';
import { MAX_AMOUNT } from '../../platform/limits.ts';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IdParams = Type.Object({ id: Uuid });

export const Money = Type.Object({
  amount: Type.Integer({ description: 'Integer minor units (cents)' }),
  currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code' }),
});

/** Money a client sends: bounded by what an amount column holds. */
export const MoneyIn = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'Integer minor units (cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code' }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      request_id: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error has this shape' },
);

export { responses } from '../openapi.ts';

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const Timestamp = Type.String({ format: 'date-time' });
