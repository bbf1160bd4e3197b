import { constants as zlib } from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { assets, registerAssetRoutes } from './assets.ts';
import { Web } from './context.ts';
import { webContentSecurityPolicy } from './csp.ts';
import { notFoundError, sendErrorPage, wantsHtml } from './errors.tsx';
import { registerAccountPages } from './pages/account.page.tsx';
import { registerCartPages } from './pages/cart.page.tsx';
import { registerCategoryPage } from './pages/category.page.tsx';
import { registerCheckoutPages } from './pages/checkout.page.tsx';
import { registerNotificationsPage } from './pages/notifications.page.tsx';
import { registerOrderPages } from './pages/orders.page.tsx';
import { registerHomePage } from './pages/home.page.tsx';
import { registerMeApi } from './pages/me.api.ts';
import { registerProductPage } from './pages/product.page.tsx';
import { registerSearchPage } from './pages/search.page.tsx';

export { cachedPage, type CachePolicy, type PageResult } from './cache.ts';
export { assets } from './assets.ts';

/** A page module: registers its routes on the web layer's Fastify scope. */
export type WebPages = (app: FastifyInstance, web: Web) => void;

const STOREFRONT: WebPages[] = [
  registerHomePage,
  registerSearchPage,
  registerCategoryPage,
  registerProductPage,
  registerCartPages,
  registerAccountPages,
  registerCheckoutPages,
  registerOrderPages,
  registerNotificationsPage,
  registerMeApi,
];

/** A form body is small; anything bigger is not one of ours. */
const FORM_BODY_LIMIT = 16 * 1024;

/**
 * The server-rendered storefront, in its own Fastify scope: cookies, form bodies and
 * compression apply to its routes only, never to the JSON API. `extraPages` lets another
 * surface (the admin console) share the same scope, session and error pages.
 */
export function webPlugin(ctx: AppContext, extraPages: WebPages[] = []) {
  const web = new Web(ctx);
  return async (app: FastifyInstance) => {
    // Pages, not API: they stay out of the OpenAPI document (and out of the API's fuzzing).
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
    await app.register(compress, { threshold: 1024, encodings: ['br', 'gzip'], brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } } });
    app.setErrorHandler((error, request, reply) => sendErrorPage(web, request, reply, error));
    // The API's helmet CSP loads nothing at all; pages load the shop's own assets.
    const csp = webContentSecurityPolicy(ctx.config);
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', csp);
    });
    registerAssetRoutes(app, assets());
    for (const pages of [...STOREFRONT, ...extraPages]) pages(app, web);
    app.addHook('onClose', async () => {
      await ctx.services.analytics.flush();
    });
  };
}

/** The HTML 404 for an unknown URL asked for by a browser; undefined leaves it to the API's JSON 404. */
export function htmlNotFound(ctx: AppContext) {
  const web = new Web(ctx);
  return (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined =>
    wantsHtml(request) ? sendErrorPage(web, request, reply, notFoundError()) : undefined;
}
