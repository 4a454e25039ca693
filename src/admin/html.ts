import * as tag from 'escape-html-template-tag';

type Tag = (parts: TemplateStringsArray, ...subs: unknown[]) => tag.HtmlSafeString;
// The package's types describe its CommonJS build (where `default` is the module) while Node
// loads its ES module build (where `default` is the tag): take the tag either way.
const loaded: unknown = tag.default;
const escapeHtml = (typeof loaded === 'function' ? loaded : (loaded as { default: Tag }).default) as Tag;
const joinSafe = tag.join;
export const safe = tag.safe;

/**
 * The console's one way to write markup: every `${value}` is escaped unless it is itself an
 * `html` fragment (or `safe(...)`, kept for text this module builds). Arrays are joined; null,
 * undefined and false render as nothing, so `${cond && html`...`}` reads naturally.
 */
export type Html = tag.HtmlSafeString;

export function html(parts: TemplateStringsArray, ...subs: unknown[]): Html {
  return escapeHtml(parts, ...subs.map((s) => (s === null || s === undefined || s === false ? '' : s)));
}

/** Fragments joined by a separator (itself escaped unless a fragment). */
export function join(items: readonly (Html | string)[], separator: Html | string = ''): Html {
  // The package puts the separator in as markup: escape a string one first.
  return joinSafe([...items], typeof separator === 'string' ? html`${separator}` : separator);
}

/** An epoch-milliseconds time as support reads it (UTC, to the second), or a dash. */
export function date(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined) return html`<span class="muted">–</span>`;
  const text = new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
  return html`<time datetime="${new Date(ms).toISOString()}">${text}</time>`;
}

export type BadgeTone = 'ok' | 'warn' | 'bad' | 'muted';

/** A short state word in a coloured box: "active", "revoked", "unhealthy". */
export function badge(text: string, tone: BadgeTone): Html {
  return html`<span class="badge badge-${tone}">${text}</span>`;
}

/** A query string from named values, skipping empty ones: `?q=a&page=2`. */
export function query(values: Readonly<Record<string, string | number | undefined | null>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The console path of an organization's page or one of its sections (`log`, `users`, `teams`,
 * `health`, `webhooks`, `tokens`): every view links through this, so the paths are in one place.
 */
export function orgPath(orgId: string, section?: string): string {
  const base = `/admin/orgs/${encodeURIComponent(orgId)}`;
  return section === undefined ? base : `${base}/${section}`;
}
