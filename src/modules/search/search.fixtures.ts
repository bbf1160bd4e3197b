import type { Availability, IndexableCategory, IndexableProduct, ProductFeed } from './search.types.ts';

/**
 * A small hand-written catalog for the relevance, facet and engine tests, and an in-memory
 * `ProductFeed` over it (tests change products through `put`/`remove`, as the catalog would).
 */

const c = (id: number, name: string, slug: string, path: string): IndexableCategory => ({ id, name, slug, path });

export const CATEGORIES = {
  sports: c(1, 'Sports & Outdoors', 'sports', 'sports'),
  running: c(2, 'Running Shoes', 'running-shoes', 'sports/running-shoes'),
  trail: c(3, 'Trail Running', 'trail-running', 'sports/running-shoes/trail-running'),
  yoga: c(4, 'Yoga', 'yoga', 'sports/yoga'),
  cycling: c(5, 'Cycling', 'cycling', 'sports/cycling'),
  home: c(10, 'Home & Kitchen', 'home', 'home'),
  coffee: c(11, 'Coffee & Espresso', 'coffee-espresso', 'home/coffee-espresso'),
  cookware: c(12, 'Cookware', 'cookware', 'home/cookware'),
  kettles: c(13, 'Kettles', 'kettles', 'home/kettles'),
  electronics: c(20, 'Electronics', 'electronics', 'electronics'),
  headphones: c(21, 'Headphones', 'headphones', 'electronics/headphones'),
  laptops: c(22, 'Laptops', 'laptops', 'electronics/laptops'),
  accessories: c(23, 'Computer Accessories', 'computer-accessories', 'electronics/computer-accessories'),
  clothing: c(30, 'Clothing', 'clothing', 'clothing'),
  tshirts: c(31, 'T-Shirts', 't-shirts', 'clothing/t-shirts'),
  jackets: c(32, 'Jackets', 'jackets', 'clothing/jackets'),
} as const;

type Key = keyof typeof CATEGORIES;
const chain = (...keys: Key[]) => keys.map((k) => CATEGORIES[k]);
const CHAINS: Record<string, IndexableCategory[]> = {
  running: chain('sports', 'running'),
  trail: chain('sports', 'running', 'trail'),
  yoga: chain('sports', 'yoga'),
  cycling: chain('sports', 'cycling'),
  coffee: chain('home', 'coffee'),
  cookware: chain('home', 'cookware'),
  kettles: chain('home', 'kettles'),
  headphones: chain('electronics', 'headphones'),
  laptops: chain('electronics', 'laptops'),
  accessories: chain('electronics', 'accessories'),
  tshirts: chain('clothing', 'tshirts'),
  jackets: chain('clothing', 'jackets'),
};

const SELLER = '01900000-0000-7000-8000-000000000001';

// [slug used as a readable handle, title, brand, leaf, price cents, rating, reviews, stock, description, attributes]
type Row = [string, string, string | null, string, number, number, number, number, string, Record<string, string>?];
const ROWS: Row[] = [
  ['stride-road', 'Stride Road Running Shoes', 'Stride', 'running', 4500, 4.5, 820, 30, 'Lightweight cushioned running shoe for daily road miles.', { color: 'Black' }],
  ['stride-racer', 'Stride Racer Running Shoes', 'Stride', 'running', 8900, 4.7, 310, 5, 'Carbon plate racing shoe for race day.', { color: 'Red' }],
  ['swift-running', "Swift Men's Running Shoe", 'Swiftfoot', 'running', 3900, 4.1, 120, 12, 'Breathable mesh upper and a grippy outsole.', { color: 'Blue' }],
  ['swift-women', "Swift Women's Running Shoes", 'Swiftfoot', 'running', 4200, 4.3, 95, 0, 'Breathable mesh, soft foam, reflective details.', { color: 'White' }],
  ['ridge-trail', 'Ridge Trail Running Shoes', 'Northpeak', 'trail', 11900, 4.6, 450, 8, 'Rock plate and aggressive lugs for technical trails.', { color: 'Olive' }],
  ['ridge-trail-gtx', 'Ridge Waterproof Trail Shoes', 'Northpeak', 'trail', 13900, 4.4, 210, 3, 'Waterproof membrane trail runner for wet conditions.', { color: 'Charcoal' }],
  ['stride-trail', 'Stride Trail Runner', 'Stride', 'trail', 4900, 3.9, 60, 10, 'Budget friendly trail running shoe.', { color: 'Gray' }],
  ['city-sneakers', 'Everyday City Sneakers', 'Urbanwalk', 'running', 5900, 4.0, 70, 20, 'Casual sneakers for walking around town, not for running.', { color: 'White' }],
  ['socks', 'Running Socks 3-Pack', 'Stride', 'running', 1500, 4.8, 900, 100, 'Cushioned socks that keep running shoes comfortable.', { pack: '3' }],
  ['yoga-mat', 'Zenfit Yoga Mat', 'Zenfit', 'yoga', 2900, 4.6, 1500, 40, 'Non-slip yoga mat, 6 mm thick.', { color: 'Teal' }],
  ['yoga-blocks', 'Zenfit Cork Yoga Blocks', 'Zenfit', 'yoga', 1900, 4.2, 300, 25, 'A pair of cork blocks for yoga and stretching.'],
  ['helmet', 'Velo Bike Helmet', 'Velo', 'cycling', 6900, 4.5, 260, 15, 'Ventilated bicycle helmet with MIPS.', { color: 'Black' }],
  ['bike-light', 'Velo USB Bike Light', 'Velo', 'cycling', 2400, 4.0, 180, 0, 'Rechargeable front light, 400 lumens.'],
  ['espresso', 'BrewMaster Espresso Machine', 'BrewMaster', 'coffee', 34900, 4.4, 640, 6, '15-bar pump espresso maker with steam wand.', { color: 'Silver' }],
  ['grinder', 'BrewMaster Burr Coffee Grinder', 'BrewMaster', 'coffee', 9900, 4.3, 410, 9, 'Conical burr grinder, great for espresso and pour-over.'],
  ['cafe-mug', 'Café Latte Mug', 'Acme Kitchen', 'coffee', 1200, 4.1, 55, 50, 'Ceramic mug for lattes and cappuccino.'],
  ['french-press', 'Acme French Press', 'Acme Kitchen', 'coffee', 2900, 4.2, 230, 14, 'Glass coffee press, 1 litre.'],
  ['skillet', 'Ironclad Cast Iron Skillet', 'Ironclad', 'cookware', 3900, 4.8, 2100, 33, 'Pre-seasoned 12 inch skillet.'],
  ['pan-set', 'Acme Nonstick Pan Set', 'Acme Kitchen', 'cookware', 7900, 4.0, 340, 11, 'Three nonstick frying pans.'],
  ['kettle', 'Acme Electric Kettle', 'Acme Kitchen', 'kettles', 3400, 4.3, 780, 22, 'Fast boiling 1.7 litre kettle with auto shut-off.', { color: 'Silver' }],
  ['gooseneck', 'BrewMaster Gooseneck Kettle', 'BrewMaster', 'kettles', 5900, 4.6, 390, 7, 'Temperature control kettle for pour-over coffee.', { color: 'Black' }],
  ['anc-headphones', 'Sonica Noise Cancelling Headphones', 'Sonica', 'headphones', 19900, 4.6, 1200, 18, 'Wireless over-ear headphones with active noise cancelling.', { color: 'Black' }],
  ['buds', 'Sonica Wireless Earbuds', 'Sonica', 'headphones', 7900, 4.2, 860, 0, 'True wireless earbuds with charging case.', { color: 'White' }],
  ['studio', 'Echo Studio Headphones', 'Echo Audio', 'headphones', 9900, 4.4, 330, 9, 'Wired studio monitor headphones.', { color: 'Black' }],
  ['case', 'Headphone Case for Sonica', 'Carrymate', 'accessories', 1500, 3.8, 40, 60, 'Hard shell case, fits Sonica and other over-ear headphones.'],
  ['voltbook', 'Voltbook 14 Laptop', 'Volt', 'laptops', 89900, 4.5, 540, 4, 'Thin and light 14 inch laptop, 16 GB memory.', { color: 'Space Gray' }],
  ['voltbook-pro', 'Voltbook Pro 16 Laptop', 'Volt', 'laptops', 159900, 4.7, 280, 2, 'Powerful 16 inch laptop for creators.', { color: 'Silver' }],
  ['sleeve', 'Neoprene Laptop Sleeve', 'Carrymate', 'accessories', 2500, 4.4, 610, 45, 'Protective sleeve for 13 and 14 inch laptops.', { color: 'Navy' }],
  ['mouse', 'Carrymate Wireless Mouse', 'Carrymate', 'accessories', 1900, 4.1, 720, 80, 'Silent wireless mouse with USB receiver.'],
  ['tee-men', "Basics Men's Crew T-Shirt", 'Basics', 'tshirts', 1400, 4.3, 1900, 200, 'Soft cotton crew neck t-shirt.', { color: 'Navy', size: 'M' }],
  ['tee-women', "Basics Women's V-Neck T-Shirt", 'Basics', 'tshirts', 1400, 4.4, 1600, 150, 'Soft cotton v-neck t-shirt.', { color: 'White', size: 'S' }],
  ['run-tee', 'Stride Running T-Shirt', 'Stride', 'tshirts', 2500, 4.5, 400, 60, 'Quick-dry running shirt.', { color: 'Red', size: 'L' }],
  ['rain-jacket', 'Northpeak Waterproof Rain Jacket', 'Northpeak', 'jackets', 12900, 4.5, 520, 12, 'Packable waterproof shell with taped seams.', { color: 'Green' }],
  ['down-jacket', 'Northpeak Down Jacket', 'Northpeak', 'jackets', 19900, 4.7, 380, 0, 'Warm 700-fill down jacket.', { color: 'Black' }],
  ['fleece', 'Basics Fleece Jacket', 'Basics', 'jackets', 3900, 4.1, 260, 30, 'Midweight fleece, not waterproof.', { color: 'Gray' }],
  ['no-brand', 'Plain Cotton Tote Bag', null, 'accessories', 900, 3.5, 12, 5, 'Reusable tote bag.'],
];

/** Handle → id: stable, distinct, time-ordered uuids so `newest` has a fixed order. */
export const ID: Record<string, string> = Object.fromEntries(
  ROWS.map(([handle], i) => [handle, `01900000-0000-7000-8000-${String(i + 100).padStart(12, '0')}`]),
);

export function fixtureProducts(): IndexableProduct[] {
  return ROWS.map(([handle, title, brand, leaf, price, rating, reviews, stock, description, attributes], i) => ({
    id: ID[handle]!,
    sellerId: SELLER,
    title,
    description,
    brand,
    categories: CHAINS[leaf]!,
    priceAmount: price,
    currency: 'USD',
    images: [`/img/${handle}.png`],
    attributes: attributes ?? {},
    avgRating: rating,
    reviewCount: reviews,
    status: 'active',
    availability: { status: stock === 0 ? 'out_of_stock' : stock <= 5 ? 'low_stock' : 'in_stock', available: stock },
    createdAt: new Date(Date.UTC(2024, 0, 1 + i)),
  }));
}

/** An in-memory catalog behind the `ProductFeed` port. */
export class MemoryFeed implements ProductFeed {
  readonly products = new Map<string, IndexableProduct>();
  constructor(products: IndexableProduct[] = fixtureProducts()) {
    for (const p of products) this.products.set(p.id, p);
  }
  put(product: IndexableProduct): void {
    this.products.set(product.id, product);
  }
  async listForIndex(page: { cursor: string | null; limit: number }) {
    const sorted = [...this.products.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const rest = page.cursor === null ? sorted : sorted.filter((p) => p.id > page.cursor!);
    const products = rest.slice(0, page.limit);
    return { products, nextCursor: rest.length > page.limit ? products.at(-1)!.id : null };
  }
  async findForIndex(ids: string[]) {
    return ids.map((id) => this.products.get(id)).filter((p): p is IndexableProduct => p !== undefined);
  }
  async availabilityOf(ids: string[]) {
    const result = new Map<string, Availability>();
    for (const id of ids) {
      const availability = this.products.get(id)?.availability;
      if (availability) result.set(id, availability);
    }
    return result;
  }
  async countForIndex() {
    return this.products.size;
  }
}
