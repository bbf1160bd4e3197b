import { EventTypes, type PlainConsumer } from '../events/index.ts';
import type { SearchService } from './search.service.ts';

export const SEARCH_PRODUCTS_CONSUMER = 'search.products';
export const SEARCH_AVAILABILITY_CONSUMER = 'search.availability';

export const SEARCH_FAMILIES_CONSUMER = 'search.families';

type SearchConsumers = [
  PlainConsumer<typeof EventTypes.productUpdated>,
  PlainConsumer<typeof EventTypes.stockChanged>,
  PlainConsumer<typeof EventTypes.familyUpdated>,
];

/**
 * Event consumers that keep the index fresh without a rebuild. They are plain (not
 * transactional) consumers: each re-reads the current state from the source of truth and
 * overwrites the document, which is idempotent by itself and insensitive to event order.
 * (Reading the catalog inside the index's transaction would also queue behind itself on
 * PGlite's single connection.)
 */
export function searchConsumers(search: SearchService): SearchConsumers {
  return [
    {
      name: SEARCH_PRODUCTS_CONSUMER,
      types: [EventTypes.productUpdated],
      handle: (event) => search.refreshProducts([event.payload.product_id]),
    },
    {
      name: SEARCH_AVAILABILITY_CONSUMER,
      types: [EventTypes.stockChanged],
      handle: (event) => search.refreshAvailability([event.payload.product_id]),
    },
    {
      // A family's title, status or axes are part of each child's document: re-read every child.
      name: SEARCH_FAMILIES_CONSUMER,
      types: [EventTypes.familyUpdated],
      handle: (event) => search.refreshProducts(event.payload.product_ids),
    },
  ];
}
