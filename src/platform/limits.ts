/**
 * What the database columns hold, so every number a client sends can be bounded by it at
 * the gateway and in services. A value past these limits would pass a schema typed only as
 * "integer" and fail inside PostgreSQL (22003 numeric_value_out_of_range) as a 5xx.
 */

/** Largest value of a PostgreSQL `integer` column (int4): quantities, stock, amounts in minor units. */
export const PG_INT_MAX = 2_147_483_647;

/** Largest amount of money (minor units) an order, payment or price column stores. */
export const MAX_AMOUNT = PG_INT_MAX;
