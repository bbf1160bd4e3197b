import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/** A browser's cookie jar for app.inject: keeps what Set-Cookie says, sends it back. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** What a same-origin browser form post carries. */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

export interface WebClient {
  jar: CookieJar;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string | string[]>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The CSRF token a private page handed out (reads one page first if needed). */
  csrf(): Promise<string>;
}

export function webClient(app: FastifyInstance): WebClient {
  const jar = new CookieJar();
  const send = async (options: InjectOptions) => {
    const response = await app.inject(options);
    jar.store(response);
    return response;
  };
  const client: WebClient = {
    jar,
    get: (url, headers = {}) => send({ method: 'GET', url, headers: { accept: 'text/html', cookie: jar.header(), ...headers } }),
    post: (url, fields, headers = SAME_ORIGIN) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      return send({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), ...headers },
      });
    },
    async csrf() {
      if (!jar.cookies.has('bz_csrf')) await client.get('/cart');
      return jar.cookies.get('bz_csrf')!;
    },
  };
  return client;
}

/** Signs up through the storefront form; returns the account's email. */
export async function signUpInBrowser(client: WebClient, name = 'Web Shopper'): Promise<string> {
  const email = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const response = await client.post('/sign-up', { _csrf: await client.csrf(), name, email, password: 'correct horse battery', return_to: '/' });
  if (response.statusCode !== 303) throw new Error(`sign-up failed: ${response.statusCode} ${response.body.slice(0, 500)}`);
  return email;
}
