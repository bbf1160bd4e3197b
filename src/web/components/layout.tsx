import type { Children } from '@kitajs/html';
import { assets } from '../assets.ts';
import { categoryPath } from '../format.ts';
import { CsrfField } from './form.tsx';

export interface Department {
  name: string;
  path: string;
}

/**
 * Who is looking, on private pages only. Shared-cached pages pass none: their header says
 * "Sign in" and an empty cart count, and enhance.js fills in the personal parts after load.
 */
export interface Viewer {
  name: string | null;
  cartCount: number;
  csrf: string;
}

export interface LayoutProps {
  title: string;
  description?: string;
  departments: Department[];
  query?: string;
  viewer?: Viewer;
  /** Extra scripts (asset names) beyond enhance.js. */
  scripts?: string[];
  /** Third-party scripts a page needs (a CAPTCHA provider's widget), by absolute URL. */
  externalScripts?: string[];
  /** Keeps robots out of private pages. */
  noindex?: boolean;
  children: Children;
}

function AccountLinks(props: { viewer?: Viewer }): JSX.Element {
  const v = props.viewer;
  const count = v ? String(v.cartCount) : '';
  return (
    <nav class="account-links" aria-label="Your account">
      {v?.name ? (
        <a href="/account" safe>{`Hi, ${v.name}`}</a>
      ) : (
        <a href="/sign-in" data-personal="account">
          Sign in
        </a>
      )}
      <a href="/orders">Orders</a>
      <a href="/cart">
        Cart{' '}
        <span class="cart-count" data-personal="cart-count" hidden={!v} safe>
          {count}
        </span>
        <span class="visually-hidden"> items</span>
      </a>
      {v?.name ? (
        <form method="post" action="/sign-out">
          <CsrfField token={v.csrf} />
          <button class="link-button" type="submit">
            Sign out
          </button>
        </form>
      ) : (
        ''
      )}
    </nav>
  );
}

/** The page shell: header with search, departments, main landmark, footer. */
export function Layout(props: LayoutProps): JSX.Element {
  const registry = assets();
  const scripts = ['enhance.js', ...(props.scripts ?? [])];
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${props.title} · Bazaar`}</title>
          {props.description ? <meta name="description" content={props.description} /> : ''}
          {props.noindex ? <meta name="robots" content="noindex" /> : ''}
          <link rel="stylesheet" href={registry.url('app.css')} />
          {scripts.map((name) => (
            <script type="module" src={registry.url(name)}></script>
          ))}
          {(props.externalScripts ?? []).map((src) => (
            <script src={src} async defer></script>
          ))}
        </head>
        <body data-personal={props.viewer ? 'rendered' : 'fill'}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="bar">
              <a class="logo" href="/">
                Bazaar
              </a>
              <form class="search" role="search" method="get" action="/search">
                <label for="search-q" class="visually-hidden">
                  Search products
                </label>
                <input id="search-q" name="q" type="search" value={props.query} placeholder="Search products" autocomplete="off" list="search-suggestions" data-suggest maxlength={200} />
                <datalist id="search-suggestions"></datalist>
                <button type="submit">Search</button>
              </form>
              <AccountLinks viewer={props.viewer} />
            </div>
            <nav class="departments" aria-label="Departments">
              <ul>
                {props.departments.map((d) => (
                  <li>
                    <a href={categoryPath(d)} safe>
                      {d.name}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </header>
          <main id="main">{props.children}</main>
          <footer class="site-footer">
            <p>Bazaar · an open-source shop · prices in the shop's currency, taxes included</p>
          </footer>
        </body>
      </html>
    </>
  );
}

export function Breadcrumbs(props: { trail: { name: string; href?: string }[] }): JSX.Element {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {props.trail.map((step, i) =>
          step.href && i < props.trail.length - 1 ? (
            <li>
              <a href={step.href} safe>
                {step.name}
              </a>
            </li>
          ) : (
            <li aria-current="page" safe>
              {step.name}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}
