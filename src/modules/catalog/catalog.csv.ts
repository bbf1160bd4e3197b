import { parse } from 'csv-parse/sync';
import { invalid } from '../../platform/errors.ts';
import type { ProductImportRow } from './catalog.service.ts';
import type { AttributeValue, ProductPatch, ProductStatus } from './catalog.types.ts';

/**
 * The product import's CSV format: a header row naming columns, one product per row.
 *
 * | column | meaning |
 * |---|---|
 * | `id` | an existing product to change; empty = create a new one |
 * | `seller_id` | the seller of a new product (admins; a seller account may leave it empty) |
 * | `title`, `description`, `brand` | text |
 * | `category_id` | integer |
 * | `price_amount`, `currency` | minor units (cents) and ISO 4217 code, given together |
 * | `images` | image URLs separated by `\|` |
 * | `status` | active, inactive or suspended |
 * | `purchase_limit` | integer, or `default` for the platform default |
 * | `checkout_challenge` | true or false |
 * | `family_id` | a variation family to join; `none` leaves the family |
 * | `avg_rating`, `review_count` | 0–5 (one decimal is kept) and a non-negative integer; 0 reviews means rating 0 |
 * | `attr.<name>` | one attribute per column (`attr.color`) |
 * | `option.<axis>` | the product's value on a family axis (`option.size`) |
 *
 * An empty cell leaves the field as it is (on a change) or unset (on a creation). Errors name
 * the 1-based data row and column: `invalid_import`.
 */

const KNOWN = new Set([
  'id', 'seller_id', 'title', 'description', 'brand', 'category_id', 'price_amount', 'currency', 'images', 'status', 'purchase_limit',
  'checkout_challenge', 'family_id', 'avg_rating', 'review_count',
]);

const badCell = (row: number, column: string, message: string) => invalid('invalid_import', `Row ${row}, column ${column}: ${message}`, { row, column });

function integer(value: string, row: number, column: string): number {
  if (!/^-?\d{1,15}$/.test(value)) throw badCell(row, column, 'expected a whole number');
  return Number(value);
}

function decimal(value: string, row: number, column: string): number {
  if (!/^-?\d{1,15}(?:\.\d+)?$/.test(value)) throw badCell(row, column, 'expected a number');
  return Number(value);
}

function boolean(value: string, row: number, column: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw badCell(row, column, 'expected true or false');
}

function toImportRow(record: Record<string, string>, row: number): ProductImportRow {
  const fields: ProductPatch = {};
  const attributes: Record<string, AttributeValue> = {};
  const options: Record<string, string> = {};
  const given = (column: string) => record[column] !== undefined && record[column] !== '';
  const cell = (column: string) => record[column]!;
  if (given('title')) fields.title = cell('title');
  if (given('description')) fields.description = cell('description');
  if (given('brand')) fields.brand = cell('brand');
  if (given('category_id')) fields.categoryId = integer(cell('category_id'), row, 'category_id');
  if (given('price_amount') !== given('currency')) throw badCell(row, given('currency') ? 'price_amount' : 'currency', 'price_amount and currency go together');
  if (given('price_amount')) fields.price = { amount: integer(cell('price_amount'), row, 'price_amount'), currency: cell('currency') };
  if (given('images')) fields.images = cell('images').split('|').map((url) => url.trim()).filter((url) => url !== '');
  if (given('status')) fields.status = cell('status') as ProductStatus;
  if (given('purchase_limit')) fields.purchaseLimit = cell('purchase_limit') === 'default' ? null : integer(cell('purchase_limit'), row, 'purchase_limit');
  if (given('checkout_challenge')) fields.checkoutChallenge = boolean(cell('checkout_challenge'), row, 'checkout_challenge');
  if (given('family_id')) fields.familyId = cell('family_id') === 'none' ? null : cell('family_id');
  if (given('avg_rating')) fields.avgRating = decimal(cell('avg_rating'), row, 'avg_rating');
  if (given('review_count')) fields.reviewCount = integer(cell('review_count'), row, 'review_count');
  for (const [column, value] of Object.entries(record)) {
    if (value === '') continue;
    if (column.startsWith('attr.')) attributes[column.slice(5)] = value;
    else if (column.startsWith('option.')) options[column.slice(7)] = value;
  }
  if (Object.keys(attributes).length > 0) fields.attributes = attributes;
  if (Object.keys(options).length > 0) fields.options = options;
  return { ...(given('id') ? { id: cell('id') } : {}), ...(given('seller_id') ? { sellerId: cell('seller_id') } : {}), fields };
}

/** Parses an import CSV (UTF-8, comma-separated, quoted as RFC 4180) into import rows. */
export function parseProductCsv(text: string): ProductImportRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false }) as Record<string, string>[];
  } catch (error) {
    throw invalid('invalid_import', `The CSV could not be read: ${(error as Error).message}`);
  }
  const header = Object.keys(records[0] ?? {});
  const unknown = header.filter((c) => !KNOWN.has(c) && !/^(attr|option)\..+/.test(c));
  if (unknown.length > 0) throw invalid('invalid_import', `Unknown columns: ${unknown.join(', ')}`, { columns: unknown });
  return records.map((record, i) => toImportRow(record, i + 1));
}
