import { formatMoney } from '../format.ts';
import { ProductGrid } from '../components/product.tsx';
import { resultsUrl, toCard, type Results, type ResultsState } from './search-state.ts';

const SORTS: [string, string][] = [
  ['relevance', 'Best match'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
  ['rating', 'Customer rating'],
  ['newest', 'Newest'],
];

const bandLabel = (min: number, max: number | null, currency: string) =>
  max === null ? `${formatMoney(min, currency)} and up` : `${formatMoney(min, currency)} – ${formatMoney(max, currency)}`;

interface ResultsViewProps {
  base: string;
  state: ResultsState;
  results: Results;
  currency: string;
  /** Category pages navigate by subcategory links instead of the category facet. */
  showCategoryFacet: boolean;
}

function ActiveFilters(props: { base: string; state: ResultsState; currency: string }): JSX.Element {
  const { base, state } = props;
  const chips: { label: string; href: string }[] = [];
  if (state.category && base === '/search') chips.push({ label: `Category: ${state.category.split('/').at(-1)}`, href: resultsUrl(base, state, { category: null }) });
  for (const b of state.brands) chips.push({ label: `Brand: ${b}`, href: resultsUrl(base, state, { brands: state.brands.filter((x) => x !== b) }) });
  if (state.price) {
    const [min, max] = state.price.split('-');
    chips.push({ label: `Price: ${bandLabel(Number(min), max ? Number(max) : null, props.currency)}`, href: resultsUrl(base, state, { price: null }) });
  }
  if (state.ratingMin !== null) chips.push({ label: `${state.ratingMin}★ & up`, href: resultsUrl(base, state, { ratingMin: null }) });
  if (state.inStock) chips.push({ label: 'In stock only', href: resultsUrl(base, state, { inStock: false }) });
  if (chips.length === 0) return '';
  return (
    <ul class="active-filters" aria-label="Active filters">
      {chips.map((c) => (
        <li>
          <a href={c.href}>
            <span safe>{c.label}</span> <span aria-hidden="true">✕</span>
            <span class="visually-hidden"> (remove filter)</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function FacetLink(props: { href: string; label: string; count: number; current: boolean }): JSX.Element {
  return (
    <li>
      <a href={props.href} aria-current={props.current ? 'true' : undefined}>
        <span safe>{props.label}</span>
      </a>{' '}
      <span class="count" safe>{`(${props.count})`}</span>
    </li>
  );
}

function Facets(props: ResultsViewProps): JSX.Element {
  const { base, state, results } = props;
  const f = results.facets;
  const active = state.brands.length + (state.price ? 1 : 0) + (state.ratingMin !== null ? 1 : 0) + (state.inStock ? 1 : 0);
  return (
    <aside class="facets" aria-label="Filters">
      <details open data-collapse-narrow>
      <summary>{active > 0 ? `Filters (${active} active)` : 'Filters'}</summary>
      {props.showCategoryFacet && f.categories.length > 0 ? (
        <section>
          <h2>Category</h2>
          <ul>
            {f.categories.slice(0, 12).map((c) => (
              <FacetLink href={resultsUrl(base, state, { category: c.path })} label={c.name} count={c.count} current={c.selected} />
            ))}
          </ul>
        </section>
      ) : (
        ''
      )}
      {f.brands.length > 0 ? (
        <section>
          <h2>Brand</h2>
          <ul>
            {f.brands.slice(0, 15).map((b) => (
              <FacetLink
                href={resultsUrl(base, state, { brands: b.selected ? state.brands.filter((x) => x.toLowerCase() !== b.value.toLowerCase()) : [...state.brands, b.value] })}
                label={`${b.selected ? '✓ ' : ''}${b.value}`}
                count={b.count}
                current={b.selected}
              />
            ))}
          </ul>
        </section>
      ) : (
        ''
      )}
      <section>
        <h2>Price</h2>
        <ul>
          {f.priceRanges
            .filter((r) => r.count > 0)
            .map((r) => {
              const band = `${r.min}-${r.max ?? ''}`;
              return <FacetLink href={resultsUrl(base, state, { price: band })} label={bandLabel(r.min, r.max, props.currency)} count={r.count} current={state.price === band} />;
            })}
        </ul>
      </section>
      <section>
        <h2>Customer rating</h2>
        <ul>
          {f.ratings
            .filter((r) => r.count > 0)
            .map((r) => (
              <FacetLink href={resultsUrl(base, state, { ratingMin: r.min })} label={`${r.min}★ & up`} count={r.count} current={state.ratingMin === r.min} />
            ))}
        </ul>
      </section>
      <section>
        <h2>Availability</h2>
        <ul>
          <li>
            <a href={resultsUrl(base, state, { inStock: !state.inStock })} aria-current={state.inStock ? 'true' : undefined}>
              {state.inStock ? '✓ In stock only' : 'In stock only'}
            </a>
          </li>
        </ul>
      </section>
      </details>
    </aside>
  );
}

function SortForm(props: { base: string; state: ResultsState }): JSX.Element {
  const { state } = props;
  const current = state.sort ?? 'relevance';
  const hidden: [string, string][] = [];
  if (state.q) hidden.push(['q', state.q]);
  if (state.category && props.base === '/search') hidden.push(['category', state.category]);
  for (const b of state.brands) hidden.push(['brand', b]);
  if (state.price) hidden.push(['price', state.price]);
  if (state.ratingMin !== null) hidden.push(['rating', String(state.ratingMin)]);
  if (state.inStock) hidden.push(['in_stock', '1']);
  return (
    <form method="get" action={props.base}>
      {hidden.map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <label for="sort">Sort by</label>
      <select id="sort" name="sort" data-autosubmit>
        {SORTS.map(([value, label]) => (
          <option value={value} selected={value === current} safe>
            {label}
          </option>
        ))}
      </select>
      <button class="secondary" type="submit" data-autosubmit-button>
        Apply
      </button>
    </form>
  );
}

/** Results with the facet sidebar, active filters, sort, "did you mean" and keyset paging. */
export function ResultsView(props: ResultsViewProps): JSX.Element {
  const { base, state, results } = props;
  const count = results.totalCount;
  return (
    <div class="results">
      <Facets {...props} />
      <section aria-label="Results">
        {results.didYouMean && results.query.corrected ? (
          <p class="notice info">
            Showing results for <strong safe>{results.query.text}</strong> (you searched for <span safe>{state.q}</span>).
          </p>
        ) : results.didYouMean ? (
          <p class="notice info">
            Did you mean{' '}
            <a href={resultsUrl(base, state, { q: results.didYouMean })} safe>
              {results.didYouMean}
            </a>
            ?
          </p>
        ) : (
          ''
        )}
        {results.degraded ? <p class="notice warning">Search is running in a simpler mode right now; results may be less precise.</p> : ''}
        <ActiveFilters base={base} state={state} currency={props.currency} />
        <div class="toolbar">
          <p role="status" safe>{count === 1 ? '1 result' : `${count.toLocaleString('en-US')} results`}</p>
          <SortForm base={base} state={state} />
        </div>
        {results.products.length === 0 ? (
          <p>No products match. Try fewer words or remove a filter.</p>
        ) : (
          <ProductGrid products={results.products.map(toCard)} label="Products" />
        )}
        <nav class="pager" aria-label="Pages">
          {state.cursor ? <a href={resultsUrl(base, state)}>First page</a> : ''}
          {results.nextCursor ? (
            <a class="button secondary" rel="next" href={resultsUrl(base, state, { cursor: results.nextCursor })}>
              Next page
            </a>
          ) : (
            ''
          )}
        </nav>
      </section>
    </div>
  );
}
