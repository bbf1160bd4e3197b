/** Display formatting shared by every page: money in minor units, dates, ratings, availability. */

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number, currency: string | null): string {
  const code = currency ?? 'USD';
  let format = moneyFormats.get(code);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    moneyFormats.set(code, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });

/** A calendar date (YYYY-MM-DD) as "Tue, Dec 2". */
export function formatDay(isoDate: string | null): string {
  if (!isoDate) return 'to be confirmed';
  const date = new Date(`${isoDate}T12:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateFormat.format(date);
}

export const formatDateTime = (date: Date) => dateTimeFormat.format(date);

export function starsText(rating: number): string {
  const full = Math.round(rating);
  return '★'.repeat(full) + '☆'.repeat(Math.max(0, 5 - full));
}

export const AVAILABILITY_LABELS: Record<string, string> = {
  in_stock: 'In stock',
  low_stock: 'Only a few left',
  out_of_stock: 'Out of stock',
  unknown: 'Availability is being checked',
};

export const availabilityLabel = (status: string) => AVAILABILITY_LABELS[status] ?? AVAILABILITY_LABELS.unknown!;

export const STATUS_LABELS: Record<string, string> = {
  placed: 'Placed',
  processing: 'Processing',
  pending: 'Waiting for the warehouse',
  picked: 'Picked',
  packed: 'Packed',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

export const statusLabel = (status: string) => STATUS_LABELS[status] ?? status;

/** A URL slug of a title, for readable product links (the id decides; the slug is decoration). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

export const productPath = (product: { id: string; title: string }) => `/p/${product.id}/${slugify(product.title)}`;
export const categoryPath = (category: { path: string }) => `/c/${category.path}`;
