import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { isUuid } from '../platform/ids.ts';
import { cookieOptions, safeReturnPath, uuidFromSecret } from './session.ts';

describe('web session helpers', () => {
  it('marks cookies HttpOnly and SameSite=Lax always, and Secure when the page came over TLS', () => {
    const http = cookieOptions({ protocol: 'http' } as FastifyRequest, 60);
    const https = cookieOptions({ protocol: 'https' } as FastifyRequest);
    expect(http).toEqual({ path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 60 });
    expect(https).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
  });

  it('follows only paths of this site after sign-in', () => {
    expect(safeReturnPath('/checkout')).toBe('/checkout');
    expect(safeReturnPath('/orders/1?placed=1')).toBe('/orders/1?placed=1');
    for (const hostile of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '/a\nb', 42, undefined, `/${'x'.repeat(600)}`]) {
      expect(safeReturnPath(hostile)).toBe('/');
    }
  });

  it('derives a stable, unguessable cart id from a guest secret', () => {
    const id = uuidFromSecret('some-guest-secret-value');
    expect(isUuid(id)).toBe(true);
    expect(uuidFromSecret('some-guest-secret-value')).toBe(id);
    expect(uuidFromSecret('another-guest-secret')).not.toBe(id);
  });
});
