import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoginBody } from '../../http/routes/auth.routes.ts';
import { CsrfField, Field, FormAlert } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { csrfToken, verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, FORM_LEVEL, validateForm, type FieldErrors } from '../forms.ts';
import { resolveWebSession, safeReturnPath, startWebSession } from '../session.ts';
import { AdminLayout } from './layout.tsx';

const FIELDS = ['email', 'password'] as const;

function SignIn(props: { csrf: string; returnTo: string; values?: Record<string, string>; errors?: FieldErrors }): JSX.Element {
  return (
    <section class="panel form-narrow" aria-labelledby="admin-sign-in-title">
      <h1 id="admin-sign-in-title">Staff sign-in</h1>
      <p class="muted">For admins and sellers. Customers sign in on the <a href="/sign-in">storefront</a>.</p>
      <FormAlert errors={props.errors} />
      <form method="post" action="/admin/sign-in" novalidate data-once>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <Field name="email" label="Email" type="email" autocomplete="username" value={props.values?.email} errors={props.errors} required />
        <Field name="password" label="Password" type="password" autocomplete="current-password" errors={props.errors} required />
        <button class="primary" type="submit">
          Sign in
        </button>
      </form>
    </section>
  );
}

/** Only console paths are followed after a staff sign-in. */
const returnOf = (source: unknown) => {
  const path = safeReturnPath((source as { return_to?: unknown } | undefined)?.return_to, '/admin');
  return path === '/admin' || path.startsWith('/admin/') || path.startsWith('/admin?') ? path : '/admin';
};

export function registerAdminSignInPage(app: FastifyInstance, web: Web): void {
  const { identity } = web.services;
  const session = resolveWebSession(identity);
  const rateLimit = { max: web.ctx.config.rateLimitPerMinute, timeWindow: '1 minute' };
  const render = (request: FastifyRequest, reply: FastifyReply, props: { returnTo: string; values?: Record<string, string>; errors?: FieldErrors }, status = 200) =>
    web.sendPrivate(
      reply,
      <AdminLayout title="Staff sign-in">
        <SignIn csrf={csrfToken(request, reply)} {...props} />
      </AdminLayout>,
      status,
    );

  app.get('/admin/sign-in', { preHandler: session }, async (request, reply) => {
    const returnTo = returnOf(request.query);
    const role = request.webPrincipal?.role;
    if (role === 'admin' || role === 'seller') return reply.redirect(returnTo, 303);
    return render(request, reply, { returnTo });
  });

  app.post('/admin/sign-in', { preHandler: [verifyCsrf, session], config: { rateLimit } }, async (request, reply) => {
    const returnTo = returnOf(request.body);
    const form = validateForm(LoginBody, request.body, FIELDS);
    if (!form.ok) return render(request, reply, { returnTo, values: form.values, errors: form.errors }, 400);
    let started: { token: string; expiresAt: Date };
    try {
      started = await identity.login(form.value);
    } catch (error) {
      return render(request, reply, { returnTo, values: { email: form.value.email }, errors: errorsFromAppError(error) }, 401);
    }
    const principal = await identity.authenticate(started.token);
    if (!principal || (principal.role !== 'admin' && principal.role !== 'seller')) {
      // A customer's password was right, but the console is not theirs: no session is kept.
      if (principal) await identity.logout(principal);
      return render(request, reply, { returnTo, values: { email: form.value.email }, errors: { [FORM_LEVEL]: 'This account is not a staff account.' } }, 403);
    }
    startWebSession(request, reply, started);
    return reply.header('cache-control', 'no-store').redirect(principal.role === 'seller' && returnTo === '/admin' ? '/admin/products' : returnTo, 303);
  });
}
