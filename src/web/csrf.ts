import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { cookieOptions, CSRF_COOKIE, randomSecret, readCookie } from './session.ts';

export const CSRF_FIELD = '_csrf';

export const csrfFailed = () =>
  new AppError('csrf_failed', 'forbidden', 'This form could not be verified as coming from this shop. Reload the page and try again.');

/**
 * The token a private page puts in its forms: the double-submit secret from the `bz_csrf`
 * cookie (set here when the visitor has none yet).
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing) return existing;
  const token = randomSecret();
  reply.setCookie(CSRF_COOKIE, token, cookieOptions(request));
  // Later forms in the same response reuse it.
  request.cookies[CSRF_COOKIE] = token;
  return token;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * preHandler of every state-changing form. A browser says where a request comes from: with
 * Fetch Metadata (`Sec-Fetch-Site`) it must be `same-origin`; else an `Origin` header must be
 * this shop's. A browser that sends neither must echo the double-submit token. A token that
 * is sent is always checked. Together with SameSite=Lax cookies this refuses every
 * cross-site form post, also from forms on shared-cached pages, which cannot carry a token.
 */
export async function verifyCsrf(request: FastifyRequest): Promise<void> {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined;
  const cookie = readCookie(request, CSRF_COOKIE);
  if (sent !== undefined && !(cookie && sameToken(sent, cookie))) throw csrfFailed();
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site !== 'same-origin') throw csrfFailed();
    return;
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    if (origin !== ownOrigin(request)) throw csrfFailed();
    return;
  }
  if (sent === undefined) throw csrfFailed();
}
