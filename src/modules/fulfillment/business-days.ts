/**
 * Business-day arithmetic in UTC. Weekends are not business days; public holidays are
 * not modelled (a documented simplification: estimates may be a day early around them).
 */
export const isBusinessDay = (date: Date): boolean => {
  const day = date.getUTCDay();
  return day !== 0 && day !== 6;
};

export function nextBusinessDayOnOrAfter(date: Date): Date {
  const result = new Date(date);
  while (!isBusinessDay(result)) result.setUTCDate(result.getUTCDate() + 1);
  return result;
}

export function addBusinessDays(date: Date, days: number): Date {
  const result = nextBusinessDayOnOrAfter(date);
  let remaining = days;
  while (remaining > 0) {
    result.setUTCDate(result.getUTCDate() + 1);
    if (isBusinessDay(result)) remaining--;
  }
  return result;
}

export const toIsoDate = (date: Date): string => date.toISOString().slice(0, 10);
