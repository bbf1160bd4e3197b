import { describe, expect, it } from 'vitest';
import { describeError } from '../http/error-handler.ts';
import { isDatabaseUnavailable } from './database.ts';
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

describe('database outages over HTTP', () => {
  it('are 503 database_unavailable, not 500, for lost connections, a server starting up or a pooler refusing', () => {
    const cases: unknown[] = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('query_wait_timeout'), { code: '08P01' }),
      new Error('wrapped', { cause: new Error('timeout exceeded when trying to connect') }),
    ];
    for (const error of cases) {
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(describeError(error as never)).toMatchObject({ status: 503, code: 'database_unavailable', internal: false });
    }
  });

  it('leaves statement errors and bugs as 500', () => {
    for (const error of [Object.assign(new Error('syntax error'), { code: '42601' }), new TypeError('x is undefined')]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(describeError(error as never)).toMatchObject({ status: 500, code: 'internal' });
    }
  });
});
