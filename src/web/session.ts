import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityService, Principal } from '../modules/identity/index.ts';

/** The identity module's session token, for browsers. */
export const SESSION_COOKIE = 'bz_session';
/** A signed-out visitor's cart: a random secret whose hash names the cart. */
export const GUEST_COOKIE = 'bz_guest';
/** The double-submit CSRF secret (see csrf.ts). */
export const CSRF_COOKIE = 'bz_csrf';
/** A browsing visit, for "sessions with a product view" (30 minutes of inactivity ends it). */
export const VISIT_COOKIE = 'bz_visit';
export const VISIT_IDLE_SECONDS = 30 * 60;
const GUEST_CART_DAYS = 30;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `resolveWebSession` on private pages: the account behind the session cookie. */
    webPrincipal?: Principal;
  }
}

/** Cookies are HttpOnly and SameSite=Lax always, and Secure whenever the page came over TLS. */
export function cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export const randomSecret = () => randomBytes(24).toString('base64url');

/** A UUID derived from a secret, so a cart id never appears in a cookie and cannot be guessed from one. */
export function uuidFromSecret(secret: string): string {
  const hex = createHash('sha256').update(`guest-cart:${secret}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies?.[name];
  return typeof value === 'string' && TOKEN_PATTERN.test(value) ? value : undefined;
}

/** preHandler of private pages: resolves the session cookie (an expired or revoked one is cleared). */
export function resolveWebSession(identity: IdentityService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = request.cookies?.[SESSION_COOKIE];
    if (raw === undefined) return;
    const principal = /^bz_[A-Za-z0-9_-]{16,128}$/.test(raw) ? await identity.authenticate(raw) : undefined;
    if (principal) request.webPrincipal = principal;
    else reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
  };
}

export function startWebSession(request: FastifyRequest, reply: FastifyReply, session: { token: string; expiresAt: Date }): void {
  const seconds = Math.max(1, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(request, seconds));
}

export function endWebSession(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

/** Whose cart a request works on: the signed-in account, else the guest cart (created when `create`). */
export function cartOwner(request: FastifyRequest, reply: FastifyReply, create: boolean): { accountId: string } | undefined {
  if (request.webPrincipal) return { accountId: request.webPrincipal.accountId };
  let secret = readCookie(request, GUEST_COOKIE);
  if (!secret && create) {
    secret = randomSecret();
    reply.setCookie(GUEST_COOKIE, secret, cookieOptions(request, GUEST_CART_DAYS * 86_400));
  }
  return secret ? { accountId: uuidFromSecret(secret) } : undefined;
}

/** The guest cart's owner id, if the visitor has one (to merge it on sign-in). */
export function guestCartId(request: FastifyRequest): string | undefined {
  const secret = readCookie(request, GUEST_COOKIE);
  return secret ? uuidFromSecret(secret) : undefined;
}

export function forgetGuestCart(request: FastifyRequest, reply: FastifyReply): void {
  if (request.cookies?.[GUEST_COOKIE] !== undefined) reply.clearCookie(GUEST_COOKIE, cookieOptions(request));
}

/** The current visit id (renewing its idle timeout), started when absent. */
export function touchVisit(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, VISIT_COOKIE);
  const visit = existing ?? randomSecret();
  reply.setCookie(VISIT_COOKIE, visit, cookieOptions(request, VISIT_IDLE_SECONDS));
  return uuidFromSecret(visit);
}

/** Only same-site paths are followed after sign-in, never another host (`//evil.example`). */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}
