import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../platform/database.ts';
import { describeError } from './error-handler.ts';

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
