import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { teams } from './0002-teams.js';
import { rateLimits } from './0003-rate-limits.js';
import { logRetention } from './0004-log-retention.js';
import { fullCaseFolding } from './0005-full-case-folding.js';
import { primaryTriState } from './0006-primary-tri-state.js';
import { retainedUsers } from './0007-retained-users.js';
import { nestedTeams } from './0008-nested-teams.js';
import { logIdentifiers } from './0009-log-identifiers.js';
import { directoryEvents } from './0010-directory-events.js';
import { webhooks } from './0011-webhooks.js';
import { auditTrail } from './0012-audit-trail.js';
import { supportConsole } from './0013-support-console.js';
import { scaleIndexes } from './0014-scale-indexes.js';

/**
 * Static migration record: names sort in the order they apply. Never edit a migration that has
 * shipped; add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-teams': teams,
  '0003-rate-limits': rateLimits,
  '0004-log-retention': logRetention,
  '0005-full-case-folding': fullCaseFolding,
  '0006-primary-tri-state': primaryTriState,
  '0007-retained-users': retainedUsers,
  '0008-nested-teams': nestedTeams,
  '0009-log-identifiers': logIdentifiers,
  '0010-directory-events': directoryEvents,
  '0011-webhooks': webhooks,
  '0012-audit-trail': auditTrail,
  '0013-support-console': supportConsole,
  '0014-scale-indexes': scaleIndexes,
};
