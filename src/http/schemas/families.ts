import { Type } from 'typebox';
import { CATALOG_LIMITS as L, IMAGE_URL_PATTERN, type FamilyDetail, type ProductFamily } from '../../modules/catalog/index.ts';
import { Money, Timestamp, Uuid } from './common.ts';

const ProductStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('suspended')]);

export const OptionAxisIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: L.axisNameMax, description: 'e.g. size, colour' }),
    values: Type.Array(Type.String({ minLength: 1, maxLength: L.optionValueMax }), { minItems: 1, maxItems: L.axisValuesMax, description: 'In display order' }),
  },
  { additionalProperties: false },
);
const OptionAxisOut = Type.Object({ name: Type.String(), values: Type.Array(Type.String()) });
const AxesIn = Type.Array(OptionAxisIn, { minItems: 1, maxItems: L.axesMax });

/** Fields of a family that a write may set; the same limits as a product's shared fields. */
export const familyEditable = {
  title: Type.String({ minLength: 1, maxLength: L.titleMax }),
  description: Type.String({ maxLength: L.descriptionMax }),
  brand: Type.Union([Type.String({ maxLength: L.brandMax }), Type.Null()]),
  category_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  images: Type.Array(Type.String({ maxLength: L.imageUrlMax, pattern: IMAGE_URL_PATTERN }), { maxItems: L.imagesMax }),
  axes: AxesIn,
  status: ProductStatus,
};

const familyProperties = {
  id: Uuid,
  seller_id: Uuid,
  title: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  category_id: Type.Integer(),
  images: Type.Array(Type.String()),
  axes: Type.Array(OptionAxisOut),
  status: ProductStatus,
};

export const AdminFamilySummary = Type.Object({ ...familyProperties, created_at: Timestamp, updated_at: Timestamp });

export const AdminFamily = Type.Object({
  ...familyProperties,
  created_at: Timestamp,
  updated_at: Timestamp,
  variants: Type.Array(
    Type.Object({ product_id: Uuid, title: Type.String(), options: Type.Record(Type.String(), Type.String()), price: Money, status: ProductStatus }),
  ),
});

const Availability = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock'), Type.Literal('unknown')]);

export const PublicFamily = Type.Object({
  ...familyProperties,
  price_range: Type.Union([Type.Object({ min: Money, max: Money }), Type.Null()], { description: 'Over the children shown; null when none is' }),
  variants: Type.Array(
    Type.Object({
      product_id: Uuid,
      title: Type.String(),
      options: Type.Record(Type.String(), Type.String()),
      price: Money,
      images: Type.Array(Type.String(), { description: "The child's own images; empty means the family's" }),
      availability: Availability,
    }),
  ),
});

export const presentFamilySummary = (f: ProductFamily) => ({
  id: f.id,
  seller_id: f.sellerId,
  title: f.title,
  description: f.description,
  brand: f.brand,
  category_id: f.categoryId,
  images: f.images,
  axes: f.axes,
  status: f.status,
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
});

export const presentAdminFamily = (f: FamilyDetail) => ({
  ...presentFamilySummary(f),
  variants: f.variants.map((v) => ({ product_id: v.id, title: v.title, options: v.options, price: { amount: v.price.amount, currency: v.price.currency }, status: v.status })),
});

type AvailabilityStatus = 'in_stock' | 'low_stock' | 'out_of_stock' | 'unknown';

export function presentPublicFamily(f: FamilyDetail, availability: (productId: string) => AvailabilityStatus) {
  const prices = f.variants.map((v) => v.price.amount);
  const currency = f.variants[0]?.price.currency;
  const { created_at: _created, updated_at: _updated, ...family } = presentFamilySummary(f);
  return {
    ...family,
    price_range: currency ? { min: { amount: Math.min(...prices), currency }, max: { amount: Math.max(...prices), currency } } : null,
    variants: f.variants.map((v) => ({
      product_id: v.id,
      title: v.title,
      options: v.options,
      price: { amount: v.price.amount, currency: v.price.currency },
      images: v.images,
      availability: availability(v.id),
    })),
  };
}
