import { notFound, type ScimError } from '../scim/scim-error.js';

/**
 * Every use case, SCIM or support's, fails with the core's ScimError: one type whose codes reach
 * the log, the CLI's exit status (404 → 3, any other → 2) and the README's symptom table.
 */
export const orgNotFound = (orgId: string): ScimError => notFound(`No organization with id ${orgId}`, ORG_NOT_FOUND);

/** Its code: the CLI adds the database it looked in to this refusal (cli/cli-context.ts). */
export const ORG_NOT_FOUND = 'org.notFound';
