import { describe, expect, it } from 'vitest';
import { addBusinessDays, nextBusinessDayOnOrAfter, toIsoDate } from './business-days.ts';

describe('business days', () => {
  it('skips weekends when adding transit days', () => {
    // Thursday 2026-11-26 + 2 business days = Monday 2026-11-30
    expect(toIsoDate(addBusinessDays(new Date('2026-11-26T10:00:00Z'), 2))).toBe('2026-11-30');
    // Friday + 1 = Monday
    expect(toIsoDate(addBusinessDays(new Date('2026-11-27T10:00:00Z'), 1))).toBe('2026-11-30');
  });

  it('starts counting from the next business day when handed over on a weekend', () => {
    expect(toIsoDate(nextBusinessDayOnOrAfter(new Date('2026-11-28T10:00:00Z')))).toBe('2026-11-30');
    expect(toIsoDate(addBusinessDays(new Date('2026-11-29T10:00:00Z'), 1))).toBe('2026-12-01');
  });
});
