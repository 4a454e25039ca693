import Type from 'typebox';
import type { OrgRecord } from '../../services/index.js';
import { badge, type Html, html, orgPath } from '../html.js';

/*
 * What the pages of an organization's sections share (log.ts, users.ts, teams.ts, health.ts):
 * the path parameters, the breadcrumbs and the section links, and how a status or an actor reads.
 */

/** Ids in paths: UUIDv7 here, but anything a person pastes is capped before it reaches a query. */
export const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });

export type Trail = readonly (readonly [string, string])[];

export const orgTrail = (org: OrgRecord, ...more: (readonly [string, string])[]): Trail => [
  ['Organizations', '/admin/orgs'],
  [org.name, orgPath(org.id)],
  ...more,
];

const SECTIONS = [
  ['log', 'Provisioning log'],
  ['users', 'Users'],
  ['teams', 'Teams'],
  ['health', 'Health'],
  ['webhooks', 'Webhooks'],
] as const;

/** The organization's sections, the current one marked for screen readers and the eye. */
export function sectionLinks(orgId: string, current?: (typeof SECTIONS)[number][0]): Html {
  return html`<nav class="links" aria-label="Organization">${SECTIONS.map(([path, label]) =>
    path === current
      ? html`<strong aria-current="page">${label}</strong>`
      : html`<a href="${orgPath(orgId, path)}">${label}</a>`,
  )}</nav>`;
}

/** 2xx ok, 4xx a warning (the IdP sent something we refused), 5xx bad (we failed). */
export function statusBadge(status: number): Html {
  return badge(String(status), status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok');
}

/** Who did something, from an event's actor or a log entry's token. */
export function actorText(actor: unknown): string {
  if (actor === null || typeof actor !== 'object') return 'unknown';
  const a = actor as { kind?: unknown; tokenId?: unknown; email?: unknown; staffId?: unknown; operator?: unknown };
  if (a.kind === 'token') return `IdP (token ${String(a.tokenId)})`;
  if (a.kind === 'staff') return `support: ${String(a.email ?? a.staffId)}`;
  if (a.kind === 'cli') return `CLI${typeof a.operator === 'string' ? `: ${a.operator}` : ''}`;
  return 'unknown';
}

/** An optional text cell: the value, or a muted dash. */
export const orDash = (value: string | null | undefined): Html | string =>
  value === null || value === undefined || value === '' ? html`<span class="muted">–</span>` : value;

// The characters cli/terminal-safe.ts shows escaped, for the same reasons: C0 and C1 controls,
// DEL, bidi embeddings, overrides, isolates and marks, line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text an IdP sent (a userName, a path, a user agent), with every control or direction-changing
 * character shown as `\uXXXX`: escaping keeps it from being markup, this keeps it from hiding or
 * reordering what support reads.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}
