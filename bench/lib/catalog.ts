const PAGE_SIZE = 100;
const MAX_IDS = Number(process.env.BENCH_ID_SAMPLE ?? 10_000);

/** Ids of active products, read through the public listing (as a crawler would), up to MAX_IDS. */
export async function fetchProductIds(baseUrl: string, max = MAX_IDS): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${baseUrl}/v1/products?${query}`);
    if (!response.ok) throw new Error(`GET /v1/products?${query} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { products: { id: string }[]; next_cursor: string | null };
    ids.push(...page.products.map((p) => p.id));
    cursor = page.next_cursor;
  } while (cursor && ids.length < max);
  return ids.slice(0, max);
}
