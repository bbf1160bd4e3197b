import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoginBody, RegisterBody } from '../../http/routes/auth.routes.ts';
import { CsrfField, Field, FormAlert } from '../components/form.tsx';
import { Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, validateForm, type FieldErrors } from '../forms.ts';
import { endWebSession, forgetGuestCart, guestCartId, resolveWebSession, safeReturnPath, startWebSession } from '../session.ts';

const SIGN_UP_FIELDS = ['name', 'email', 'password'] as const;
const SIGN_IN_FIELDS = ['email', 'password'] as const;

interface FormPageProps {
  values?: Record<string, string>;
  errors?: FieldErrors;
  returnTo: string;
  csrf: string;
}

function SignInForm(props: FormPageProps): JSX.Element {
  return (
    <section class="panel form-narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <FormAlert errors={props.errors} />
      <form method="post" action="/sign-in" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <Field name="email" label="Email" type="email" autocomplete="email" value={props.values?.email} errors={props.errors} required />
        <Field name="password" label="Password" type="password" autocomplete="current-password" errors={props.errors} required />
        <button class="primary" type="submit">
          Sign in
        </button>
      </form>
      <p>
        New to Bazaar? <a href={`/sign-up?return_to=${encodeURIComponent(props.returnTo)}`}>Create an account</a>
      </p>
    </section>
  );
}

function SignUpForm(props: FormPageProps): JSX.Element {
  return (
    <section class="panel form-narrow" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create your account</h1>
      <FormAlert errors={props.errors} />
      <form method="post" action="/sign-up" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <Field name="name" label="Your name" autocomplete="name" value={props.values?.name} errors={props.errors} required maxlength={200} />
        <Field name="email" label="Email" type="email" autocomplete="email" value={props.values?.email} errors={props.errors} required />
        <Field name="password" label="Password" type="password" autocomplete="new-password" hint="At least 8 characters" errors={props.errors} required />
        <button class="primary" type="submit">
          Create account
        </button>
      </form>
      <p>
        Already have an account? <a href={`/sign-in?return_to=${encodeURIComponent(props.returnTo)}`}>Sign in</a>
      </p>
    </section>
  );
}

/** After sign-in or sign-up: the session cookie, and the guest cart moved into the account's. */
async function signedIn(web: Web, request: FastifyRequest, reply: FastifyReply, session: { token: string; expiresAt: Date }, returnTo: string) {
  startWebSession(request, reply, session);
  const principal = await web.services.identity.authenticate(session.token);
  const guest = guestCartId(request);
  if (principal && guest) await web.services.cart.mergeGuestCart(guest, principal);
  forgetGuestCart(request, reply);
  return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
}

export function registerAccountPages(app: FastifyInstance, web: Web): void {
  const { identity } = web.services;
  const session = resolveWebSession(identity);
  const rateLimit = { max: web.ctx.config.rateLimitPerMinute, timeWindow: '1 minute' };
  const renderForm = async (request: FastifyRequest, reply: FastifyReply, form: typeof SignInForm, title: string, props: Omit<FormPageProps, 'csrf'>, status = 200) => {
    const viewer = await web.viewer(request, reply);
    return web.sendPrivate(
      reply,
      <Layout title={title} departments={await web.departments()} viewer={viewer} noindex>
        {form({ ...props, csrf: viewer.csrf })}
      </Layout>,
      status,
    );
  };
  const returnOf = (source: unknown) => safeReturnPath((source as { return_to?: unknown } | undefined)?.return_to);

  app.get('/sign-in', { preHandler: session }, async (request, reply) => {
    const returnTo = returnOf(request.query);
    if (request.webPrincipal) return reply.redirect(returnTo, 303);
    return renderForm(request, reply, SignInForm, 'Sign in', { returnTo });
  });

  app.post('/sign-in', { preHandler: [verifyCsrf, session], config: { rateLimit } }, async (request, reply) => {
    const returnTo = returnOf(request.body);
    const form = validateForm(LoginBody, request.body, SIGN_IN_FIELDS);
    if (!form.ok) return renderForm(request, reply, SignInForm, 'Sign in', { returnTo, values: form.values, errors: form.errors }, 400);
    try {
      return await signedIn(web, request, reply, await identity.login(form.value), returnTo);
    } catch (error) {
      const errors = errorsFromAppError(error);
      return renderForm(request, reply, SignInForm, 'Sign in', { returnTo, values: { email: form.value.email }, errors }, 401);
    }
  });

  app.get('/sign-up', { preHandler: session }, async (request, reply) => {
    const returnTo = returnOf(request.query);
    if (request.webPrincipal) return reply.redirect(returnTo, 303);
    return renderForm(request, reply, SignUpForm, 'Create your account', { returnTo });
  });

  app.post('/sign-up', { preHandler: [verifyCsrf, session], config: { rateLimit } }, async (request, reply) => {
    const returnTo = returnOf(request.body);
    const form = validateForm(RegisterBody, request.body, SIGN_UP_FIELDS);
    if (!form.ok) return renderForm(request, reply, SignUpForm, 'Create your account', { returnTo, values: form.values, errors: form.errors }, 400);
    try {
      const { token, expiresAt } = await identity.register(form.value);
      return await signedIn(web, request, reply, { token, expiresAt }, returnTo);
    } catch (error) {
      const errors = errorsFromAppError(error, { email_taken: 'email' });
      return renderForm(request, reply, SignUpForm, 'Create your account', { returnTo, values: { name: form.value.name, email: form.value.email }, errors }, 409);
    }
  });

  app.post('/sign-out', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    if (request.webPrincipal) await identity.logout(request.webPrincipal);
    endWebSession(request, reply);
    return reply.header('cache-control', 'no-store').redirect('/', 303);
  });

  app.get('/account', { preHandler: session }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const [viewer, account, addresses] = await Promise.all([web.viewer(request, reply), identity.getAccount(principal.accountId), identity.listAddresses(principal)]);
    return web.sendPrivate(
      reply,
      <Layout title="Your account" departments={await web.departments()} viewer={viewer} noindex>
        <h1>Your account</h1>
        <section class="panel">
          <p>
            <strong safe>{account.name}</strong> · <span safe>{account.email}</span>
          </p>
          <ul>
            <li>
              <a href="/orders">Your orders</a>
            </li>
            <li>
              <a href="/notifications">Notifications</a>
            </li>
            <li>
              <a href="/cart">Your cart</a>
            </li>
          </ul>
          <p class="muted" safe>{addresses.length === 1 ? '1 saved address' : `${addresses.length} saved addresses`}</p>
        </section>
      </Layout>,
    );
  });
}
