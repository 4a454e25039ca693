import { type Html, html } from '../html.js';

/** Where the console's stylesheet is served (admin-routes.ts): no inline style, so the CSP forbids it. */
export const STYLESHEET_PATH = '/admin/assets/console.css';

export interface PageShell {
  readonly title: string;
  readonly body: Html;
  /** The signed-in staff member; absent on the sign-in and setup pages. */
  readonly staff?: { readonly email: string };
  /** The session's CSRF token, for the sign-out form. */
  readonly csrfToken?: string;
  /** A one-line notice from the action that redirected here ("Token revoked"). */
  readonly notice?: string;
  /** Links above the title: [label, href] from the outermost in. */
  readonly trail?: readonly (readonly [string, string])[];
}

/** The page shell every console page is rendered in. */
export function layout(page: PageShell): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} · Parallel SCIM support</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header class="top">
  <a class="brand" href="/admin">Parallel SCIM · support</a>
  ${page.staff && navigation(page.staff.email, page.csrfToken ?? '')}
</header>
<main>
  ${page.trail && page.trail.length > 0 && html`<nav class="trail" aria-label="Breadcrumbs">${page.trail.map(([label, href]) => html`<a href="${href}">${label}</a> / `)}</nav>`}
  <h1>${page.title}</h1>
  ${page.notice && html`<p class="notice" role="status">${page.notice}</p>`}
  ${page.body}
</main>
</body>
</html>
`.toString();
}

function navigation(email: string, csrfToken: string): Html {
  return html`<nav class="main-nav" aria-label="Console">
    <a href="/admin/orgs">Organizations</a>
    <a href="/admin/audit">Audit trail</a>
  </nav>
  <form class="signout" method="post" action="/admin/sign-out">
    <span class="who">${email}</span>
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <button type="submit">Sign out</button>
  </form>`;
}

/** The hidden field every console form carries (admin-routes.ts checks it on each POST). */
export const csrfField = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}">`;
