import { Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';

/** A cacheable "not found" body (no request id: it is shared); the error page proper carries one. */
export async function NotFoundBody(props: { web: Web; what: string }): Promise<string> {
  const departments = await props.web.departments();
  return (
    <Layout title="Not found" departments={departments} noindex>
      <section class="error-page" aria-labelledby="error-title">
        <h1 id="error-title" safe>{`We could not find that ${props.what}`}</h1>
        <p>It may have been removed or is no longer sold. Try searching for it.</p>
        <p>
          <a class="button" href="/">
            Back to the shop
          </a>
        </p>
      </section>
    </Layout>
  ) as string;
}
