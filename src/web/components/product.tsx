import { availabilityLabel, formatMoney, productPath, starsText } from '../format.ts';
import { ResponsiveImage } from './image.tsx';

export function Price(props: { amount: number; currency: string | null; max?: number }): JSX.Element {
  if (props.max !== undefined && props.max !== props.amount) {
    return (
      <span class="price-range" safe>
        {`${formatMoney(props.amount, props.currency)} – ${formatMoney(props.max, props.currency)}`}
      </span>
    );
  }
  return (
    <span class="price" safe>
      {formatMoney(props.amount, props.currency)}
    </span>
  );
}

export function Rating(props: { rating: number; reviews: number }): JSX.Element {
  if (props.reviews === 0) return <span class="rating">No reviews yet</span>;
  return (
    <span class="rating">
      <span class="stars" aria-hidden="true" safe>
        {starsText(props.rating)}
      </span>{' '}
      <span safe>{`${props.rating.toFixed(1)} out of 5 (${props.reviews.toLocaleString('en-US')} reviews)`}</span>
    </span>
  );
}

export function AvailabilityBadge(props: { status: string }): JSX.Element {
  const status = ['in_stock', 'low_stock', 'out_of_stock'].includes(props.status) ? props.status : 'unknown';
  return (
    <span class={`availability ${status}`} safe>
      {availabilityLabel(status)}
    </span>
  );
}

export interface CardProduct {
  id: string;
  title: string;
  brand: string | null;
  price: number;
  currency: string;
  image: string | null;
  rating: number;
  reviews: number;
  availability: string;
}

/** One product in a grid (home, category, search). Images after the first row load lazily. */
export function ProductCard(props: { product: CardProduct; eager?: boolean }): JSX.Element {
  const p = props.product;
  return (
    <li class="card">
      <a href={productPath(p)} tabindex="-1" aria-hidden="true">
        <ResponsiveImage src={p.image} alt="" widths={[160, 320, 480]} sizes="(max-width: 760px) 45vw, 220px" eager={props.eager} />
      </a>
      <a class="title" href={productPath(p)} safe>
        {p.title}
      </a>
      {p.brand ? (
        <span class="muted" safe>
          {p.brand}
        </span>
      ) : (
        ''
      )}
      <Rating rating={p.rating} reviews={p.reviews} />
      <Price amount={p.price} currency={p.currency} />
      <AvailabilityBadge status={p.availability} />
    </li>
  );
}

export function ProductGrid(props: { products: CardProduct[]; eagerCount?: number; label: string }): JSX.Element {
  const eager = props.eagerCount ?? 4;
  return (
    <ul class="grid" aria-label={props.label}>
      {props.products.map((product, i) => (
        <ProductCard product={product} eager={i < eager} />
      ))}
    </ul>
  );
}
