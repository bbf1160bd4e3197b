import type { Children } from '@kitajs/html';
import { assets } from '../assets.ts';
import { CsrfField } from '../components/form.tsx';
import type { Staff } from './access.ts';

type Section = 'dashboard' | 'orders' | 'shipments' | 'products' | 'inventory' | 'warehouses';

const SECTIONS: { id: Section; label: string; href: string; adminOnly: boolean }[] = [
  { id: 'dashboard', label: 'Dashboard', href: '/admin', adminOnly: true },
  { id: 'orders', label: 'Orders', href: '/admin/orders', adminOnly: true },
  { id: 'shipments', label: 'Shipments', href: '/admin/shipments', adminOnly: true },
  { id: 'products', label: 'Products', href: '/admin/products', adminOnly: false },
  { id: 'inventory', label: 'Low stock', href: '/admin/inventory', adminOnly: true },
  { id: 'warehouses', label: 'Warehouses', href: '/admin/warehouses', adminOnly: true },
];

/** The console's shell: its own header and navigation (by role), never the shop's search bar. */
export function AdminLayout(props: { title: string; staff?: Staff; section?: Section; children: Children }): JSX.Element {
  const registry = assets();
  const staff = props.staff;
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title safe>{`${props.title} · Bazaar admin`}</title>
          <link rel="stylesheet" href={registry.url('app.css')} />
          <link rel="stylesheet" href={registry.url('admin.css')} />
          <script type="module" src={registry.url('enhance.js')}></script>
        </head>
        <body class="admin" data-personal="rendered">
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site-header admin-header">
            <div class="bar">
              <a class="logo" href="/admin">
                Bazaar <span class="admin-badge">admin</span>
              </a>
              {staff ? (
                <nav class="admin-nav" aria-label="Console">
                  <ul>
                    {SECTIONS.filter((s) => !s.adminOnly || staff.role === 'admin').map((s) => (
                      <li>
                        <a href={s.href} aria-current={props.section === s.id ? 'page' : undefined} safe>
                          {s.label}
                        </a>
                      </li>
                    ))}
                  </ul>
                </nav>
              ) : (
                ''
              )}
              <nav class="account-links" aria-label="Your account">
                <a href="/">Storefront</a>
                {staff ? (
                  <>
                    <span safe>{`${staff.name} (${staff.role})`}</span>
                    <form method="post" action="/sign-out">
                      <CsrfField token={staff.csrf} />
                      <button class="link-button" type="submit">
                        Sign out
                      </button>
                    </form>
                  </>
                ) : (
                  ''
                )}
              </nav>
            </div>
          </header>
          <main id="main">{props.children}</main>
        </body>
      </html>
    </>
  );
}

/** A table's "next page" link; the query keeps the filters. */
export function Pager(props: { next: string | null; label?: string }): JSX.Element {
  if (!props.next) return '';
  return (
    <nav class="pager" aria-label="Pages">
      <a class="button secondary" rel="next" href={props.next} safe>
        {props.label ?? 'Next page'}
      </a>
    </nav>
  );
}
