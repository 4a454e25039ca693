/**
 * Every cap the core puts on one request or one stored resource, in one place. SPEC "Fairness
 * between tenants": a token holder controls every byte we parse, so every loop over client input
 * has a known bound, and a request that crosses one is a 400 whose detail names the limit (never a
 * slow 201 or a 500). Each number is far above what Entra ID, Okta and the RFC 7644 examples send,
 * so no real IdP meets it; the figures quoted below are what those clients do.
 */

/**
 * Longest list filter or PATCH path, in characters. Entra's matching filters
 * (`externalId eq "..."`) and value paths (`emails[type eq "work"].value`) stay under 200.
 */
export const MAX_FILTER_LENGTH = 4096;

/**
 * Deepest nesting of parentheses, `not (...)` and value paths in one filter. The parser recurses
 * once per level, so this bounds its stack; no IdP nests more than two levels.
 */
export const MAX_FILTER_DEPTH = 64;

/**
 * Comparisons and `pr` tests in one filter, list filters and PATCH value paths alike. Entra and
 * Okta send one or two (`userName eq "x"`, `type eq "work" and primary eq true`); every term is
 * an SQL condition (and, in PATCH, a test per element), so the count bounds both.
 */
export const MAX_FILTER_TERMS = 50;

/**
 * Longest string literal in a filter, in characters. It equals {@link INDEXED_MAX_LENGTH}: no
 * indexed value is longer, so a longer `eq` literal could never match anything stored.
 */
export const MAX_FILTER_VALUE_LENGTH = 512;

/**
 * Longest literal of `co`, `sw` and `ew`. Substring search costs literal × value per row (SQLite
 * `instr`, LIKE, in-memory `includes` on runs of one letter); IdPs search by whole values and
 * people by a few characters.
 */
export const MAX_SUBSTRING_PATTERN_LENGTH = 256;

/** Operations in one PATCH. Entra batches at most a few dozen (one per changed attribute). */
export const MAX_PATCH_OPERATIONS = 1000;

/**
 * Units of work one PATCH may spend evaluating value filters and comparing elements: one unit is
 * one element tested against one filter term, or one element compared with (or keyed against)
 * another. The largest Entra or Okta PATCH (about 20 operations × 10 values × 3 terms, 600 units)
 * uses 12% of it; the budget is what keeps an operation count that is fine alone (1,000) and an
 * element count that is fine alone (100) from multiplying into seconds of CPU. One unit costs at
 * most about 1.5 µs (a `co` of a 256-character pattern over a 512-character value, measured on
 * the 2-core development machine), so a PATCH spends at most ~8 ms before it is refused: the
 * longest the event loop waits for it, since a PATCH is applied without a pause.
 */
export const PATCH_WORK_BUDGET = 5_000;

/**
 * Nesting of objects and arrays in any request body (the root object is level 1). The deepest
 * SCIM body, a PATCH setting an enterprise manager (`Operations[0].value[urn].manager.value`), has
 * 5 levels. Checked before anything walks the body, so no later code meets a deeper value.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Keys in one JSON object of a request body. A User has about 30 attributes and Entra's path-less
 * replace carries one key per mapped attribute, well under 50.
 */
export const MAX_OBJECT_KEYS = 1000;

/**
 * Entries of a resource's `schemas`. Entra sends at most three (core, enterprise, and its own
 * Microsoft group URN); each entry is matched against the body's keys.
 */
export const MAX_SCHEMAS = 20;

/**
 * Elements of one multi-valued attribute of a resource (`emails`, `phoneNumbers`, `addresses`,
 * ...). Entra maps one work e-mail, Okta a handful of e-mails and phones. Not Group `members`:
 * those are rows, never part of the document, and large teams are real (SPEC "Groups -> teams").
 */
export const MAX_VALUES_PER_ATTRIBUTE = 100;

/**
 * Length of `JSON.stringify` of a stored resource document. A full Entra user is about 2 KB; the
 * cap bounds what every later read, PATCH and diff of the resource costs, and leaves room for 100
 * e-mails of 500 characters.
 */
export const MAX_RESOURCE_CHARS = 65_536;

/**
 * Longest string, in characters, of attributes that are indexed (userName, externalId, e-mail
 * values, displayName): a PostgreSQL b-tree entry holds at most ~2700 bytes, and 512 characters of
 * 4 bytes each stay under it. Their case-folded twins (`_ci`) may grow to 6 bytes per character
 * (full case folding, then NFC: 3,072 bytes at worst), which PostgreSQL's index compression keeps
 * under the limit for such repetitive text (test/e2e/case-folding.test.ts stores the worst case).
 */
export const INDEXED_MAX_LENGTH = 512;

/**
 * Longest chain of teams inside teams (RFC 7643 §4.2 nested Groups), counted in nesting steps: a
 * team holding a team holding a team is 2. Membership checks and a user's indirect `groups` walk
 * the chain in SQL, one step per level, so the cap bounds every such walk however the tenant
 * shaped its graph. Departments, teams and sub-teams nest a handful of levels, far below it.
 */
export const MAX_TEAM_NESTING_DEPTH = 16;
