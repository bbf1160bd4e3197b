/**
 * The shape of the demo catalog: departments, their leaf categories, and for each leaf the
 * vocabulary products are made of (brands, nouns, adjectives, attributes, price range).
 * The data itself lives in departments.ts.
 */

export interface LeafSpec {
  name: string;
  /** Made-up but plausible brand names, '|'-separated (5–12 per leaf). */
  brands: string;
  /** Product nouns as they end a title, '|'-separated: "Trail Running Shoe|Road Running Shoe". */
  nouns: string;
  /** Selling-point phrases, '|'-separated; one or two go into a title. */
  adjectives: string;
  /** Plausible list price range in whole US dollars. */
  price: readonly [number, number];
  attributes: Readonly<Record<string, readonly string[]>>;
  /** Attribute whose value ends the title ("…, Size 10", "…, Black"). */
  titleAttribute?: string;
  /** Who it is for ("Men's", "Women's"…), placed before the noun when present. */
  audiences?: readonly string[];
  /** Whether titles carry a model designation after the brand ("X200"). */
  models?: boolean;
}

export interface DepartmentSpec {
  name: string;
  /** Background hue of this department's placeholder images (0–359). */
  hue: number;
  /** Phrases completing "a … choice for …" in descriptions. */
  uses: readonly string[];
  leaves: readonly LeafSpec[];
}

export const COLORS = ['Black', 'White', 'Gray', 'Navy', 'Red', 'Blue', 'Green', 'Beige', 'Charcoal', 'Olive', 'Burgundy', 'Teal'];
export const METAL_COLORS = ['Black', 'Silver', 'Space Gray', 'Gold', 'Rose Gold', 'Graphite'];
export const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
export const SHOE_SIZES = ['6', '6.5', '7', '7.5', '8', '8.5', '9', '9.5', '10', '10.5', '11', '11.5', '12', '13'];
export const ADULT = ["Men's", "Women's"];
export const ADULT_UNISEX = ["Men's", "Women's", 'Unisex'];
export const KIDS_AGES = ['3+', '4+', '6+', '8+', '10+', '12+', '14+'];

export const split = (list: string): string[] => list.split('|');

/** Lower-case URL slug of a category name: "Home & Kitchen" → "home-kitchen". */
export const slugify = (name: string): string =>
  name
    .toLowerCase()
    .replace(/&/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** How an attribute value reads at the end of a title. */
export function titleLabel(attribute: string, value: string): string {
  if (attribute === 'size' && /^\d+(\.\d+)?$/.test(value)) return `Size ${value}`;
  if (attribute === 'pieces') return `${value}-Piece`;
  if (attribute === 'pack') return `Pack of ${value}`;
  if (attribute === 'age') return `Ages ${value}`;
  return value;
}
