import { checkListRequest, checkSortBy } from '../scim/list-check.js';
import type { ListRequest } from '../scim/list-request.js';
import { applyPatch } from '../scim/patch/apply-patch.js';
import { isEmptyMemberPlan, type MemberPlan } from '../scim/patch/member-plan.js';
import { type ResourceDoc, sameValue } from '../scim/resource-doc.js';
import { checkIfMatch } from '../scim/resources/preconditions.js';
import { checkResourceSize } from '../scim/resources/resource-size.js';
import { type ScimJson, toScimResource } from '../scim/resources/to-scim.js';
import { parseResource } from '../scim/schema/coerce.js';
import { groupResourceType } from '../scim/schema/resource-types.js';
import { notFound } from '../scim/scim-error.js';
import {
  type MemberRecord,
  memberIdOf,
  type Page,
  type Store,
  type StoreOps,
  type TeamRecord,
} from '../store/store.js';
import type { Audit, Done } from './audit.js';
import { eventContext, memberEvent, teamEvent } from './directory-events.js';
import { uuidv7 } from './ids.js';
import { type ChunkedPage, listSummary, readInChunks } from './list-page.js';
import { orgNotFound } from './org-not-found.js';
import type { ProvisioningLog } from './provisioning-log.js';
import { retryOnConcurrentUpdate } from './retry.js';
import { appendMemberEvents, type MemberChange, NO_MEMBER_CHANGE } from './team-events.js';
import { describeMembers, memberJson, resolveMembers } from './team-members.js';
import { checkNesting } from './team-nesting.js';
import { hasMembersKey, identity, mapUnique, splitMembers, teamNotFound } from './team-rules.js';

/** A Group as the HTTP layer renders it: the resource without members, which it pages in. */
export interface GroupView {
  readonly resource: ScimJson;
  readonly team: TeamRecord;
}

/** Members are read in pages of this size, so a 100,000-member team is never one result set. */
const MEMBER_PAGE_SIZE = 2000;

/**
 * SCIM Groups as Parallel teams. Memberships are rows: a change touches only the members it
 * names, and the whole request (team row, member rows, log entry, events) commits together.
 */
export class Teams {
  constructor(
    private readonly store: Store,
    private readonly log: ProvisioningLog,
    private readonly clock: () => number,
  ) {}

  async create(audit: Audit, body: unknown): Promise<Done<GroupView>> {
    const { doc, members } = splitMembers(parseResource(groupResourceType, body));
    checkResourceSize('Group', doc);
    return this.store.transaction(async (tx) => {
      const now = this.clock();
      const team: TeamRecord = {
        orgId: audit.org.id,
        id: uuidv7(now),
        ...identity(doc),
        doc,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await tx.insertTeam(team);
      } catch (error) {
        throw mapUnique(error, team);
      }
      const change = await this.applyMembers(
        tx,
        audit,
        team,
        members.length > 0 ? { add: [], remove: [], replaceAll: members } : { add: [], remove: [] },
        now,
      );
      const ctx = eventContext(audit, now);
      await tx.events.append(teamEvent(ctx, 'team.created', team));
      await appendMemberEvents(tx, ctx, team, change.byKind);
      const summary = `created displayName=${JSON.stringify(team.displayName)}${team.externalId !== null ? ` externalId=${JSON.stringify(team.externalId)}` : ''}${describeMembers(change)}`;
      return {
        result: this.view(audit, team),
        change: await this.log.recordInTransaction(
          tx,
          audit,
          { resourceType: 'Group', resourceId: team.id, summary, ...subjectOf(team) },
          201,
        ),
      };
    });
  }

  async get(audit: Audit, id: string): Promise<Done<GroupView>> {
    const team = await this.store.getTeam(audit.org.id, id);
    if (!team) throw teamNotFound(id);
    return {
      result: this.view(audit, team),
      change: { resourceType: 'Group', resourceId: id, summary: null, logged: false },
    };
  }

  /**
   * RFC 7644 §3.4.2, read in chunks like Users; each view's members are paged in by the caller
   * (`memberPages`) as it writes that group out.
   */
  async list(audit: Audit, query: ListRequest): Promise<Done<ChunkedPage<GroupView>>> {
    const page = await readInChunks(checkListRequest(groupResourceType, query), async (chunk) => {
      const rows = await this.store.listTeams(audit.org.id, chunk);
      const items = rows.items.map((t) => this.view(audit, t));
      return { total: rows.total, items, ...(rows.docChars !== undefined ? { docChars: rows.docChars } : {}) };
    });
    const summary = listSummary(page.total, page.planned);
    return { result: page, change: { resourceType: 'Group', resourceId: null, summary, logged: false } };
  }

  /** RFC 7644 §3.5.1: the members array, when given, is the new list, applied as a difference. */
  async replace(audit: Audit, id: string, body: unknown, ifMatch?: string): Promise<Done<GroupView>> {
    const parsed = parseResource(groupResourceType, body);
    const { doc, members } = splitMembers(parsed);
    const hasMembers = Object.keys(parsed).includes('members') || hasMembersKey(body);
    const plan: MemberPlan = hasMembers
      ? members.length > 0
        ? { add: [], remove: [], replaceAll: members }
        : { add: [], remove: [], removeAll: true }
      : { add: [], remove: [] };
    return this.update(audit, id, ifMatch, 200, () => ({ doc, members: plan }));
  }

  /**
   * RFC 7644 §3.5.2; member operations become targeted inserts and deletes. Logged as 204, a
   * Group PATCH's answer (a client asking for attributes gets the resource with 200 instead).
   */
  async patch(audit: Audit, id: string, body: unknown, ifMatch?: string): Promise<Done<GroupView>> {
    return this.update(audit, id, ifMatch, 204, (current) => {
      const result = applyPatch(groupResourceType, current.doc, body);
      return { doc: result.doc, members: result.members };
    });
  }

  /**
   * A team the IdP deletes is removed; its members stay users, and the teams it held stay teams.
   * It leaves every team that held it, each with a `team.member_removed` event; the members it
   * held get none (a consumer drops a deleted team's memberships on `team.deleted`).
   */
  async delete(audit: Audit, id: string, ifMatch?: string): Promise<Done<undefined>> {
    return this.store.transaction(async (tx) => {
      const team = await tx.getTeam(audit.org.id, id, { lock: true });
      if (!team) throw teamNotFound(id);
      checkIfMatch('Group', team.version, ifMatch);
      const now = this.clock();
      const parents = await tx.removeTeamFromParents(audit.org.id, id, now);
      const refs = await tx.events.refs(audit.org.id, [], parents);
      await tx.deleteTeam(audit.org.id, id);
      const left = parents.length > 0 ? `; left ${parents.length} team(s)` : '';
      const summary = `removed team displayName=${JSON.stringify(team.displayName)}${left}`;
      const ctx = eventContext(audit, now);
      const member = { type: 'team', id, displayName: team.displayName } as const;
      for (const parentId of parents) {
        const parent = refs.teams.get(parentId);
        if (parent)
          await tx.events.append(memberEvent(ctx, 'team.member_removed', { id: parentId, ...parent }, member));
      }
      await tx.events.append(teamEvent(ctx, 'team.deleted', team));
      const change = await this.log.recordInTransaction(
        tx,
        audit,
        { resourceType: 'Group', resourceId: id, summary, ...subjectOf(team) },
        204,
      );
      return { result: undefined, change };
    });
  }

  /**
   * The members of a team (users and nested teams) as SCIM member values, one page at a time in
   * id order (keyset paging: each page is an indexed range read, whatever the team size).
   */
  async *memberPages(orgId: string, teamId: string, baseUrl: string): AsyncGenerator<ScimJson[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.pageMembers(orgId, teamId, after, MEMBER_PAGE_SIZE);
      if (page.length === 0) return;
      yield page.map((m) => memberJson(m, baseUrl));
      if (page.length < MEMBER_PAGE_SIZE) return;
      const last = page[page.length - 1];
      after = last && memberIdOf(last);
    }
  }

  /** Teams of an organization for support (CLI, console). */
  async listForAdmin(orgId: string, options: { offset?: number; limit?: number } = {}): Promise<Page<TeamRecord>> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.listTeams(orgId, {
      sortOrder: 'ascending',
      sortBy: checkSortBy(groupResourceType, { attr: 'displayName' }),
      offset: options.offset ?? 0,
      limit: options.limit ?? 100,
    });
  }

  async showForAdmin(
    orgId: string,
    teamId: string,
    memberLimit = 100,
  ): Promise<{ team: TeamRecord; members: MemberRecord[] }> {
    const team = await this.store.getTeam(orgId, teamId);
    if (!team) throw notFound(`No team with id ${teamId} in organization ${orgId}`, 'group.notFound');
    return { team, members: await this.store.pageMembers(orgId, teamId, undefined, memberLimit) };
  }

  private async update(
    audit: Audit,
    id: string,
    ifMatch: string | undefined,
    status: number,
    edit: (current: TeamRecord) => { doc: ResourceDoc; members: MemberPlan },
  ): Promise<Done<GroupView>> {
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const current = await tx.getTeam(audit.org.id, id, { lock: true });
        if (!current) throw teamNotFound(id);
        checkIfMatch('Group', current.version, ifMatch);
        const { doc, members } = edit(current);
        checkResourceSize('Group', doc, current.doc);
        const now = this.clock();
        const docChanged = !sameValue(current.doc, doc);
        const memberChange = await this.applyMembers(tx, audit, current, members, now);
        const membersChanged = memberChange.added.length > 0 || memberChange.removed.length > 0;
        if (!docChanged && !membersChanged) {
          const change = await this.log.recordInTransaction(
            tx,
            audit,
            { resourceType: 'Group', resourceId: id, summary: 'no change', ...subjectOf(current) },
            status,
          );
          return { result: this.view(audit, current), change };
        }
        const next: TeamRecord = { ...current, ...identity(doc), doc, version: current.version + 1, updatedAt: now };
        try {
          await tx.updateTeam(next, current.version);
        } catch (error) {
          throw mapUnique(error, next);
        }
        const parts: string[] = [];
        if (next.displayName !== current.displayName) {
          parts.push(`displayName ${JSON.stringify(current.displayName)}→${JSON.stringify(next.displayName)}`);
        }
        if (next.externalId !== current.externalId) {
          parts.push(`externalId ${JSON.stringify(current.externalId)}→${JSON.stringify(next.externalId)}`);
        }
        // One team event per request: renamed when the name changed (with the new externalId, if
        // that changed too), updated for any other change of the team itself.
        const ctx = eventContext(audit, now);
        if (next.displayName !== current.displayName) {
          await tx.events.append(teamEvent(ctx, 'team.renamed', next, { previousDisplayName: current.displayName }));
        } else if (docChanged) {
          await tx.events.append(teamEvent(ctx, 'team.updated', next));
        }
        await appendMemberEvents(tx, ctx, next, memberChange.byKind);
        const summary = `${parts.length > 0 ? `changed ${parts.join(', ')}` : 'members'}${describeMembers(memberChange)}`;
        const change = await this.log.recordInTransaction(
          tx,
          audit,
          { resourceType: 'Group', resourceId: id, summary, ...subjectOf(next) },
          status,
        );
        return { result: this.view(audit, next), change };
      }),
    );
  }

  /**
   * Runs a member plan as targeted statements. Only a full replacement reads the current list
   * (it must, to know what to remove); adds and removes name their rows. A member is a user or a
   * nested team, each kind in its own table; an id removed from one is not looked for in the other.
   */
  private async applyMembers(
    tx: StoreOps,
    audit: Audit,
    team: TeamRecord,
    plan: MemberPlan,
    now: number,
  ): Promise<MemberChange> {
    if (isEmptyMemberPlan(plan)) return NO_MEMBER_CHANGE;
    const orgId = audit.org.id;
    const wanted = await resolveMembers(tx, orgId, plan.replaceAll ?? plan.add);
    await checkNesting(tx, orgId, team, wanted.teams);
    const removedUsers: string[] = [];
    const removedTeams: string[] = [];
    if (plan.removeAll) {
      removedUsers.push(...(await tx.removeAllMembers(orgId, team.id)));
      removedTeams.push(...(await tx.removeAllTeamMembers(orgId, team.id)));
    } else if (plan.replaceAll) {
      const keep = new Set(plan.replaceAll.map((m) => m.value));
      const dropped = (ids: readonly string[]) => ids.filter((id) => !keep.has(id));
      removedUsers.push(...(await tx.removeMembers(orgId, team.id, dropped(await tx.memberIds(orgId, team.id)))));
      removedTeams.push(
        ...(await tx.removeTeamMembers(orgId, team.id, dropped(await tx.teamMemberIds(orgId, team.id)))),
      );
    }
    if (plan.remove.length > 0) {
      const users = new Set(await tx.removeMembers(orgId, team.id, plan.remove));
      removedUsers.push(...users);
      const rest = plan.remove.filter((id) => !users.has(id));
      if (rest.length > 0) removedTeams.push(...(await tx.removeTeamMembers(orgId, team.id, rest)));
    }
    const addedUsers = wanted.users.length > 0 ? await tx.addMembers(orgId, team.id, wanted.users, now) : [];
    const addedTeams = wanted.teams.length > 0 ? await tx.addTeamMembers(orgId, team.id, wanted.teams, now) : [];
    return {
      added: [...addedUsers, ...addedTeams],
      removed: [...removedUsers, ...removedTeams],
      byKind: { addedUsers, addedTeams, removedUsers, removedTeams },
    };
  }

  private view(audit: Audit, team: TeamRecord): GroupView {
    return { resource: toScimResource(groupResourceType, team, audit.baseUrl), team };
  }
}

/** Who a team's log entry is about, as stored: support searches the log by either. */
const subjectOf = (team: TeamRecord) => ({ name: team.displayName, externalId: team.externalId });
