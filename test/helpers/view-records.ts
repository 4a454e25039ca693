import type { OrgRecord } from '../../src/services/index.js';

/*
 * What the view tests share: an organization, hostile text an IdP admin could send, and markup
 * as a browser reads it (the html tag writes `/`, `=` and `&` in text and attributes as entities).
 */

export const TEST_ORG: OrgRecord = {
  id: '01900000-0000-7000-8000-000000000001',
  name: 'Contoso',
  scimEnabled: true,
  deleteMode: 'retain',
  createdAt: 0,
  updatedAt: 0,
};

export const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202e';

export const readable = (markup: { toString(): string }): string =>
  markup
    .toString()
    .replace(/&#x2F;/g, '/')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');

/**
 * No markup from HOSTILE survived, and its bidi override is shown, not obeyed, in the page's text
 * (a search field keeps what support typed, so that searching again searches the same).
 */
export function assertInert(markup: { toString(): string }, assert: typeof import('node:assert/strict')): void {
  const text = markup.toString();
  assert.doesNotMatch(text, /<script|<img/);
  assert.match(text, /&lt;script&gt;/);
  assert.doesNotMatch(text.replace(/ value="[^"]*"/g, ''), /\u202e/);
}
