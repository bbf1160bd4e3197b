import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, forbidden } from '../../platform/errors.ts';
import type { IdentityService, Principal, Role } from '../../modules/identity/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The route never looks at Authorization (sign-in, signed webhooks, probes): a stale or foreign token there is not a 401. */
    ignoreBearer?: boolean;
  }
}

const unauthenticated = () => new AppError('unauthenticated', 'unauthenticated', 'Sign in first: send Authorization: Bearer <token>');

/** Resolves the bearer token, if any; routes decide whether one is required. */
export function bearerResolver(identity: IdentityService) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header || request.routeOptions.config?.ignoreBearer) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthenticated', 'unauthenticated', 'Authorization must be "Bearer <token>"');
    const principal = await identity.authenticate(match[1]!);
    if (!principal) throw new AppError('unauthenticated', 'unauthenticated', 'The token is unknown, expired or signed out');
    request.principal = principal;
  };
}

/** preHandler: the request must come from a signed-in account (optionally of one of `roles`). */
export function requireAuth(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.principal) throw unauthenticated();
    if (roles.length > 0 && !roles.includes(request.principal.role)) throw forbidden();
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}

export const bearerSecurity = [{ bearerAuth: [] }];
