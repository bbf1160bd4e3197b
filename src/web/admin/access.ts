import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../../modules/identity/index.ts';
import { forbidden } from '../../platform/errors.ts';
import type { Web } from '../context.ts';
import { csrfToken } from '../csrf.ts';
import { sendErrorPage } from '../errors.tsx';

/** Who is using the console: a signed-in admin or seller, with the CSRF token for the page's forms. */
export interface Staff {
  principal: Principal;
  name: string;
  role: Role;
  csrf: string;
}

export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const STAFF: readonly Role[] = ['admin', 'seller'];

/**
 * The gate of every console page and form (after `resolveWebSession`): signed out → the
 * console's sign-in, coming back here after; signed in without one of `roles` (a customer, or
 * a seller on an admin page) → 403 page. Returns undefined when it already answered.
 */
export async function requireStaff(web: Web, request: FastifyRequest, reply: FastifyReply, roles: readonly Role[] = ADMIN_ONLY): Promise<Staff | undefined> {
  const principal = request.webPrincipal;
  if (!principal) {
    const back = request.method === 'GET' ? request.url : '/admin';
    await reply.header('cache-control', 'no-store').redirect(`/admin/sign-in?return_to=${encodeURIComponent(back)}`, 303);
    return undefined;
  }
  if (!roles.includes(principal.role)) {
    await sendErrorPage(web, request, reply, forbidden(principal.role === 'seller' ? 'This part of the console is for admins.' : 'The admin console is for staff accounts.'));
    return undefined;
  }
  const account = await web.services.identity.getAccount(principal.accountId);
  return { principal, name: account.name, role: principal.role, csrf: csrfToken(request, reply) };
}

/** A query or form value as one string (the first of repeated ones), or undefined. */
export function textOf(source: unknown, key: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/** A query string of the non-empty values (for "next page" links that keep the filters). */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const PRODUCT_STATUSES = ['active', 'inactive', 'suspended'] as const;

export const shortRef = (id: string) => id.slice(-8).toUpperCase();
