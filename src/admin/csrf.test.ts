import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { fromOwnPages } from './csrf.js';

const request = (headers: Record<string, string>) =>
  ({ headers, protocol: 'http', host: 'console.test:8080' }) as unknown as FastifyRequest;

test('Fetch Metadata decides when the browser sends it, whatever Origin says', () => {
  assert.equal(fromOwnPages(request({ 'sec-fetch-site': 'same-origin', origin: 'null' }), undefined), true);
  assert.equal(fromOwnPages(request({ 'sec-fetch-site': 'cross-site' }), undefined), false);
  assert.equal(fromOwnPages(request({ 'sec-fetch-site': 'same-site' }), undefined), false);
  assert.equal(fromOwnPages(request({ 'sec-fetch-site': 'none' }), undefined), false);
});

test('without it, Origin then Referer must name this server or PUBLIC_URL', () => {
  assert.equal(fromOwnPages(request({ origin: 'http://console.test:8080' }), undefined), true);
  assert.equal(fromOwnPages(request({ origin: 'https://scim.example.com' }), 'https://scim.example.com/base'), true);
  assert.equal(fromOwnPages(request({ origin: 'http://evil.example' }), undefined), false);
  assert.equal(fromOwnPages(request({ referer: 'http://console.test:8080/admin/orgs' }), undefined), true);
  assert.equal(fromOwnPages(request({ referer: 'http://evil.example/page' }), undefined), false);
  assert.equal(fromOwnPages(request({ referer: 'not a url' }), undefined), false);
  // `Origin: null` says nothing (a no-referrer page's own forms send it); Referer still counts.
  assert.equal(fromOwnPages(request({ origin: 'null', referer: 'http://evil.example/' }), undefined), false);
});

test('a client that sends none of them (curl) is left to the form token', () => {
  assert.equal(fromOwnPages(request({}), undefined), true);
});
