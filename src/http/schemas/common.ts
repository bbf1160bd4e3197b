import { Type, type TSchema } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IdParams = Type.Object({ id: Uuid });

export const Money = Type.Object({
  amount: Type.Integer({ description: 'Integer minor units (cents)' }),
  currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code' }),
});

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

const errorRef = Type.Unsafe<{ error: { code: string; message: string } }>({ $ref: 'ErrorResponse#' });

/** Response schemas for a route: the success shape(s) plus the shared error shape for each listed status. */
export function responses(success: Record<number, TSchema>, errors: number[] = []): Record<number, TSchema> {
  const result: Record<number, TSchema> = { ...success };
  for (const status of [400, ...errors]) result[status] = errorRef;
  return result;
}

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const Timestamp = Type.String({ format: 'date-time' });
