import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import type { CategoryNode } from '../modules/catalog/index.ts';
import type { Principal } from '../modules/identity/index.ts';
import type { Department, Viewer } from './components/layout.tsx';
import { csrfToken } from './csrf.ts';
import { cartOwner } from './session.ts';

/** The category tree changes rarely; pages read it from memory, refreshed at most this often. */
const CATEGORY_TTL_MS = 60_000;

export interface CategoryIndex {
  roots: CategoryNode[];
  byPath: Map<string, CategoryNode>;
  byId: Map<number, CategoryNode>;
}

/** What every page handler gets: the application context plus the web layer's shared reads. */
export class Web {
  private categoryCache: { at: number; index: Promise<CategoryIndex> } | undefined;

  constructor(readonly ctx: AppContext) {}

  get services() {
    return this.ctx.services;
  }

  async categories(): Promise<CategoryIndex> {
    const now = Date.now();
    if (!this.categoryCache || now - this.categoryCache.at > CATEGORY_TTL_MS) {
      const index = this.loadCategories();
      this.categoryCache = { at: now, index };
      index.catch(() => (this.categoryCache = undefined));
    }
    return this.categoryCache.index;
  }

  /** Top-level categories for the header; an outage yields none rather than no page. */
  async departments(): Promise<Department[]> {
    try {
      return (await this.categories()).roots.map((c) => ({ name: c.name, path: c.path }));
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'departments unavailable');
      return [];
    }
  }

  /** The header's personal parts on a private page (name, cart count, a CSRF token for its forms). */
  async viewer(request: FastifyRequest, reply: FastifyReply): Promise<Viewer> {
    const principal = request.webPrincipal;
    const owner = cartOwner(request, reply, false);
    const [account, cart] = await Promise.all([
      principal ? this.services.identity.getAccount(principal.accountId) : undefined,
      owner ? this.services.cart.getCart(owner) : undefined,
    ]);
    return { name: account?.name ?? null, cartCount: cart?.itemCount ?? 0, csrf: csrfToken(request, reply) };
  }

  /** Sends a rendered private page: never stored by a shared cache. */
  async sendPrivate(reply: FastifyReply, element: JSX.Element, status = 200): Promise<FastifyReply> {
    return reply.status(status).header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(await element);
  }

  /** The signed-in principal, or a redirect to the sign-in page that comes back here. */
  requireSignedIn(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
    if (request.webPrincipal) return request.webPrincipal;
    void reply.redirect(`/sign-in?return_to=${encodeURIComponent(request.url)}`, 303);
    return undefined;
  }

  private async loadCategories(): Promise<CategoryIndex> {
    const roots = await this.services.catalog.listCategories({ mayBeStale: true });
    const byPath = new Map<string, CategoryNode>();
    const byId = new Map<number, CategoryNode>();
    const visit = (node: CategoryNode) => {
      byPath.set(node.path, node);
      byId.set(node.id, node);
      node.children.forEach(visit);
    };
    roots.forEach(visit);
    return { roots, byPath, byId };
  }
}

export const html = (element: JSX.Element) => Promise.resolve(element);
