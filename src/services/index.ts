import type { Store } from '../store/store.js';
import { Operations } from './operations.js';
import { Organizations } from './organizations.js';
import { ProvisioningLog } from './provisioning-log.js';
import { RootSearch } from './search.js';
import { Teams } from './teams.js';
import { Tokens } from './tokens.js';
import { Users } from './users.js';

/** The use cases HTTP, the console and the CLI share: one set per process, over one store. */
export interface Services {
  readonly operations: Operations;
  readonly organizations: Organizations;
  readonly tokens: Tokens;
  readonly log: ProvisioningLog;
  readonly users: Users;
  readonly teams: Teams;
  readonly rootSearch: RootSearch;
}

export function createServices(store: Store, clock: () => number = Date.now): Services {
  const log = new ProvisioningLog(store, clock);
  const users = new Users(store, log, clock);
  const teams = new Teams(store, log, clock);
  return {
    operations: new Operations(store),
    organizations: new Organizations(store, clock),
    tokens: new Tokens(store, clock),
    log,
    users,
    teams,
    rootSearch: new RootSearch(store, users, teams),
  };
}

export { ScimError } from '../scim/scim-error.js';
// The records use cases return, as support's tools print them.
export {
  type DeleteMode,
  type LogRecord,
  type MemberRecord,
  memberIdOf,
  type OrgRecord,
  type TeamRecord,
  type TokenRecord,
  type UserRecord,
  type UserTeamRecord,
} from '../store/store.js';
// A DATABASE_URL that names no database the service can open.
// The database could not serve (timeouts, outage): every use case may throw it; callers answer 503.
export { DatabaseUrlError, StoreUnavailable, type UnavailableReason } from '../store/store-errors.js';
export type { Actor, Audit, Change, Done } from './audit.js';
export type { RateLimiter, RateLimitOptions } from './operations.js';
export { parseDeleteMode } from './organizations.js';
export type { LogSubject } from './provisioning-log.js';
export type { GroupView } from './teams.js';
export { parseDuration, TOKEN_PREFIX } from './tokens.js';
