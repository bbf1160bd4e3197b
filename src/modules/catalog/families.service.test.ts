import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabases, BACKENDS, type TestDatabases } from '../../../test/helpers/databases.ts';
import { refusal } from '../../../test/helpers/refusal.ts';
import { MemoryCache } from '../../platform/cache.ts';
import { ManualClock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema, listOutbox } from '../events/index.ts';
import { CatalogService, catalogSchema, FamiliesService, type CatalogPrincipal, type NewProductInput } from './index.ts';

const admin: CatalogPrincipal = { accountId: newId(), role: 'admin' };
const sellerAccount: CatalogPrincipal = { accountId: newId(), role: 'seller' };
const otherSellerAccount: CatalogPrincipal = { accountId: newId(), role: 'seller' };
const customer: CatalogPrincipal = { accountId: newId(), role: 'customer' };

const codeOf = async (promise: Promise<unknown>) => {
  const error = await refusal(promise);
  return `${error.kind}:${error.code}`;
};

const SHOE_AXES = [
  { name: 'size', values: ['8', '9', '10'] },
  { name: 'colour', values: ['Black', 'Red'] },
];

describe.each(BACKENDS)('FamiliesService (%s)', (backend) => {
  let databases: TestDatabases;
  let catalog: CatalogService;
  let families: FamiliesService;
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const sellerId = newId();
  const otherSellerId = newId();

  const child = (familyId: string | null, options: Record<string, string>, extra: Partial<NewProductInput> = {}): NewProductInput => ({
    sellerId,
    title: `Trail Runner ${Object.values(options).join(' ')}`,
    categoryId: 11,
    price: { amount: 9900, currency: 'USD' },
    familyId,
    options,
    ...extra,
  });

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, catalogSchema]);
    catalog = new CatalogService(databases.main, clock, new MemoryCache(), { productCacheSeconds: 60 });
    families = new FamiliesService(databases.main, clock);
    await catalog.importCatalog({
      sellers: [
        { id: sellerId, name: 'Shoe seller', kind: 'marketplace', accountId: sellerAccount.accountId },
        { id: otherSellerId, name: 'Other seller', kind: 'marketplace', accountId: otherSellerAccount.accountId },
      ],
      categories: [
        { id: 10, name: 'Sports', slug: 'sports' },
        { id: 11, parentId: 10, name: 'Running shoes', slug: 'running-shoes' },
      ],
    });
  });
  afterAll(async () => databases?.close());

  it('groups children that differ by option axes and announces every change with its children', async () => {
    const family = await families.createFamily(sellerAccount, { title: '  Trail Runner  ', categoryId: 11, axes: SHOE_AXES, images: ['/img/a.svg'] });
    expect(family).toMatchObject({ title: 'Trail Runner', sellerId, status: 'active', axes: SHOE_AXES, variants: [] });
    const black9 = await catalog.createProduct(sellerAccount, child(family.id, { size: '9', colour: 'Black' }));
    const red10 = await catalog.createProduct(sellerAccount, child(family.id, { colour: 'Red', size: '10' }, { price: { amount: 10900, currency: 'USD' } }));
    expect(black9).toMatchObject({ familyId: family.id, options: { size: '9', colour: 'Black' } });

    const detail = await families.getFamilyForViewer(undefined, family.id);
    expect(detail.variants.map((v) => v.id)).toEqual([black9.id, red10.id]);

    const renamed = await families.updateFamily(sellerAccount, family.id, { title: 'Trail Runner 2' });
    expect(renamed.title).toBe('Trail Runner 2');
    const events = await listOutbox(databases.main, { aggregateId: family.id });
    expect(events.map((e) => [e.type, (e.payload as { change: string }).change])).toEqual([
      ['catalog.family.updated', 'created'],
      ['catalog.family.updated', 'updated'],
    ]);
    expect((events[1]!.payload as { product_ids: string[] }).product_ids.sort()).toEqual([black9.id, red10.id].sort());
    const productEvent = (await listOutbox(databases.main, { aggregateId: black9.id }))[0]!;
    expect(productEvent.payload).toMatchObject({ family_id: family.id });
  });

  it('refuses options that do not name exactly one known value on every axis, and a second child with the same options', async () => {
    const family = await families.createFamily(admin, { sellerId, title: 'Road Runner', categoryId: 11, axes: SHOE_AXES });
    await catalog.createProduct(admin, child(family.id, { size: '8', colour: 'Black' }));
    expect(await codeOf(catalog.createProduct(admin, child(family.id, { size: '8' })))).toBe('unprocessable:options_mismatch');
    expect(await codeOf(catalog.createProduct(admin, child(family.id, { size: '8', colour: 'Blue' })))).toBe('unprocessable:options_mismatch');
    expect(await codeOf(catalog.createProduct(admin, child(family.id, { size: '8', colour: 'Black', width: 'Wide' })))).toBe('unprocessable:options_mismatch');
    expect(await codeOf(catalog.createProduct(admin, child(family.id, { colour: 'Black', size: '8' })))).toBe('conflict:variant_exists');
    expect(await codeOf(catalog.createProduct(admin, child(null, { size: '8' })))).toBe('unprocessable:options_mismatch');
    expect(await codeOf(catalog.createProduct(admin, child(newId(), { size: '8', colour: 'Black' })))).toBe('unprocessable:family_not_found');
    expect(await codeOf(catalog.createProduct(admin, child(family.id, { size: '9', colour: 'Red' }, { sellerId: otherSellerId })))).toBe(
      'unprocessable:family_seller_mismatch',
    );
    expect((await families.getManagedFamily(admin, family.id)).variants).toHaveLength(1);
  });

  it('moves a product into, between and out of families, clearing its options when it leaves', async () => {
    const family = await families.createFamily(admin, { sellerId, title: 'Racer', categoryId: 11, axes: [{ name: 'size', values: ['8', '9'] }] });
    const loose = await catalog.createProduct(admin, child(null, {}));
    expect(await codeOf(catalog.updateProduct(admin, loose.id, { familyId: family.id }))).toBe('unprocessable:options_mismatch');
    const joined = await catalog.updateProduct(admin, loose.id, { familyId: family.id, options: { size: '9' } });
    expect(joined).toMatchObject({ familyId: family.id, options: { size: '9' } });
    expect(await codeOf(catalog.updateProduct(admin, loose.id, { options: { size: '11' } }))).toBe('unprocessable:options_mismatch');
    const left = await catalog.updateProduct(admin, loose.id, { familyId: null });
    expect(left).toMatchObject({ familyId: null, options: {} });
  });

  it('keeps axes and values that children use; adds values at any time and axes only to an empty family', async () => {
    const family = await families.createFamily(admin, { sellerId, title: 'Tee', categoryId: 11, axes: [{ name: 'size', values: ['S', 'M'] }] });
    const empty = await families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['S', 'M'] }, { name: 'colour', values: ['Blue'] }] });
    expect(empty.axes).toHaveLength(2);
    const small = await catalog.createProduct(admin, child(family.id, { size: 'S', colour: 'Blue' }));
    const grown = await families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['S', 'M', 'L'] }, { name: 'colour', values: ['Blue', 'Green'] }] });
    expect(grown.axes[0]!.values).toEqual(['S', 'M', 'L']);
    const inUse = await refusal(families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['M', 'L'] }, { name: 'colour', values: ['Blue'] }] }));
    expect(inUse.code).toBe('axis_in_use');
    expect(inUse.details).toMatchObject({ axis: 'size', product_ids: [small.id] });
    expect(await codeOf(families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['S'] }] }))).toBe('conflict:axis_in_use');
    expect(
      await codeOf(families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['S'] }, { name: 'colour', values: ['Blue'] }, { name: 'fit', values: ['Slim'] }] })),
    ).toBe('conflict:axis_in_use');
    expect(await codeOf(families.updateFamily(admin, family.id, { axes: [{ name: 'size', values: ['S', 'S'] }] }))).toBe('invalid:invalid_axes');
    expect(await codeOf(families.updateFamily(admin, family.id, { axes: [] }))).toBe('invalid:invalid_axes');
  });

  it('lets a seller manage and list only its own families; hides inactive ones and inactive children from shoppers', async () => {
    const own = await families.createFamily(sellerAccount, { title: 'Own', categoryId: 11, axes: [{ name: 'size', values: ['1', '2'] }] });
    const theirs = await families.createFamily(otherSellerAccount, { title: 'Theirs', categoryId: 11, axes: [{ name: 'size', values: ['1'] }] });
    expect(await codeOf(families.updateFamily(sellerAccount, theirs.id, { title: 'Mine now' }))).toBe('forbidden:forbidden');
    expect(await codeOf(families.getManagedFamily(sellerAccount, theirs.id))).toBe('forbidden:forbidden');
    expect(await codeOf(families.createFamily(sellerAccount, { sellerId: otherSellerId, title: 'x', categoryId: 11, axes: SHOE_AXES }))).toBe('forbidden:forbidden');
    expect(await codeOf(families.listFamilies(sellerAccount, { sellerId: otherSellerId, limit: 10 }))).toBe('forbidden:forbidden');
    expect(await codeOf(families.listFamilies(customer, { limit: 10 }))).toBe('forbidden:forbidden');
    const listed = await families.listFamilies(sellerAccount, { limit: 100 });
    expect(listed.families.every((f) => f.sellerId === sellerId)).toBe(true);
    expect(listed.families.map((f) => f.id)).toContain(own.id);

    const shown = await catalog.createProduct(sellerAccount, child(own.id, { size: '1' }));
    await catalog.createProduct(sellerAccount, child(own.id, { size: '2' }, { status: 'inactive' }));
    expect((await families.getFamilyForViewer(undefined, own.id)).variants.map((v) => v.id)).toEqual([shown.id]);
    expect((await families.getFamilyForViewer(sellerAccount, own.id)).variants).toHaveLength(2);
    expect(await codeOf(families.updateFamily(sellerAccount, own.id, { status: 'suspended' }))).toBe('forbidden:product_suspended');
    await families.updateFamily(sellerAccount, own.id, { status: 'inactive' });
    expect(await codeOf(families.getFamilyForViewer(undefined, own.id))).toBe('not_found:family_not_found');
    expect(await codeOf(families.getFamilyForViewer(otherSellerAccount, own.id))).toBe('not_found:family_not_found');
    expect((await families.getFamilyForViewer(sellerAccount, own.id)).id).toBe(own.id);
  });

  it('pages families newest first with a keyset cursor and refuses a forged one', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await families.createFamily(admin, { sellerId: otherSellerId, title: `Paged ${i}`, categoryId: 11, axes: [{ name: 'n', values: [String(i)] }] }));
    const first = await families.listFamilies(admin, { sellerId: otherSellerId, limit: 3 });
    const second = await families.listFamilies(admin, { sellerId: otherSellerId, limit: 3, cursor: first.nextCursor! });
    const ids = [...first.families, ...second.families].map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 5)).toEqual(created.map((f) => f.id).reverse());
    expect(await codeOf(families.listFamilies(admin, { limit: 3, cursor: Buffer.from('{"id":"nope"}').toString('base64url') }))).toBe('invalid:invalid_cursor');
  });

  it('imports families with their children in one batch and refuses a child that does not fit', async () => {
    const familyId = newId();
    const result = await catalog.importCatalog({
      families: [{ id: familyId, sellerId, title: 'Imported family', categoryId: 11, axes: [{ name: 'size', values: ['S', 'M'] }] }],
      products: [
        { sellerId, title: 'Imported S', categoryId: 11, price: { amount: 100, currency: 'USD' }, familyId, options: { size: 'S' } },
        { sellerId, title: 'Imported M', categoryId: 11, price: { amount: 120, currency: 'USD' }, familyId, options: { size: 'M' } },
      ],
    });
    expect(result).toMatchObject({ families: 1, products: 2 });
    expect((await families.getFamilyForViewer(undefined, familyId)).variants).toHaveLength(2);
    expect(
      await codeOf(
        catalog.importCatalog({ products: [{ sellerId, title: 'Misfit', categoryId: 11, price: { amount: 1, currency: 'USD' }, familyId, options: { size: 'XL' } }] }),
      ),
    ).toBe('unprocessable:options_mismatch');
  });
});
