import { AppError, invalid, notFound, unprocessable } from '../../platform/errors.ts';

export const productNotFound = (productId: string) => notFound('product', productId, { product_id: productId });

export const productUnavailable = (productId: string, status: string) =>
  unprocessable('product_unavailable', `Product ${productId} is not for sale right now`, { product_id: productId, status });

export const cartItemNotFound = (productId: string) =>
  new AppError('cart_item_not_found', 'not_found', `Product ${productId} is not in the cart`, { product_id: productId });

export const currencyMismatch = (cartCurrency: string, productCurrency: string) =>
  unprocessable('currency_mismatch', `The cart is priced in ${cartCurrency}; this product is priced in ${productCurrency}`, {
    cart_currency: cartCurrency,
    product_currency: productCurrency,
  });

export const cartFull = (maxLines: number) =>
  unprocessable('cart_full', `A cart holds at most ${maxLines} different products`, { max_lines: maxLines });

export interface QuantityLimit {
  max: number;
  code: 'quantity_limit_exceeded' | 'purchase_limit_exceeded';
}

export const limitExceeded = (limit: QuantityLimit, productId: string, current: number, requested: number) =>
  unprocessable(
    limit.code,
    limit.code === 'purchase_limit_exceeded'
      ? `At most ${limit.max} of this product may be bought at once`
      : `A cart line holds at most ${limit.max} units`,
    { product_id: productId, max_quantity: limit.max, in_cart: current, requested },
  );

export const invalidInput = (message: string) => invalid('validation_failed', message);
