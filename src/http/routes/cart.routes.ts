import { Type, type TSchema } from 'typebox';
import type { Cart } from '../../modules/cart/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { Money, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// A sanity bound on the wire type only; the configured per-line limit is enforced by the service (422).
const QUANTITY_CEILING = 1_000_000;

export const CartLineSchema = Type.Object({
  product_id: Uuid,
  quantity: Type.Integer({ minimum: 1 }),
  unit_price: Money,
  line_total: Money,
  product_snapshot: Type.Object({
    title: Type.String(),
    brand: Nullable(Type.String()),
    image: Nullable(Type.String()),
    seller_id: Uuid,
  }),
  added_at: Timestamp,
  updated_at: Timestamp,
});

export const CartSchema = Type.Object({
  currency: Nullable(Type.String({ description: 'ISO 4217; null while the cart is empty' })),
  items: Type.Array(CartLineSchema),
  subtotal: Type.Object({ amount: Type.Integer(), currency: Nullable(Type.String()) }),
  item_count: Type.Integer({ description: 'Units over all lines' }),
  updated_at: Nullable(Timestamp),
});

export const presentCart = (cart: Cart) => ({
  currency: cart.currency,
  items: cart.items.map((line) => ({
    product_id: line.productId,
    quantity: line.quantity,
    unit_price: line.unitPrice,
    line_total: line.lineTotal,
    product_snapshot: { title: line.snapshot.title, brand: line.snapshot.brand, image: line.snapshot.image, seller_id: line.snapshot.sellerId },
    added_at: line.addedAt.toISOString(),
    updated_at: line.updatedAt.toISOString(),
  })),
  subtotal: cart.subtotal,
  item_count: cart.itemCount,
  updated_at: cart.updatedAt?.toISOString() ?? null,
});

/** Request bodies, shared with the storefront's cart forms. */
export const AddCartItemBody = Type.Object(
  { product_id: Uuid, quantity: Type.Integer({ minimum: 1, maximum: QUANTITY_CEILING }) },
  { additionalProperties: false, examples: [{ product_id: '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b', quantity: 2 }] },
);
export const SetQuantityBody = Type.Object({ quantity: Type.Integer({ minimum: 0, maximum: QUANTITY_CEILING }) }, { additionalProperties: false, examples: [{ quantity: 3 }] });

const ProductParams = Type.Object({ product_id: Uuid });

export const cartRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { cart } = ctx.services;
  const common = { preHandler: requireAuth(), schema: { tags: ['cart'], security: bearerSecurity } };

  app.get(
    '/v1/cart',
    { ...common, schema: { ...common.schema, operationId: 'getCart', summary: 'My cart, with prices as of when each line was last changed', response: responses({ 200: CartSchema }, [401]) } },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      return presentCart(await cart.getCart(principalOf(request)));
    },
  );

  app.post(
    '/v1/cart/items',
    {
      ...common,
      // Bots filling carts is the cheap end of an inventory attack; throttle additions per account.
      config: { rateLimit: { max: ctx.config.rateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        ...common.schema,
        operationId: 'addCartItem',
        summary: 'Add units of a product (adds to an existing line); price comes from the catalog',
        body: AddCartItemBody,
        response: responses(
          { 201: CartSchema },
          { 401: ['unauthenticated'], 404: ['product_not_found'], 422: ['cart_full', 'currency_mismatch', 'product_unavailable', 'purchase_limit_exceeded', 'quantity_limit_exceeded'], 429: ['rate_limited'] },
        ),
      },
    },
    async (request, reply) => {
      const updated = await cart.addItem(principalOf(request), { productId: request.body.product_id, quantity: request.body.quantity });
      return reply.status(201).send(presentCart(updated));
    },
  );

  app.put(
    '/v1/cart/items/:product_id',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'setCartItemQuantity',
        summary: 'Set the quantity of a line already in the cart (0 removes it)',
        params: ProductParams,
        body: SetQuantityBody,
        response: responses(
          { 200: CartSchema },
          { 401: ['unauthenticated'], 404: ['cart_item_not_found', 'product_not_found'], 422: ['currency_mismatch', 'product_unavailable', 'purchase_limit_exceeded', 'quantity_limit_exceeded'] },
        ),
      },
    },
    async (request) => presentCart(await cart.setQuantity(principalOf(request), request.params.product_id, request.body.quantity)),
  );

  app.delete(
    '/v1/cart',
    { ...common, schema: { ...common.schema, operationId: 'clearCart', summary: 'Empty my cart', response: responses({ 204: Type.Null() }, [401]) } },
    async (request, reply) => {
      await cart.clear(principalOf(request));
      return reply.status(204).send();
    },
  );
};
