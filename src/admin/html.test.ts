import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badge, date, html, join, orgPath, query, safe } from './html.js';

test('substitutions are escaped; fragments, arrays and safe() are not escaped twice', () => {
  const name = '<img src=x onerror="alert(1)">';
  const out = String(html`<td title="${name}">${name}</td>${[html`<b>${'&'}</b>`, '<i>']}${safe('<hr>')}`);
  assert.equal(
    out,
    '<td title="&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt;">&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt;</td><b>&amp;</b>&lt;i&gt;<hr>',
  );
});

test('null, undefined and false render as nothing; 0 renders', () => {
  assert.equal(String(html`[${null}${undefined}${false}${0}]`), '[0]');
});

test('join escapes string items and separators', () => {
  assert.equal(String(join(['<a>', html`<b></b>`], ' & ')), '&lt;a&gt; &amp; <b></b>');
});

test('helpers: a UTC date, a badge, a query string without empty values, an organization path', () => {
  assert.match(String(date(Date.UTC(2026, 0, 2, 3, 4, 5))), />2026-01-02 03:04:05 UTC</);
  assert.match(String(date(null)), /–/);
  assert.equal(String(badge('<x>', 'bad')), '<span class="badge badge-bad">&lt;x&gt;</span>');
  assert.equal(query({ q: 'a b&c', page: 2, none: '', missing: undefined }), '?q=a+b%26c&page=2');
  assert.equal(query({}), '');
  assert.equal(orgPath('a/b', 'log'), '/admin/orgs/a%2Fb/log');
});
