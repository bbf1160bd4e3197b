import { Type } from 'typebox';
import type { DeliveryPromise, ProductView } from '../../app/product-pages.ts';
import type { CategoryNode, Product } from '../../modules/catalog/index.ts';
import { Money, Uuid } from './common.ts';

export const Availability = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock'), Type.Literal('unknown')], {
  description: 'Approximate, for display; `unknown` when inventory could not be asked. Checkout checks exactly.',
});
export const ProductStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('suspended')]);
export const AttributesOut = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));

/** Fields every product representation shares. */
export const productProperties = {
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  category_id: Type.Integer(),
  price: Money,
  images: Type.Array(Type.String()),
  attributes: AttributesOut,
  avg_rating: Type.Number({ minimum: 0, maximum: 5 }),
  review_count: Type.Integer(),
  status: ProductStatusSchema,
  seller_id: Uuid,
  family_id: Type.Union([Uuid, Type.Null()], { description: 'The variation family this product is a child of (GET /v1/families/{id})' }),
  options: Type.Record(Type.String(), Type.String(), { description: "Its value on each of the family's option axes, e.g. {size: '9'}; {} outside a family" }),
};

export const DeliveryEstimate = Type.Object(
  {
    estimated_delivery: Type.String({ format: 'date' }),
    carrier: Type.String(),
    ships_from: Type.String({ description: 'Warehouse code' }),
    to_postal_code: Type.String(),
  },
  { description: "Approximate, for the signed-in customer's default address; checkout's estimate is the one stored on the order" },
);

export const PublicProduct = Type.Object({ ...productProperties, availability: Availability });
export const ProductPage = Type.Object({
  ...productProperties,
  availability: Availability,
  delivery_estimate: Type.Optional(Type.Union([DeliveryEstimate, Type.Null()], { description: 'Signed-in viewers only' })),
});

export const CategoryNodeSchema = Type.Cyclic(
  {
    CatalogCategoryNode: Type.Object({
      id: Type.Integer(),
      parent_id: Type.Union([Type.Integer(), Type.Null()]),
      name: Type.String(),
      slug: Type.String(),
      path: Type.String({ description: "Slug path from the root, e.g. 'sports/running-shoes'" }),
      children: Type.Array(Type.Ref('CatalogCategoryNode')),
    }),
  },
  'CatalogCategoryNode',
);

export const presentProduct = (p: Product) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  category_id: p.categoryId,
  price: { amount: p.price.amount, currency: p.price.currency },
  images: p.images,
  attributes: p.attributes,
  avg_rating: p.avgRating,
  review_count: p.reviewCount,
  status: p.status,
  seller_id: p.sellerId,
  family_id: p.familyId,
  options: p.options,
});

export const presentProductView = (view: ProductView) => ({ ...presentProduct(view.product), availability: view.availability });

export const presentDeliveryPromise = (d: DeliveryPromise | null) =>
  d ? { estimated_delivery: d.estimatedDelivery, carrier: d.carrier, ships_from: d.shipsFrom, to_postal_code: d.toPostalCode } : null;

interface CategoryNodeOut {
  id: number;
  parent_id: number | null;
  name: string;
  slug: string;
  path: string;
  children: CategoryNodeOut[];
}

export const presentCategoryNode = (c: CategoryNode): CategoryNodeOut => ({
  id: c.id,
  parent_id: c.parentId,
  name: c.name,
  slug: c.slug,
  path: c.path,
  children: c.children.map(presentCategoryNode),
});
