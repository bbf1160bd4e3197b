import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_cart.ts';

export { CartService } from './cart.service.ts';
export type { Cart, CartLine, CartOptions, CartProduct, Customer, Money, NewCartItem, ProductSnapshot, ProductSource } from './cart.types.ts';

export const cartSchema: ModuleSchema = { module: 'cart', domain: 'main', migrations: { '0001_cart': m0001 } };
