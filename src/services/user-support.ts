import { foldCase } from '../scim/fold-case.js';
import { invalidValue } from '../scim/scim-error.js';
import type { OrgRecord, Store, StoreOps, UserRecord, UserTeamRecord } from '../store/store.js';
import type { Audit, Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { type EventContext, memberEvent, userEvent } from './directory-events.js';
import { uuidv7 } from './ids.js';
import { orgNotFound } from './org-not-found.js';
import type { ProvisioningLog } from './provisioning-log.js';
import { retryOnConcurrentUpdate } from './retry.js';
import type { SupportOptions } from './tokens.js';
import { describeUser, mapUnique, userNotFound } from './user-rules.js';

/** Each command and the trail action it records. */
const ACTIONS = {
  'user deactivate': 'user.deactivated',
  'user reactivate': 'user.reactivated',
  'user unlink': 'user.unlinked',
  'user erase': 'user.erased',
} as const;
type SupportCommand = keyof typeof ACTIONS;

/** Most users one `find` returns: a value is one person's, so more means a question for the log. */
export const MAX_USER_FIND = 20;

export type UserState = 'active' | 'deactivated' | 'deleted by the IdP';

/** A user as support looks at it: its state, who manages it, its teams. */
export interface UserDetail {
  readonly user: UserRecord;
  readonly state: UserState;
  /** `idp`: SCIM created or linked it, and the IdP's next sync may change it back; `parallel`: not IdP-managed. */
  readonly managedBy: 'idp' | 'parallel';
  readonly teams: readonly UserTeamRecord[];
}

/** What an action did: `changed` false when the user already was so (no event, no entry). */
export interface SupportChange {
  readonly user: UserRecord;
  readonly changed: boolean;
}

export function userState(user: UserRecord): UserState {
  if (user.deletedAt) return 'deleted by the IdP';
  return user.active ? 'active' : 'deactivated';
}

/**
 * Support's view and fixes of a user (CLI `user ...`, the console): the same rules as SCIM, the
 * same directory events with the operator as their actor, and in the same transaction as the
 * change its provisioning-log entry (so `log --resource` tells the user's whole story) and its
 * audit-trail entry.
 */
export class UserSupport {
  constructor(
    private readonly store: Store,
    private readonly log: ProvisioningLog,
    private readonly auditTrail: AuditTrail,
    private readonly clock: () => number,
  ) {}

  /** By id, accounts the IdP deleted and the organization retains included. */
  async show(orgId: string, userId: string): Promise<UserDetail> {
    await this.org(this.store, orgId);
    const user = await this.store.getUser(orgId, userId, { withDeleted: true });
    if (!user) throw userNotFound(userId);
    const teams = (await this.store.teamsOfUsers(orgId, [user.id])).get(user.id) ?? [];
    return { user, state: userState(user), managedBy: user.scimManaged ? 'idp' : 'parallel', teams };
  }

  /** By e-mail or userName (ignoring case) or externalId (exactly): index lookups, at most MAX_USER_FIND. */
  async find(orgId: string, value: string): Promise<UserRecord[]> {
    await this.org(this.store, orgId);
    const trimmed = value.trim();
    if (trimmed === '') throw invalidValue('Say what to find: an e-mail, userName or externalId', 'user.find');
    return this.store.findUsers(orgId, trimmed, MAX_USER_FIND);
  }

  /** As an IdP's `active: false`: the person can no longer sign in; the IdP's next sync may say otherwise. */
  deactivate(operator: Operator, orgId: string, userId: string, options: SupportOptions = {}): Promise<SupportChange> {
    return this.setActive(operator, orgId, userId, false, options);
  }

  reactivate(operator: Operator, orgId: string, userId: string, options: SupportOptions = {}): Promise<SupportChange> {
    return this.setActive(operator, orgId, userId, true, options);
  }

  /**
   * Releases the user's externalId and ends IdP management: the IdP's next create with the same
   * userName or work e-mail links this account (same id, same history), and the externalId is free
   * for another user. The remedy for a leftover holding a name or an externalId.
   */
  unlink(operator: Operator, orgId: string, userId: string, options: SupportOptions = {}): Promise<SupportChange> {
    return this.change(operator, orgId, userId, options, 'user unlink', async (tx, user, ctx) => {
      if (user.externalId === null && !user.scimManaged) return undefined;
      const { externalId: _released, ...doc } = user.doc;
      const next: UserRecord = {
        ...user,
        externalId: null,
        scimManaged: false,
        doc,
        version: user.version + 1,
        updatedAt: ctx.at,
      };
      await this.write(tx, next, user);
      // A retained account is already unlinked; a live one stays visible to SCIM as it was.
      if (!user.deletedAt) {
        await tx.events.append(
          userEvent(ctx, 'user.updated', next, { changed: user.externalId === null ? [] : ['externalId'] }),
        );
      }
      return {
        next,
        summary: `unlinked by support: externalId ${JSON.stringify(user.externalId)} released, no longer IdP-managed ${describeUser(next)}`,
        detail: { previousExternalId: user.externalId },
      };
    });
  }

  /**
   * Removes the account and its memberships, like a SCIM DELETE under `erase`; asks for the
   * userName as confirmation, since nothing brings the account back.
   */
  async erase(
    operator: Operator,
    orgId: string,
    userId: string,
    options: SupportOptions & { confirm: string },
  ): Promise<SupportChange> {
    return this.change(operator, orgId, userId, options, 'user erase', async (tx, user, ctx) => {
      if (foldCase(options.confirm.trim()) !== foldCase(user.userName)) {
        throw invalidValue(
          `To erase user ${user.id} and its team memberships, confirm with its userName: --confirm "${user.userName}"`,
          'user.confirm',
        );
      }
      const teams = await tx.removeUserFromTeams(orgId, user.id, ctx.at);
      const refs = await tx.events.refs(orgId, [], teams);
      const member = { type: 'user', id: user.id, userName: user.userName } as const;
      for (const teamId of teams) {
        const team = refs.teams.get(teamId);
        if (team) await tx.events.append(memberEvent(ctx, 'team.member_removed', { id: teamId, ...team }, member));
      }
      await tx.deleteUser(orgId, user.id);
      const erased: UserRecord = { ...user, active: false, updatedAt: ctx.at, deletedAt: ctx.at };
      // A retained account already had its user.deleted: the rest of Parallel knows it is gone.
      if (!user.deletedAt) await tx.events.append(userEvent(ctx, 'user.deleted', erased, { account: 'erased' }));
      const left = teams.length > 0 ? `; left ${teams.length} team(s)` : '';
      return {
        next: erased,
        summary: `erased by support ${describeUser(user)}${left}`,
        // The id says which account; its name and externalId would outlive the erasure in the trail.
        detail: { teamsLeft: teams.length },
        status: 204,
      };
    });
  }

  private setActive(
    operator: Operator,
    orgId: string,
    userId: string,
    active: boolean,
    options: SupportOptions,
  ): Promise<SupportChange> {
    const command = active ? 'user reactivate' : 'user deactivate';
    return this.change(operator, orgId, userId, options, command, async (tx, user, ctx) => {
      if (user.deletedAt) {
        if (!active) return undefined;
        throw invalidValue(
          `User ${user.id} was deleted by the IdP (the organization retains the account): the IdP's next create of the person links it back active`,
          'user.retained',
        );
      }
      if (user.active === active) return undefined;
      const next: UserRecord = {
        ...user,
        active,
        doc: { ...user.doc, active },
        version: user.version + 1,
        updatedAt: ctx.at,
      };
      await this.write(tx, next, user);
      const type = active ? 'user.reactivated' : 'user.deactivated';
      await tx.events.append(userEvent(ctx, type, next, { changed: ['active'] }));
      const managed = user.scimManaged ? ' (IdP-managed: its next sync may change it again)' : '';
      return {
        next,
        summary: `${active ? 'reactivated' : 'deactivated'} by support ${describeUser(next)}${managed}`,
        detail: { userName: user.userName },
      };
    });
  }

  /**
   * The frame of every action: one transaction, the user locked, then the action's own writes and
   * events, then its log and trail entries. `act` returns undefined when there is nothing to do.
   */
  private change(
    operator: Operator,
    orgId: string,
    userId: string,
    options: SupportOptions,
    command: SupportCommand,
    act: (
      tx: StoreOps,
      user: UserRecord,
      ctx: EventContext,
    ) => Promise<{ next: UserRecord; summary: string; detail: Record<string, unknown>; status?: number } | undefined>,
  ): Promise<SupportChange> {
    const requestId = options.requestId ?? uuidv7(this.clock());
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const org = await this.org(tx, orgId);
        const user = await tx.getUser(orgId, userId, { lock: true, withDeleted: true });
        if (!user) throw userNotFound(userId);
        const startedAt = this.clock();
        const ctx: EventContext = { orgId, actor: operator, requestId, at: startedAt };
        const done = await act(tx, user, ctx);
        if (!done) return { user, changed: false };
        const audit = supportAudit(org, operator, requestId, `${command} ${user.id}`, startedAt);
        await this.log.recordInTransaction(
          tx,
          audit,
          {
            resourceType: 'User',
            resourceId: user.id,
            summary: done.summary,
            name: user.userName,
            externalId: user.externalId,
          },
          done.status ?? 200,
        );
        await this.auditTrail.record(tx, operator, {
          action: ACTIONS[command],
          orgId,
          targetType: 'user',
          targetId: user.id,
          detail: done.detail,
          requestId,
        });
        return { user: done.next, changed: true };
      }),
    );
  }

  private async org(ops: StoreOps, orgId: string): Promise<OrgRecord> {
    const org = await ops.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return org;
  }

  /** `user` over `previous`, the record this transaction read: at its version, or ConcurrentUpdate. */
  private async write(tx: StoreOps, user: UserRecord, previous: UserRecord): Promise<void> {
    try {
      await tx.updateUser(user, previous.version, previous);
    } catch (error) {
      throw mapUnique(error, user);
    }
  }
}

/**
 * The log entry of a support action reads like a request: the method says where it came from
 * (CLI or ADMIN, never an HTTP verb), the path names the command.
 */
function supportAudit(
  org: OrgRecord,
  operator: Operator,
  requestId: string,
  command: string,
  startedAt: number,
): Audit {
  return {
    org,
    actor: operator,
    requestId,
    userAgent: null,
    origin: { method: operator.kind === 'cli' ? 'CLI' : 'ADMIN', path: command, startedAt },
    baseUrl: '',
  };
}
