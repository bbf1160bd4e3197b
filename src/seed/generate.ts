import { Faker, base, en } from '@faker-js/faker';
import type { NewCategoryRow, NewFamilyRow, NewProductRow, NewSellerRow } from '../modules/catalog/index.ts';
import { newId } from '../platform/ids.ts';
import { DEPARTMENTS } from './departments.ts';
import { slugify, split, titleLabel, type DepartmentSpec, type LeafSpec } from './taxonomy.ts';

/** The fixed seed: the same product count always yields the same catalog content. */
export const SEED = 42;

export const createSeededFaker = (): Faker => {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(SEED);
  return faker;
};

export interface LeafPlan {
  categoryId: number;
  department: DepartmentSpec;
  spec: LeafSpec;
  brands: string[];
  /** Cumulative brand weights: the first brands of a leaf sell more, as in real markets. */
  brandWeights: number[];
  nouns: string[];
  adjectives: string[];
}

export interface WarehouseSeed {
  id: string;
  code: string;
  name: string;
  city: string;
  region: string;
  postalCode: string;
  processingSlaHours: number;
}

export interface StockSeed {
  productId: string;
  warehouseId: string;
  totalStock: number;
}

/** Everything shared by all products: sellers, the category tree and the warehouses. */
export interface CatalogPlan {
  sellers: NewSellerRow[];
  categories: NewCategoryRow[];
  leaves: LeafPlan[];
  /** Cumulative leaf weights: some categories hold many more products than others. */
  leafWeights: number[];
  warehouses: WarehouseSeed[];
}

export const FIRST_PARTY_SELLER = 'Bazaar Retail';
const MARKETPLACE_SELLERS = [
  'Northgate Goods', 'Summit Trading Co.', 'Blue Harbor Outlet', 'Keystone Direct', 'Maple & Main Supply',
  'Lakeshore Deals', 'Redwood Marketplace', 'Prairie Home Store', 'Coastline Electronics', 'Urban Nest Supply',
];
// Real distribution-centre towns with their ZIP codes, spread over the US so distance matters.
const WAREHOUSES = [
  { code: 'EWR1', city: 'Secaucus', region: 'NJ', postalCode: '07094', processingSlaHours: 12 },
  { code: 'ATL1', city: 'Atlanta', region: 'GA', postalCode: '30336', processingSlaHours: 24 },
  { code: 'ORD1', city: 'Joliet', region: 'IL', postalCode: '60436', processingSlaHours: 18 },
  { code: 'DFW1', city: 'Dallas', region: 'TX', postalCode: '75261', processingSlaHours: 24 },
  { code: 'ONT1', city: 'Ontario', region: 'CA', postalCode: '91761', processingSlaHours: 36 },
  { code: 'SEA1', city: 'Kent', region: 'WA', postalCode: '98032', processingSlaHours: 48 },
];
const FIRST_PARTY_SHARE = 0.55;
const INACTIVE_SHARE = 0.03;
const UNREVIEWED_SHARE = 0.05;
const OUT_OF_STOCK_SHARE = 0.05;
const LOW_STOCK_SHARE = 0.07;
const MAX_REVIEWS = 25_000;
/** Share of products (in leaves with a variant attribute) that come as a variation family. */
const FAMILY_SHARE = 0.15;
/** Children per family, at most the attribute's values. */
const FAMILY_SIZE: readonly [number, number] = [3, 6];
const CATALOG_AGE_DAYS = 3 * 365;
const MODEL_SERIES = ['Pro', 'Air', 'Max', 'Lite', 'Elite', 'Go', 'Studio', 'Sport', 'Plus', 'One'];
const CLOSINGS = [
  'Backed by a 1-year limited warranty.',
  'Ships in recyclable, frustration-free packaging.',
  'Free returns within 30 days.',
  'Designed in the USA and tested for everyday durability.',
  'Rated a customer favorite for value.',
  'Includes a quick-start guide.',
];

/**
 * 5 − 4u³ puts most ratings between 4 and 5 with a thin tail down to 1; the more reviews, the
 * closer the average stays to 4.4, as averages of many opinions do.
 */
function rating(u: number, reviewCount: number): number {
  const raw = 5 - 4 * u ** 3;
  const spread = 1 / (1 + Math.log10(1 + reviewCount) / 3);
  return Math.min(5, Math.max(1, Math.round((4.4 - (4.4 - raw) * spread) * 10) / 10));
}

const cumulative = (weights: number[]): number[] => {
  let sum = 0;
  return weights.map((w) => (sum += w));
};

function pickWeighted<T>(faker: Faker, items: readonly T[], cumulativeWeights: number[]): T {
  const target = faker.number.float({ min: 0, max: cumulativeWeights[cumulativeWeights.length - 1]! });
  const index = cumulativeWeights.findIndex((w) => target <= w);
  return items[index === -1 ? items.length - 1 : index]!;
}

/** Sellers, categories (ids 1…8 for departments, then leaves) and warehouses, drawn from the seeded faker. */
export function planCatalog(faker: Faker): CatalogPlan {
  const sellers: NewSellerRow[] = [
    { id: newId(), name: FIRST_PARTY_SELLER, kind: 'first_party' },
    ...MARKETPLACE_SELLERS.map((name): NewSellerRow => ({ id: newId(), name, kind: 'marketplace' })),
  ];
  const categories: NewCategoryRow[] = DEPARTMENTS.map((d, i) => ({ id: i + 1, parentId: null, name: d.name, slug: slugify(d.name) }));
  const leaves: LeafPlan[] = [];
  DEPARTMENTS.forEach((department, d) => {
    for (const spec of department.leaves) {
      const categoryId = DEPARTMENTS.length + leaves.length + 1;
      categories.push({ id: categoryId, parentId: d + 1, name: spec.name, slug: slugify(spec.name) });
      const brands = split(spec.brands);
      leaves.push({
        categoryId,
        department,
        spec,
        brands,
        brandWeights: cumulative(brands.map((_, i) => 1 / (i + 1) ** 0.8)),
        nouns: split(spec.nouns),
        adjectives: split(spec.adjectives),
      });
    }
  });
  const leafWeights = cumulative(leaves.map(() => faker.number.float({ min: 0.4, max: 2 })));
  const warehouses = WAREHOUSES.map((w): WarehouseSeed => ({ id: newId(), name: `Bazaar ${w.city} ${w.code}`, ...w }));
  return { sellers, categories, leaves, leafWeights, warehouses };
}

export interface GeneratedProduct {
  product: NewProductRow & { id: string; createdAt: Date };
  stock: StockSeed[];
  /** Set on the first child of a family: the family it (and the next children) belong to. */
  family?: NewFamilyRow;
}

/** Image URL of each (category, brand) pair, keyed by `imageKey`. */
export type ImageUrls = ReadonlyMap<string, string>;
export const imageKey = (categoryId: number, brand: string) => `${categoryId}:${brand}`;

/**
 * Draws products one at a time from the seeded faker. Products must be drawn in order:
 * the n-th product depends on every draw before it.
 */
export class ProductGenerator {
  /** Children of the family being drawn, handed out by the next calls. */
  private queued: GeneratedProduct[] = [];

  constructor(
    private readonly faker: Faker,
    private readonly plan: CatalogPlan,
    private readonly images: ImageUrls,
    private readonly now: Date,
  ) {}

  next(): GeneratedProduct {
    const queued = this.queued.shift();
    if (queued) return queued;
    const drawn = this.draw();
    const leaf = this.plan.leaves.find((l) => l.categoryId === drawn.product.categoryId)!;
    const axis = leaf.spec.titleAttribute;
    const values = axis ? leaf.spec.attributes[axis] : undefined;
    if (!axis || !values || values.length < FAMILY_SIZE[0] || this.faker.number.float() >= FAMILY_SHARE) return drawn;
    const [first, ...rest] = this.family(drawn, leaf, axis, values);
    this.queued = rest;
    return first!;
  }

  /**
   * Turns a drawn product into a family of children that differ only by the leaf's variant
   * attribute ("Size 9", "Black"): same brand, noun and features; prices step up a little for
   * larger or pricier values; each child its own stock.
   */
  private family(base: GeneratedProduct, leaf: LeafPlan, axis: string, values: readonly string[]): GeneratedProduct[] {
    const faker = this.faker;
    const count = Math.min(values.length, faker.number.int({ min: FAMILY_SIZE[0], max: FAMILY_SIZE[1] }));
    const start = faker.number.int({ min: 0, max: values.length - count });
    const chosen = values.slice(start, start + count);
    const label = titleLabel(axis, base.product.attributes![axis] as string);
    const familyTitle = base.product.title.endsWith(`, ${label}`) ? base.product.title.slice(0, -label.length - 2) : base.product.title;
    const family: NewFamilyRow = {
      id: newId(),
      sellerId: base.product.sellerId,
      title: familyTitle,
      description: base.product.description!,
      brand: base.product.brand ?? null,
      categoryId: leaf.categoryId,
      images: base.product.images!,
      axes: [{ name: axis, values: [...chosen] }],
      createdAt: base.product.createdAt,
    };
    const step = faker.helpers.arrayElement([0, 0, 500, 1000]);
    return chosen.map((value, i) => {
      const id = i === 0 ? base.product.id : newId();
      const product = {
        ...base.product,
        id,
        title: `${familyTitle}, ${titleLabel(axis, value)}`,
        attributes: { ...base.product.attributes, [axis]: value },
        price: { amount: Math.min(base.product.price.amount + i * step, leaf.spec.price[1] * 100 + 99), currency: base.product.price.currency },
        familyId: family.id,
        options: { [axis]: value },
      };
      return { product, stock: i === 0 ? base.stock : this.stock(id), ...(i === 0 ? { family } : {}) };
    });
  }

  private draw(): GeneratedProduct {
    const { faker, plan } = this;
    const leaf = pickWeighted(faker, plan.leaves, plan.leafWeights);
    const brand = pickWeighted(faker, leaf.brands, leaf.brandWeights);
    const attributes = this.attributes(leaf);
    const noun = faker.helpers.arrayElement(leaf.nouns);
    const features = faker.helpers.arrayElements(leaf.adjectives, { min: 1, max: 3 });
    const reviewCount = faker.number.float() < UNREVIEWED_SHARE ? 0 : Math.floor(Math.exp(faker.number.float({ min: 0, max: Math.log(MAX_REVIEWS) })));
    const avgRating = reviewCount === 0 ? 0 : rating(faker.number.float(), reviewCount);
    const id = newId();
    const product = {
      id,
      sellerId: faker.number.float() < FIRST_PARTY_SHARE ? plan.sellers[0]!.id : faker.helpers.arrayElement(plan.sellers.slice(1)).id,
      title: this.title(leaf, brand, noun, features, attributes),
      description: this.description(leaf, brand, noun, features, attributes),
      categoryId: leaf.categoryId,
      brand,
      price: { amount: this.price(leaf.spec.price), currency: 'USD' },
      images: [this.images.get(imageKey(leaf.categoryId, brand))!],
      attributes,
      avgRating,
      reviewCount,
      status: faker.number.float() < INACTIVE_SHARE ? ('inactive' as const) : ('active' as const),
      purchaseLimit: faker.number.float() < 0.01 ? faker.number.int({ min: 1, max: 5 }) : null,
      createdAt: new Date(this.now.getTime() - faker.number.int({ min: 0, max: CATALOG_AGE_DAYS * 86_400 }) * 1000),
    };
    return { product, stock: this.stock(id) };
  }

  private attributes(leaf: LeafPlan): Record<string, string> {
    const attributes: Record<string, string> = {};
    if (leaf.spec.audiences) attributes.audience = this.faker.helpers.arrayElement(leaf.spec.audiences);
    for (const [key, values] of Object.entries(leaf.spec.attributes)) attributes[key] = this.faker.helpers.arrayElement(values);
    return attributes;
  }

  private title(leaf: LeafPlan, brand: string, noun: string, features: string[], attributes: Record<string, string>): string {
    const faker = this.faker;
    const model = leaf.spec.models
      ? faker.number.float() < 0.5
        ? ` ${faker.helpers.arrayElement(MODEL_SERIES)} ${faker.number.int({ min: 2, max: 9 })}`
        : ` ${faker.string.alpha({ length: 1, casing: 'upper' })}${faker.helpers.arrayElement([1, 2, 3, 5, 7, 9]) * faker.helpers.arrayElement([1, 10, 100])}`
      : '';
    const audience = attributes.audience ? `${attributes.audience} ` : '';
    const parts = [`${brand}${model} ${audience}${noun}`, ...features.slice(0, 2)];
    const variantKey = leaf.spec.titleAttribute;
    if (variantKey && attributes[variantKey]) parts.push(titleLabel(variantKey, attributes[variantKey]));
    return parts.join(', ');
  }

  private description(leaf: LeafPlan, brand: string, noun: string, features: string[], attributes: Record<string, string>): string {
    const faker = this.faker;
    const use = faker.helpers.arrayElement(leaf.department.uses);
    const lead = faker.helpers.arrayElement([
      `The ${brand} ${noun} is made for ${use}.`,
      `Made for ${use}, the ${brand} ${noun} gets the basics right.`,
      `Meet the ${brand} ${noun}, made for ${use}.`,
    ]);
    const specs = Object.entries(attributes)
      .map(([key, value]) => `${key.replace(/_/g, ' ')}: ${value}`)
      .join('; ');
    return `${lead} Highlights: ${features.join(', ')}. Specifications — ${specs}. ${faker.helpers.arrayElement(CLOSINGS)}`;
  }

  /** Log-uniform in the leaf's range, ending in .99, .95, .49 or .00 like real price tags. */
  private price([min, max]: readonly [number, number]): number {
    const dollars = Math.floor(Math.exp(this.faker.number.float({ min: Math.log(min), max: Math.log(max) })));
    const cents = this.faker.helpers.arrayElement([99, 99, 99, 95, 49, 0]);
    return Math.max(dollars * 100 + cents, min * 100 - 1);
  }

  /** 1–4 warehouses; some products entirely sold out (zero everywhere), some down to a handful of units. */
  private stock(productId: string): StockSeed[] {
    const faker = this.faker;
    const roll = faker.number.float();
    const count = pickWeighted(faker, [1, 2, 3, 4], [0.3, 0.65, 0.9, 1]);
    const warehouses = faker.helpers.arrayElements(this.plan.warehouses, count);
    if (roll < OUT_OF_STOCK_SHARE) return warehouses.map((w) => ({ productId, warehouseId: w.id, totalStock: 0 }));
    if (roll < OUT_OF_STOCK_SHARE + LOW_STOCK_SHARE) {
      return [{ productId, warehouseId: warehouses[0]!.id, totalStock: faker.number.int({ min: 1, max: 5 }) }];
    }
    return warehouses.map((w) => ({
      productId,
      warehouseId: w.id,
      totalStock: Math.floor(Math.exp(faker.number.float({ min: Math.log(3), max: Math.log(1000) }))),
    }));
  }
}
