import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_BY_KIND } from '../http/error-handler.ts';
import { AppError } from '../platform/errors.ts';
import { Layout } from './components/layout.tsx';
import type { Web } from './context.ts';

interface ErrorPageProps {
  status: number;
  title: string;
  message: string;
  requestId: string;
}

function ErrorPage(props: ErrorPageProps & { departments: { name: string; path: string }[] }): JSX.Element {
  return (
    <Layout title={props.title} departments={props.departments} noindex>
      <section class="error-page" aria-labelledby="error-title">
        <h1 id="error-title" safe>
          {props.title}
        </h1>
        <p safe>{props.message}</p>
        <p>
          <a class="button" href="/">
            Back to the shop
          </a>
        </p>
        <p class="muted">
          <span safe>{`Error ${props.status}`}</span> · request id <code safe>{props.requestId}</code>
        </p>
      </section>
    </Layout>
  );
}

const TITLES: Record<number, string> = {
  400: 'That request did not look right',
  403: 'That is not allowed',
  404: 'We could not find that page',
  429: 'Slow down a little',
  500: 'Something went wrong on our side',
  503: 'We are busy right now',
};

function describe(error: unknown): { status: number; message: string } {
  if (error instanceof AppError) {
    const status = STATUS_BY_KIND[error.kind];
    if (status >= 500) return { status, message: 'Please try again in a moment. If it keeps happening, tell us the request id below.' };
    if (status === 404) return { status, message: 'The page or product may have been moved or is no longer sold.' };
    return { status, message: error.message };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return { status: 400, message: 'Some part of the address of this page is not valid.' };
  if (fastifyError.statusCode === 429) return { status: 429, message: 'Too many requests came from you in a short time; wait a minute and try again.' };
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, message: 'The request could not be understood.' };
  }
  return { status: 500, message: 'Please try again in a moment. If it keeps happening, tell us the request id below.' };
}

/** Sends the friendly error page; 5xx are logged under the request id the page shows. */
export async function sendErrorPage(web: Web, request: FastifyRequest, reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  const { status, message } = describe(error);
  if (status >= 500) request.log.error({ err: error }, 'page failed');
  const page = (
    <ErrorPage status={status} title={TITLES[status] ?? 'Something is not right'} message={message} requestId={String(request.id)} departments={await web.departments()} />
  );
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(await page);
}

export const notFoundError = () => new AppError('page_not_found', 'not_found', 'No such page');

/** Browsers asking for a page (not the API) get HTML errors. */
export function wantsHtml(request: FastifyRequest): boolean {
  const path = request.url;
  if (path.startsWith('/v1/') || path.startsWith('/docs') || path === '/metrics') return false;
  return String(request.headers.accept ?? '').includes('text/html');
}
