/*
 * What each error code of the provisioning log means, in words support can pass on: the one place
 * the console's health and log pages and `org health` take them from. The README's symptom table
 * ("Debugging a customer's sync") says the same per code; error-causes.test.ts fails when a code
 * is in one and not the other, so a new code is explained in both or in neither.
 */

/** A plain-language reading of one or more error codes. */
export interface ErrorCause {
  /**
   * Log `error_code` values this explains, exact (`user.userNameTaken`) or a family ending in `.*`
   * (`filter.*`: any code of the filter parser), which an exact entry overrides.
   */
  readonly codes: readonly string[];
  /** Why it happens, as a customer's admin would understand it. */
  readonly cause: string;
  /** What support or the customer does about it. */
  readonly remedy: string;
}

export const ERROR_CAUSES: readonly ErrorCause[] = [
  {
    codes: ['auth.revoked', 'auth.expired'],
    cause: 'The IdP is still sending a token that was revoked or has expired.',
    remedy: "Issue a new token (or a setup link) and have the customer paste it into the IdP's provisioning settings.",
  },
  {
    codes: ['auth.invalid', 'auth.missing', 'auth.scheme'],
    cause:
      'The IdP sent no token, a malformed Authorization header, or a token this service never issued (often one from another environment).',
    remedy: 'Check the Tenant URL and token in the IdP; issue a new token if in doubt.',
  },
  {
    codes: ['auth.scimDisabled'],
    cause: "The organization's plan has SCIM switched off, so every request is refused.",
    remedy: 'Switch SCIM on for the organization (org set ID --scim on) if its plan includes it.',
  },
  {
    codes: ['user.userNameTaken'],
    cause:
      'Another user of the organization already holds this userName (ignoring case); the IdP shows the user as skipped.',
    remedy:
      "Find the other user (user find NAME): if it is a stale account, unlink it (the IdP's next create links that account, same id) or erase it (the name is free for another person), then let the IdP retry. Deactivating does not free the name.",
  },
  {
    codes: ['user.userNameFoldCollision'],
    cause:
      'Two users had userNames that became equal under full Unicode case folding (migration 0005); this one lost its userName.',
    remedy: 'Decide with the customer which account is the person; erase or rename the other in the IdP.',
  },
  {
    codes: ['user.externalIdTaken', 'group.externalIdTaken'],
    cause: 'Another user or group of the organization is already linked to this externalId.',
    remedy:
      'Find the resource holding the externalId; unlink or erase it if it is a leftover of an earlier connection.',
  },
  {
    codes: ['user.emailLinked'],
    cause: 'A user invited with the same work e-mail is already linked to another externalId in the IdP.',
    remedy: 'Unlink the existing user if the IdP re-created the person, or fix the duplicate in the IdP.',
  },
  {
    codes: ['user.notFound', 'group.notFound'],
    cause:
      'The IdP addressed a user or group by an id this organization does not have (deleted here, or never created).',
    remedy: 'Usually harmless; if it repeats, restart provisioning for that user or group in the IdP.',
  },
  {
    codes: ['group.unknownMember'],
    cause: 'A group lists a member that was not provisioned yet, so the membership cannot be stored.',
    remedy: 'Assign the user or group to the app in the IdP; the next cycle adds the member.',
  },
  {
    codes: ['group.memberCycle', 'group.nestingTooDeep'],
    cause: "The IdP's group nesting has a cycle, or is deeper than 16 levels (the detail names the groups).",
    remedy: 'Fix the nesting in the IdP, or stop assigning the nested group to the app.',
  },
  {
    codes: ['rate.limited'],
    cause: 'The token used up its request budget (RATE_LIMIT_REQUESTS); the IdP backs off and retries.',
    remedy: 'Nothing while it recovers; raise the budget if it lasts through whole sync cycles.',
  },
  {
    codes: ['tenant.queueFull', 'tenant.waitTimeout'],
    cause: 'The organization sent more requests at once than this service runs and queues for one organization.',
    remedy: 'Nothing while the IdP retries after Retry-After; raise TENANT_CONCURRENCY or TENANT_QUEUE if it lasts.',
  },
  {
    codes: ['db.statementTimeout', 'db.poolTimeout', 'db.connection', 'db.busy'],
    cause: 'The database was slow, saturated or down; nothing was written and the IdP retries.',
    remedy: 'Check the database and the service log (scim_errors_total); the request needs no action of its own.',
  },
  {
    codes: ['internal'],
    cause: 'The service failed unexpectedly; the IdP saw a 500 with this request id.',
    remedy: 'Look up the request id in the service log and report it to the team that runs the service.',
  },
  {
    codes: ['value.tooManyValues', 'resource.tooLarge', 'patch.tooExpensive'],
    cause: 'The request crossed one of the size limits of docs/security.md; the detail names it.',
    remedy: 'Trim the attribute in the IdP (e.g. fewer e-mails or a shorter value), or split the change.',
  },
  {
    codes: ['value.*', 'user.userNameRequired', 'group.displayNameRequired', 'group.memberType', 'user.removeActive'],
    cause: 'An attribute the IdP sent has the wrong type or format, or a required one is missing.',
    remedy: "Fix the attribute mapping in the IdP's provisioning settings; the detail names the attribute.",
  },
  {
    codes: ['filter.*', 'list.*'],
    cause: 'The IdP asked for a list with a filter or sort this service cannot evaluate.',
    remedy:
      "Check the IdP's matching attribute (userName or externalId are supported); the detail shows where it failed.",
  },
  {
    codes: ['patch.*', 'path.*'],
    cause: 'A PATCH had an operation or path that cannot apply to this resource.',
    remedy: 'Check the attribute mapping for the attribute in the detail; an IdP retries the next cycle.',
  },
  {
    codes: ['request.*', 'http.*', 'resource.notObject', 'search.body'],
    cause: 'The request itself was malformed (body, content type, URL or method).',
    remedy:
      'Check the Tenant URL ends in /scim/v2 and that the client is a SCIM client; the detail says what was wrong.',
  },
];

const EXACT = new Map<string, ErrorCause>();
const FAMILIES = new Map<string, ErrorCause>();
for (const entry of ERROR_CAUSES) {
  for (const code of entry.codes) {
    const target = code.endsWith('.*') ? FAMILIES : EXACT;
    const key = code.endsWith('.*') ? code.slice(0, -1) : code;
    if (target.has(key)) throw new Error(`error-causes.ts: ${code} is explained twice`);
    target.set(key, entry);
  }
}

/**
 * The cause of a log entry's error code: the exact entry, else its family's (the code up to and
 * including its first dot), else undefined (a code no entry explains yet).
 */
export function causeOf(code: string | null | undefined): ErrorCause | undefined {
  if (code === null || code === undefined) return undefined;
  const exact = EXACT.get(code);
  if (exact !== undefined) return exact;
  const dot = code.indexOf('.');
  return dot < 0 ? undefined : FAMILIES.get(code.slice(0, dot + 1));
}
