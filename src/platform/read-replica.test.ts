import { describe, expect, it } from 'vitest';
import { lsnToBigInt, stalenessSeconds } from './read-replica.ts';

describe('replica staleness', () => {
  const samples = [
    { at: 1_000, lsn: lsnToBigInt('0/100') },
    { at: 2_000, lsn: lsnToBigInt('0/200') },
    { at: 3_000, lsn: lsnToBigInt('0/300') },
  ];

  it('is the age of the newest primary position the replica has replayed', () => {
    expect(stalenessSeconds(samples, lsnToBigInt('0/300'), 3_000)).toBe(0);
    expect(stalenessSeconds(samples, lsnToBigInt('0/250'), 3_000)).toBe(1);
    expect(stalenessSeconds(samples, lsnToBigInt('0/100'), 3_500)).toBe(2.5);
  });

  it('is at least the age of the oldest sample when the replica is behind all of them, and unknown without samples', () => {
    expect(stalenessSeconds(samples, lsnToBigInt('0/50'), 4_000)).toBe(3);
    expect(stalenessSeconds([], lsnToBigInt('0/50'), 4_000)).toBeUndefined();
  });

  it('compares LSNs across the 4 GiB boundary', () => {
    expect(lsnToBigInt('1/0') > lsnToBigInt('0/FFFFFFFF')).toBe(true);
  });
});
