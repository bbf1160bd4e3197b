import zipcodes from 'zipcodes';
import { unprocessable } from './errors.ts';

export interface Coordinates {
  latitude: number;
  longitude: number;
}

const SUPPORTED_COUNTRIES = ['US'];

/**
 * Coordinates of a postal code (US ZIP, ZIP+4 accepted). An unknown code is refused
 * rather than placed at 0,0, because distances drive warehouse choice and delivery dates.
 */
export function resolvePostalCode(postalCode: string, country: string): Coordinates {
  const countryCode = country.toUpperCase();
  if (!SUPPORTED_COUNTRIES.includes(countryCode)) {
    throw unprocessable('unsupported_country', `Shipping to ${country} is not supported yet`, { supported: SUPPORTED_COUNTRIES });
  }
  const match = /^(\d{5})(?:-\d{4})?$/.exec(postalCode.trim());
  const found = match ? zipcodes.lookup(match[1]!) : undefined;
  if (!found || typeof found.latitude !== 'number' || typeof found.longitude !== 'number') {
    throw unprocessable('unknown_postal_code', `Postal code ${postalCode} is not a known ${countryCode} ZIP code`, { postal_code: postalCode });
  }
  return { latitude: found.latitude, longitude: found.longitude };
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
