import { Type } from 'typebox';
import {
  CATALOG_LIMITS as L,
  REVIEW_COUNT_MAX,
  CURRENCY_PATTERN,
  FamilyErrors,
  IMAGE_URL_PATTERN,
  SLUG_PATTERN,
  type Category,
  type Product,
  type ProductPatch,
  type Seller,
} from '../../modules/catalog/index.ts';
import { AppError, unprocessable } from '../../platform/errors.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';
import { presentProduct, productProperties, ProductStatusSchema } from '../schemas/catalog.ts';

const PriceIn = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: L.priceMax, description: 'Integer minor units (cents)' }),
    currency: Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217, upper case' }),
  },
  { additionalProperties: false },
);
const ImagesIn = Type.Array(Type.String({ maxLength: L.imageUrlMax, pattern: IMAGE_URL_PATTERN }), {
  maxItems: L.imagesMax,
  description: 'http(s) URLs or root-relative paths such as /img/<sha256>.jpg',
});
const AttributesIn = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: L.attributeValueMax }), Type.Number({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }), Type.Boolean()]),
  { maxProperties: L.attributesMax, propertyNames: { minLength: 1, maxLength: L.attributeKeyMax }, description: 'Scalar values only' },
);
/** Fields an admin or seller writes on a product, shared by create, change and import. */
export const editable = {
  title: Type.String({ minLength: 1, maxLength: L.titleMax }),
  description: Type.String({ maxLength: L.descriptionMax }),
  brand: Type.Union([Type.String({ maxLength: L.brandMax }), Type.Null()]),
  category_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  price: PriceIn,
  images: ImagesIn,
  attributes: AttributesIn,
  status: ProductStatusSchema,
  purchase_limit: Type.Union([Type.Integer({ minimum: 1, maximum: L.purchaseLimitMax }), Type.Null()], {
    description: 'Most units one customer may buy per day; null = platform default',
  }),
  checkout_challenge: Type.Boolean({
    description: 'Buyers must pass a human check (CAPTCHA) to check out with this product, e.g. during a flash sale (default false)',
  }),
  family_id: Type.Union([Uuid, Type.Null()], { description: 'Make it a child of this variation family (same seller); null takes it out' }),
  options: Type.Record(Type.String({ minLength: 1, maxLength: L.axisNameMax }), Type.String({ minLength: 1, maxLength: L.optionValueMax }), {
    maxProperties: L.axesMax,
    description: "Its value on each of the family's axes, e.g. {size: '9', colour: 'Red'}",
  }),
  avg_rating: Type.Number({ minimum: 0, maximum: 5, description: 'Average stars, 1 to 5 with reviews, 0 without; stored to one decimal' }),
  review_count: Type.Integer({ minimum: 0, maximum: REVIEW_COUNT_MAX, description: 'Reviews the rating averages (0 = none: avg_rating must be 0)' }),
};
export const NewProductBody = Type.Object(
  {
    seller_id: Type.Optional(Uuid),
    title: editable.title,
    description: Type.Optional(editable.description),
    brand: Type.Optional(editable.brand),
    category_id: editable.category_id,
    price: editable.price,
    images: Type.Optional(editable.images),
    attributes: Type.Optional(editable.attributes),
    status: Type.Optional(editable.status),
    purchase_limit: Type.Optional(editable.purchase_limit),
    checkout_challenge: Type.Optional(editable.checkout_challenge),
    family_id: Type.Optional(editable.family_id),
    options: Type.Optional(editable.options),
    avg_rating: Type.Optional(editable.avg_rating),
    review_count: Type.Optional(editable.review_count),
  },
  {
    additionalProperties: false,
    examples: [
      {
        seller_id: '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
        title: "Stridelite Men's Road Running Shoe, Lightweight, Size 10",
        brand: 'Stridelite',
        category_id: 12,
        price: { amount: 8999, currency: 'USD' },
        attributes: { color: 'black', size: 10 },
      },
    ],
  },
);
export const PatchBody = Type.Partial(Type.Object(editable), { additionalProperties: false, minProperties: 1, examples: [{ price: { amount: 4999, currency: 'USD' } }, { status: 'inactive' }] });

/** What the catalog's field checks answer with (catalog.validation.ts), beside the gateway's validation_failed. */
/** The codes a product write may be refused with because of one of its fields. */
export const PRODUCT_FIELD_CODES = ['invalid_attributes', 'invalid_brand', 'invalid_checkout_challenge', 'invalid_currency', 'invalid_description', 'invalid_images', 'invalid_options', 'invalid_price', 'invalid_purchase_limit', 'invalid_rating', 'invalid_status', 'invalid_title'];
/** A product joining a variation family (catalog.errors.ts). */
export const FAMILY_WRITE_CODES = [FamilyErrors.familyNotFound, FamilyErrors.optionsMismatch, FamilyErrors.familySellerMismatch];

export const AdminProduct = Type.Object({
  ...productProperties,
  purchase_limit: Type.Union([Type.Integer(), Type.Null()]),
  checkout_challenge: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const SellerSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: Type.Union([Type.Literal('first_party'), Type.Literal('marketplace')]),
  account_id: Type.Union([Uuid, Type.Null()]),
  created_at: Timestamp,
});
const CategorySchema = Type.Object({
  id: Type.Integer(),
  parent_id: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  slug: Type.String(),
  path: Type.String(),
});

export const presentAdminProduct = (p: Product) => ({
  ...presentProduct(p),
  purchase_limit: p.purchaseLimit,
  checkout_challenge: p.checkoutChallenge,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});
const presentSeller = (s: Seller) => ({ id: s.id, name: s.name, kind: s.kind, account_id: s.accountId, created_at: s.createdAt.toISOString() });
const presentCategory = (c: Category) => ({ id: c.id, parent_id: c.parentId, name: c.name, slug: c.slug, path: c.path });

export type Editable = Partial<{
  title: string;
  description: string;
  brand: string | null;
  category_id: number;
  price: { amount: number; currency: string };
  images: string[];
  attributes: Record<string, string | number | boolean>;
  status: Product['status'];
  purchase_limit: number | null;
  checkout_challenge: boolean;
  family_id: string | null;
  options: Record<string, string>;
  avg_rating: number;
  review_count: number;
}>;

export function toPatch(b: Editable): ProductPatch {
  return {
    ...(b.title !== undefined ? { title: b.title } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.brand !== undefined ? { brand: b.brand } : {}),
    ...(b.category_id !== undefined ? { categoryId: b.category_id } : {}),
    ...(b.price !== undefined ? { price: b.price } : {}),
    ...(b.images !== undefined ? { images: b.images } : {}),
    ...(b.attributes !== undefined ? { attributes: b.attributes } : {}),
    ...(b.status !== undefined ? { status: b.status } : {}),
    ...(b.purchase_limit !== undefined ? { purchaseLimit: b.purchase_limit } : {}),
    ...(b.checkout_challenge !== undefined ? { checkoutChallenge: b.checkout_challenge } : {}),
    ...(b.family_id !== undefined ? { familyId: b.family_id } : {}),
    ...(b.options !== undefined ? { options: b.options } : {}),
    ...(b.avg_rating !== undefined ? { avgRating: b.avg_rating } : {}),
    ...(b.review_count !== undefined ? { reviewCount: b.review_count } : {}),
  };
}

export const catalogAdminRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { catalog, identity } = ctx.services;
  const writers = { preHandler: requireAuth('seller', 'admin') };
  const admins = { preHandler: requireAuth('admin') };
  const schema = { tags: ['catalog-admin'], security: bearerSecurity };

  app.post(
    '/v1/admin/products',
    {
      ...writers,
      schema: {
        ...schema,
        operationId: 'createProduct',
        summary: 'Create a product (admin: for any seller_id; seller: for itself)',
        body: NewProductBody,
        response: responses(
          { 201: AdminProduct },
          {
            400: [...PRODUCT_FIELD_CODES, 'seller_required'],
            401: ['unauthenticated'],
            403: ['forbidden', 'product_suspended'],
            409: ['variant_exists'],
            422: ['category_not_found', 'seller_not_found', ...FAMILY_WRITE_CODES],
          },
        ),
      },
    },
    async (request, reply) => {
      const { seller_id, category_id, price, ...rest } = request.body;
      const product = await catalog.createProduct(principalOf(request), {
        ...toPatch(rest),
        ...(seller_id !== undefined ? { sellerId: seller_id } : {}),
        categoryId: category_id,
        price,
        title: request.body.title,
      });
      return reply.status(201).send(presentAdminProduct(product));
    },
  );

  app.patch(
    '/v1/admin/products/:id',
    {
      ...writers,
      schema: {
        ...schema,
        operationId: 'updateProduct',
        summary: 'Change a product (seller: own products only; suspension is for admins)',
        params: IdParams,
        body: PatchBody,
        response: responses(
          { 200: AdminProduct },
          {
            400: PRODUCT_FIELD_CODES,
            401: ['unauthenticated'],
            403: ['forbidden', 'product_suspended'],
            404: ['product_not_found'],
            409: ['variant_exists'],
            422: ['category_not_found', ...FAMILY_WRITE_CODES],
          },
        ),
      },
    },
    async (request) => presentAdminProduct(await catalog.updateProduct(principalOf(request), request.params.id, toPatch(request.body))),
  );

  app.get(
    '/v1/admin/products/:id',
    {
      ...writers,
      schema: {
        ...schema,
        operationId: 'getAdminProduct',
        summary: 'A product in any status, from the database',
        params: IdParams,
        response: responses({ 200: AdminProduct }, { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['product_not_found'] }),
      },
    },
    async (request) => presentAdminProduct(await catalog.assertCanManageProduct(principalOf(request), request.params.id)),
  );

  app.post(
    '/v1/admin/sellers',
    {
      ...admins,
      schema: {
        ...schema,
        operationId: 'createSeller',
        summary: 'Create a seller; with account_id that account becomes its manager (role seller)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: L.nameMax }),
            kind: Type.Union([Type.Literal('first_party'), Type.Literal('marketplace')]),
            account_id: Type.Optional(Uuid),
          },
          { additionalProperties: false, examples: [{ name: 'Northpeak Outfitters', kind: 'marketplace' }] },
        ),
        response: responses(
          { 201: SellerSchema },
          { 400: ['invalid_account_id', 'invalid_name', 'invalid_seller_kind'], 401: ['unauthenticated'], 403: ['forbidden'], 409: ['seller_account_taken'], 422: ['account_is_admin', 'account_not_found'] },
        ),
      },
    },
    async (request, reply) => {
      const { name, kind, account_id: accountId } = request.body;
      if (accountId !== undefined) {
        const account = await identity.getAccount(accountId).catch((error: unknown) => {
          if (error instanceof AppError && error.kind === 'not_found') throw unprocessable('account_not_found', `Account ${accountId} does not exist`);
          throw error;
        });
        // Turning an admin into a seller would take its admin rights away.
        if (account.role === 'admin') throw unprocessable('account_is_admin', 'An admin account cannot become a seller account');
      }
      const seller = await catalog.createSeller(principalOf(request), { name, kind, ...(accountId !== undefined ? { accountId } : {}) });
      if (accountId !== undefined) await identity.setRole(accountId, 'seller');
      return reply.status(201).send(presentSeller(seller));
    },
  );

  app.get(
    '/v1/admin/sellers',
    { ...admins, schema: { ...schema, operationId: 'listSellers', summary: 'Every seller', response: responses({ 200: Type.Object({ sellers: Type.Array(SellerSchema) }) }, [401, 403]) } },
    async () => ({ sellers: (await catalog.listSellers()).map(presentSeller) }),
  );

  app.post(
    '/v1/admin/categories',
    {
      ...admins,
      schema: {
        ...schema,
        operationId: 'createCategory',
        summary: 'Create a category, optionally under a parent',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: L.nameMax }),
            slug: Type.String({ maxLength: L.slugMax, pattern: SLUG_PATTERN }),
            parent_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), Type.Null()])),
          },
          { additionalProperties: false, examples: [{ name: 'Trail Running Shoes', slug: 'trail-running-shoes', parent_id: 3 }] },
        ),
        response: responses(
          { 201: CategorySchema },
          { 400: ['invalid_name', 'invalid_slug'], 401: ['unauthenticated'], 403: ['forbidden'], 409: ['category_slug_taken'], 422: ['category_not_found', 'category_too_deep'] },
        ),
      },
    },
    async (request, reply) => {
      const { name, slug, parent_id: parentId } = request.body;
      const category = await catalog.createCategory(principalOf(request), { name, slug, ...(parentId != null ? { parentId } : {}) });
      return reply.status(201).send(presentCategory(category));
    },
  );
};
