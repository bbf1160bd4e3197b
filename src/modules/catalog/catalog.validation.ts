import { invalid, unprocessable } from '../../platform/errors.ts';
import { invalidAxes, invalidOptions } from './catalog.errors.ts';
import type { AttributeValue, FamilyPatch, Money, OptionAxis, ProductPatch, ProductStatus, SellerKind } from './catalog.types.ts';

/**
 * Catalog input limits. The HTTP schemas use the same numbers, so a request the schema
 * accepts is one the service accepts; the service checks again because the seeder and
 * other callers do not pass through HTTP.
 */
export const CATALOG_LIMITS = {
  titleMax: 500,
  descriptionMax: 20_000,
  brandMax: 200,
  nameMax: 200,
  slugMax: 100,
  priceMax: 100_000_000,
  imagesMax: 20,
  imageUrlMax: 2048,
  attributesMax: 50,
  attributeKeyMax: 100,
  attributeValueMax: 1000,
  purchaseLimitMax: 100_000,
  axesMax: 3,
  axisNameMax: 50,
  axisValuesMax: 50,
  optionValueMax: 100,
} as const;

/** Absolute http(s) URLs, or root-relative paths such as the content-addressed `/img/<sha256>.jpg`. */
export const IMAGE_URL_PATTERN = '^(https?://[^\\s]+|/[^/\\s][^\\s]*)$';
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
export const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const PRODUCT_STATUSES: readonly ProductStatus[] = ['active', 'inactive', 'suspended'];
export const SELLER_KINDS: readonly SellerKind[] = ['first_party', 'marketplace'];

const imageUrl = new RegExp(IMAGE_URL_PATTERN);
const currency = new RegExp(CURRENCY_PATTERN);
const slug = new RegExp(SLUG_PATTERN);

export function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > CATALOG_LIMITS.titleMax) {
    throw invalid('invalid_title', `A title has 1 to ${CATALOG_LIMITS.titleMax} characters`);
  }
  return trimmed;
}

export function checkText(value: string, field: string, max: number): string {
  if (value.length > max) throw invalid(`invalid_${field}`, `${field} has at most ${max} characters`);
  return value;
}

export function checkPrice(price: Money): Money {
  if (!Number.isSafeInteger(price.amount) || price.amount < 0 || price.amount > CATALOG_LIMITS.priceMax) {
    throw invalid('invalid_price', `A price is an integer number of minor units from 0 to ${CATALOG_LIMITS.priceMax}`);
  }
  if (typeof price.currency !== 'string' || !currency.test(price.currency)) {
    throw invalid('invalid_currency', 'A currency is a three-letter upper-case ISO 4217 code');
  }
  return { amount: price.amount, currency: price.currency };
}

export function checkImages(images: string[]): string[] {
  if (!Array.isArray(images) || images.length > CATALOG_LIMITS.imagesMax) {
    throw invalid('invalid_images', `A product has at most ${CATALOG_LIMITS.imagesMax} images`);
  }
  for (const url of images) {
    if (typeof url !== 'string' || url.length > CATALOG_LIMITS.imageUrlMax || !imageUrl.test(url)) {
      throw invalid('invalid_images', 'An image is an http(s) URL or a root-relative path', { url: String(url).slice(0, 100) });
    }
  }
  return [...images];
}

export function checkAttributes(attributes: Record<string, AttributeValue>): Record<string, AttributeValue> {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw invalid('invalid_attributes', 'Attributes are an object of scalar values');
  }
  const entries = Object.entries(attributes);
  if (entries.length > CATALOG_LIMITS.attributesMax) {
    throw invalid('invalid_attributes', `A product has at most ${CATALOG_LIMITS.attributesMax} attributes`);
  }
  for (const [key, value] of entries) {
    const scalar =
      (typeof value === 'string' && value.length <= CATALOG_LIMITS.attributeValueMax) ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (key.length < 1 || key.length > CATALOG_LIMITS.attributeKeyMax || !scalar) {
      throw invalid('invalid_attributes', 'Attribute names have 1 to 100 characters and values are strings, numbers or booleans', { key });
    }
  }
  return { ...attributes };
}

export function checkStatus(status: string): ProductStatus {
  if (!PRODUCT_STATUSES.includes(status as ProductStatus)) throw invalid('invalid_status', `A status is one of ${PRODUCT_STATUSES.join(', ')}`);
  return status as ProductStatus;
}

export function checkPurchaseLimit(limit: number | null): number | null {
  if (limit === null) return null;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > CATALOG_LIMITS.purchaseLimitMax) {
    throw invalid('invalid_purchase_limit', `A purchase limit is an integer from 1 to ${CATALOG_LIMITS.purchaseLimitMax}, or null`);
  }
  return limit;
}

/** Largest review count (the column is a 32-bit integer). */
export const REVIEW_COUNT_MAX = 2_147_483_647;

/** A rating as stored: one decimal (4.46 → 4.5). */
export const roundRating = (rating: number): number => Math.round(rating * 10) / 10;

export function checkRatingValue(rating: number): number {
  if (typeof rating !== 'number' || !Number.isFinite(rating) || rating < 0 || rating > 5) {
    throw invalid('invalid_rating', 'avg_rating is a number from 0 to 5', { avg_rating: rating });
  }
  return roundRating(rating);
}

export function checkReviewCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0 || count > REVIEW_COUNT_MAX) {
    throw invalid('invalid_review_count', `review_count is an integer from 0 to ${REVIEW_COUNT_MAX}`, { review_count: count });
  }
  return count;
}

/**
 * A rating and its review count must agree: no reviews means no rating (0), and reviews
 * average 1 to 5 stars. `invalid_rating` otherwise.
 */
export function checkRating(rating: number, reviewCount: number): void {
  const stars = checkRatingValue(rating);
  checkReviewCount(reviewCount);
  if (reviewCount === 0 && stars !== 0) throw invalid('invalid_rating', 'A product without reviews (review_count 0) has avg_rating 0', { avg_rating: rating, review_count: reviewCount });
  if (reviewCount > 0 && stars < 1) throw invalid('invalid_rating', 'A product with reviews has an avg_rating from 1 to 5 stars', { avg_rating: rating, review_count: reviewCount });
}

export function checkSlug(value: string): string {
  if (value.length > CATALOG_LIMITS.slugMax || !slug.test(value)) {
    throw invalid('invalid_slug', 'A slug is lower-case letters and digits separated by single dashes');
  }
  return value;
}

export function checkName(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > CATALOG_LIMITS.nameMax) {
    throw invalid('invalid_name', `A name has 1 to ${CATALOG_LIMITS.nameMax} characters`);
  }
  return trimmed;
}

export function checkSellerKind(kind: string): SellerKind {
  if (!SELLER_KINDS.includes(kind as SellerKind)) throw invalid('invalid_seller_kind', `A seller kind is one of ${SELLER_KINDS.join(', ')}`);
  return kind as SellerKind;
}

export function checkCategoryId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) throw unprocessable('category_not_found', `Category ${id} does not exist`);
  return id;
}

const trimmedText = (value: unknown, max: number): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= max ? trimmed : undefined;
};

/** 1–3 axes with distinct names (case-insensitive), each with 1–50 distinct values. Names and values are trimmed. */
export function checkAxes(axes: OptionAxis[]): OptionAxis[] {
  const L = CATALOG_LIMITS;
  if (!Array.isArray(axes) || axes.length < 1 || axes.length > L.axesMax) throw invalidAxes(`A family has 1 to ${L.axesMax} option axes`);
  const names = new Set<string>();
  return axes.map((axis) => {
    const name = trimmedText(axis?.name, L.axisNameMax);
    if (!name) throw invalidAxes(`An axis name has 1 to ${L.axisNameMax} characters`);
    if (names.has(name.toLowerCase())) throw invalidAxes(`Axis ${name} appears twice`, { axis: name });
    names.add(name.toLowerCase());
    if (!Array.isArray(axis.values) || axis.values.length < 1 || axis.values.length > L.axisValuesMax) {
      throw invalidAxes(`Axis ${name} has 1 to ${L.axisValuesMax} values`, { axis: name });
    }
    const values = axis.values.map((raw) => {
      const value = trimmedText(raw, L.optionValueMax);
      if (!value) throw invalidAxes(`A value of axis ${name} has 1 to ${L.optionValueMax} characters`, { axis: name });
      return value;
    });
    if (new Set(values).size !== values.length) throw invalidAxes(`Axis ${name} lists a value twice`, { axis: name });
    return { name, values };
  });
}

/** The shape of a product's options: at most three name → value pairs of short text (matched to a family by the service). */
export function checkOptions(options: Record<string, string>): Record<string, string> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidOptions('Options are an object of axis name → value');
  const entries = Object.entries(options);
  if (entries.length > CATALOG_LIMITS.axesMax) throw invalidOptions(`A product names at most ${CATALOG_LIMITS.axesMax} options`);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const name = trimmedText(key, CATALOG_LIMITS.axisNameMax);
    const text = trimmedText(value, CATALOG_LIMITS.optionValueMax);
    if (!name || !text) throw invalidOptions('Option names and values are short non-empty text', { option: key.slice(0, 50) });
    out[name] = text;
  }
  return out;
}

/** Validates the fields a family input or patch sets, with the same rules as a product's shared fields. */
export function normalizeFamilyFields(input: FamilyPatch): FamilyPatch {
  const { axes, ...shared } = input;
  const fields: FamilyPatch = normalizeProductFields(shared);
  if (axes !== undefined) fields.axes = checkAxes(axes);
  return fields;
}

/** Validates and normalizes every field a product input or patch sets (trimmed title, empty brand as null). */
export function normalizeProductFields(input: ProductPatch): ProductPatch {
  const out: ProductPatch = {};
  if (input.title !== undefined) out.title = checkTitle(input.title);
  if (input.description !== undefined) out.description = checkText(input.description, 'description', CATALOG_LIMITS.descriptionMax);
  if (input.brand !== undefined) out.brand = input.brand === null ? null : checkText(input.brand.trim(), 'brand', CATALOG_LIMITS.brandMax) || null;
  if (input.categoryId !== undefined) out.categoryId = checkCategoryId(input.categoryId);
  if (input.price !== undefined) out.price = checkPrice(input.price);
  if (input.images !== undefined) out.images = checkImages(input.images);
  if (input.attributes !== undefined) out.attributes = checkAttributes(input.attributes);
  if (input.status !== undefined) out.status = checkStatus(input.status);
  if (input.purchaseLimit !== undefined) out.purchaseLimit = checkPurchaseLimit(input.purchaseLimit);
  if (input.avgRating !== undefined) out.avgRating = checkRatingValue(input.avgRating);
  if (input.reviewCount !== undefined) out.reviewCount = checkReviewCount(input.reviewCount);
  if (input.checkoutChallenge !== undefined) {
    if (typeof input.checkoutChallenge !== 'boolean') throw invalid('invalid_checkout_challenge', 'checkout_challenge is true or false');
    out.checkoutChallenge = input.checkoutChallenge;
  }
  if (input.familyId !== undefined) out.familyId = input.familyId;
  if (input.options !== undefined) out.options = checkOptions(input.options);
  return out;
}
