import { foldCase } from '../scim/fold-case.js';
import type { ListQuery } from '../scim/list-request.js';
import { applyPatch } from '../scim/patch/apply-patch.js';
import { isEmptyMemberPlan, type MemberPlan, type MemberRef } from '../scim/patch/member-plan.js';
import { checkIfMatch } from '../scim/resources/preconditions.js';
import { isScimObject, type ResourceDoc, sameValue } from '../scim/resources/resource-doc.js';
import { checkResourceSize } from '../scim/resources/resource-size.js';
import { type ScimJson, toScimResource } from '../scim/resources/to-scim.js';
import { parseResource } from '../scim/schema/coerce.js';
import { groupResourceType } from '../scim/schema/resource-types.js';
import { invalidValue, notFound, type ScimError, uniqueness } from '../scim/scim-error.js';
import type { MemberRecord, Page, Store, StoreOps, TeamRecord } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';
import { uuidv7 } from './ids.js';
import { type ChunkedPage, listSummary, readInChunks } from './list-page.js';
import type { ProvisioningLog } from './provisioning-log.js';
import type { RequestContext } from './request-context.js';
import { retryOnConcurrentUpdate } from './retry.js';
import { ServiceError } from './service-error.js';

/** A Group as the HTTP layer renders it: the resource without members, which it pages in. */
export interface GroupView {
  readonly resource: ScimJson;
  readonly team: TeamRecord;
}

/** Members are read in pages of this size, so a 100,000-member team is never one result set. */
const MEMBER_PAGE_SIZE = 2000;
/** How many member ids a log summary names before it only counts. */
const LOGGED_IDS = 10;

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

  async create(ctx: RequestContext, body: unknown): Promise<GroupView> {
    const { doc, members } = splitMembers(parseResource(groupResourceType, body));
    checkResourceSize('Group', doc);
    ctx.outcome.resourceType = 'Group';
    return this.store.transaction(async (tx) => {
      const now = this.clock();
      const team: TeamRecord = {
        orgId: ctx.org.id,
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
      ctx.outcome.resourceId = team.id;
      await this.event(tx, team, 'team.created', now, { displayName: team.displayName, externalId: team.externalId });
      const change = await this.applyMembers(
        tx,
        ctx,
        team,
        members.length > 0 ? { add: [], remove: [], replaceAll: members } : { add: [], remove: [] },
        now,
      );
      ctx.outcome.summary = `created displayName=${JSON.stringify(team.displayName)}${team.externalId !== null ? ` externalId=${JSON.stringify(team.externalId)}` : ''}${describeMembers(change)}`;
      await this.log.recordInTransaction(tx, ctx, 201);
      return this.view(ctx, team);
    });
  }

  async get(ctx: RequestContext, id: string): Promise<GroupView> {
    ctx.outcome.resourceType = 'Group';
    ctx.outcome.resourceId = id;
    const team = await this.store.getTeam(ctx.org.id, id);
    if (!team) throw teamNotFound(id);
    return this.view(ctx, team);
  }

  /**
   * RFC 7644 §3.4.2, read in chunks like Users; each view's members are paged in by the caller
   * (`memberPages`) as it writes that group out.
   */
  async list(ctx: RequestContext, query: ListQuery): Promise<ChunkedPage<GroupView>> {
    ctx.outcome.resourceType = 'Group';
    const page = await readInChunks(query, async (chunk) => {
      const rows = await this.store.listTeams(ctx.org.id, chunk);
      const items = rows.items.map((t) => this.view(ctx, t));
      return { total: rows.total, items, ...(rows.docChars !== undefined ? { docChars: rows.docChars } : {}) };
    });
    ctx.outcome.summary = listSummary(page.total, page.planned);
    return page;
  }

  /** RFC 7644 §3.5.1: the members array, when given, is the new list, applied as a difference. */
  async replace(ctx: RequestContext, id: string, body: unknown, ifMatch?: string): Promise<GroupView> {
    const parsed = parseResource(groupResourceType, body);
    const { doc, members } = splitMembers(parsed);
    const hasMembers = Object.keys(parsed).includes('members') || hasMembersKey(body);
    const plan: MemberPlan = hasMembers
      ? members.length > 0
        ? { add: [], remove: [], replaceAll: members }
        : { add: [], remove: [], removeAll: true }
      : { add: [], remove: [] };
    return this.update(ctx, id, ifMatch, 200, () => ({ doc, members: plan }));
  }

  /**
   * RFC 7644 §3.5.2; member operations become targeted inserts and deletes. `status` is what the
   * HTTP layer will answer (204, or 200 when the client asked for attributes), for the log.
   */
  async patch(ctx: RequestContext, id: string, body: unknown, ifMatch?: string, status = 204): Promise<GroupView> {
    return this.update(ctx, id, ifMatch, status, (current) => {
      const result = applyPatch(groupResourceType, current.doc, body);
      return { doc: result.doc, members: result.members };
    });
  }

  /** A team the IdP deletes is removed; its members stay users. */
  async delete(ctx: RequestContext, id: string, ifMatch?: string): Promise<void> {
    ctx.outcome.resourceType = 'Group';
    ctx.outcome.resourceId = id;
    await this.store.transaction(async (tx) => {
      const team = await tx.getTeam(ctx.org.id, id, { lock: true });
      if (!team) throw teamNotFound(id);
      checkIfMatch('Group', team.version, ifMatch);
      await tx.deleteTeam(ctx.org.id, id);
      ctx.outcome.summary = `removed team displayName=${JSON.stringify(team.displayName)}`;
      await this.event(tx, team, 'team.deleted', this.clock(), { displayName: team.displayName });
      await this.log.recordInTransaction(tx, ctx, 204);
    });
  }

  /**
   * The members of a team as SCIM member values, one page at a time in user-id order (keyset
   * paging: each page is an indexed range read, whatever the team size).
   */
  async *memberPages(orgId: string, teamId: string, baseUrl: string): AsyncGenerator<ScimJson[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.pageMembers(orgId, teamId, after, MEMBER_PAGE_SIZE);
      if (page.length === 0) return;
      yield page.map((m) => memberJson(m, baseUrl));
      if (page.length < MEMBER_PAGE_SIZE) return;
      after = page[page.length - 1]?.userId;
    }
  }

  /** Teams of an organization for support (CLI, console). */
  async listForAdmin(orgId: string, options: { offset?: number; limit?: number } = {}): Promise<Page<TeamRecord>> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw new ServiceError('notFound', `No organization with id ${orgId}`);
    return this.store.listTeams(orgId, {
      sortOrder: 'ascending',
      sortBy: { attr: 'displayName' },
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
    if (!team) throw new ServiceError('notFound', `No team with id ${teamId} in organization ${orgId}`);
    return { team, members: await this.store.pageMembers(orgId, teamId, undefined, memberLimit) };
  }

  private async update(
    ctx: RequestContext,
    id: string,
    ifMatch: string | undefined,
    status: number,
    change: (current: TeamRecord) => { doc: ResourceDoc; members: MemberPlan },
  ): Promise<GroupView> {
    ctx.outcome.resourceType = 'Group';
    ctx.outcome.resourceId = id;
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const current = await tx.getTeam(ctx.org.id, id, { lock: true });
        if (!current) throw teamNotFound(id);
        checkIfMatch('Group', current.version, ifMatch);
        const { doc, members } = change(current);
        checkResourceSize('Group', doc, current.doc);
        const now = this.clock();
        const docChanged = !sameValue(current.doc, doc);
        const memberChange = await this.applyMembers(tx, ctx, current, members, now);
        const membersChanged = memberChange.added.length > 0 || memberChange.removed.length > 0;
        if (!docChanged && !membersChanged) {
          ctx.outcome.summary = 'no change';
          await this.log.recordInTransaction(tx, ctx, status);
          return this.view(ctx, current);
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
          await this.event(tx, next, 'team.renamed', now, { from: current.displayName, to: next.displayName });
        }
        if (next.externalId !== current.externalId) {
          parts.push(`externalId ${JSON.stringify(current.externalId)}→${JSON.stringify(next.externalId)}`);
          await this.event(tx, next, 'team.updated', now, { externalId: next.externalId });
        }
        ctx.outcome.summary = `${parts.length > 0 ? `changed ${parts.join(', ')}` : 'members'}${describeMembers(memberChange)}`;
        await this.log.recordInTransaction(tx, ctx, status);
        return this.view(ctx, next);
      }),
    );
  }

  /**
   * Runs a member plan as targeted statements. Only a full replacement reads the current list
   * (it must, to know what to remove); adds and removes name their rows.
   */
  private async applyMembers(
    tx: StoreOps,
    ctx: RequestContext,
    team: TeamRecord,
    plan: MemberPlan,
    now: number,
  ): Promise<{ added: string[]; removed: string[] }> {
    if (isEmptyMemberPlan(plan)) return { added: [], removed: [] };
    const orgId = ctx.org.id;
    const wanted = plan.replaceAll ?? plan.add;
    await this.checkMembers(tx, orgId, wanted);
    const removed: string[] = [];
    const added: string[] = [];
    if (plan.removeAll) {
      removed.push(...(await tx.removeAllMembers(orgId, team.id)));
    } else if (plan.replaceAll) {
      const keep = new Set(plan.replaceAll.map((m) => m.value));
      const current = await tx.memberIds(orgId, team.id);
      removed.push(
        ...(await tx.removeMembers(
          orgId,
          team.id,
          current.filter((u) => !keep.has(u)),
        )),
      );
    }
    if (plan.remove.length > 0) removed.push(...(await tx.removeMembers(orgId, team.id, plan.remove)));
    if (wanted.length > 0)
      added.push(
        ...(await tx.addMembers(
          orgId,
          team.id,
          wanted.map((m) => m.value),
          now,
        )),
      );
    for (const userId of added) await this.event(tx, team, 'member.added', now, { teamId: team.id, userId });
    for (const userId of removed) await this.event(tx, team, 'member.removed', now, { teamId: team.id, userId });
    return { added, removed };
  }

  /** SPEC: members must be users of the same organization; otherwise 400 and nothing changes. */
  private async checkMembers(tx: StoreOps, orgId: string, members: readonly MemberRef[]): Promise<void> {
    if (members.length === 0) return;
    const groups = members.filter((m) => m.type !== undefined && foldCase(m.type) === 'group');
    if (groups.length > 0) {
      throw invalidValue(
        `Teams contain users only; nested groups are not supported (member ${groups[0]?.value} has type "Group")`,
        'group.nestedGroup',
      );
    }
    const found = await tx.existingUserIds(
      orgId,
      members.map((m) => m.value),
    );
    const missing = [...new Set(members.map((m) => m.value).filter((id) => !found.has(id)))];
    if (missing.length > 0) {
      const shown = missing
        .slice(0, LOGGED_IDS)
        .map((id) => JSON.stringify(id))
        .join(', ');
      throw invalidValue(
        `${missing.length === 1 ? 'Member' : `${missing.length} members`} ${shown}${missing.length > LOGGED_IDS ? ', …' : ''} ${missing.length === 1 ? 'is not a user' : 'are not users'} of this organization; provision the user before adding it to a team. Nothing was changed.`,
        'group.unknownMember',
      );
    }
  }

  private async event(tx: StoreOps, team: TeamRecord, type: string, at: number, payload: Record<string, unknown>) {
    await tx.appendEvent({
      orgId: team.orgId,
      id: uuidv7(at),
      at,
      type,
      resourceId: team.id,
      payload: { id: team.id, ...payload },
    });
  }

  private view(ctx: RequestContext, team: TeamRecord): GroupView {
    return { resource: toScimResource(groupResourceType, team, ctx.baseUrl), team };
  }
}

function memberJson(m: MemberRecord, baseUrl: string): ScimJson {
  return { value: m.userId, $ref: `${baseUrl}/Users/${m.userId}`, display: m.displayName ?? m.userName, type: 'User' };
}

function splitMembers(parsed: ResourceDoc): { doc: ResourceDoc; members: MemberRef[] } {
  const { members, ...doc } = parsed;
  const list = Array.isArray(members) ? members.filter(isScimObject) : [];
  const refs = new Map<string, MemberRef>();
  for (const m of list) {
    if (typeof m.value !== 'string') continue;
    refs.set(m.value, { value: m.value, ...(typeof m.type === 'string' ? { type: m.type } : {}) });
  }
  return { doc, members: [...refs.values()] };
}

function hasMembersKey(body: unknown): boolean {
  return isScimObject(body) && Object.keys(body).some((k) => k.toLowerCase() === 'members');
}

/** Runs on every document about to be stored (create, replace, patch), so the size cap is checked here. */
function identity(doc: ResourceDoc): { displayName: string; externalId: string | null } {
  if (typeof doc.displayName !== 'string')
    throw invalidValue('Attribute "displayName" is required', 'group.displayNameRequired');
  return { displayName: doc.displayName, externalId: typeof doc.externalId === 'string' ? doc.externalId : null };
}

function teamNotFound(id: string): ScimError {
  return notFound(`No group with id "${id}" in this organization`, 'group.notFound');
}

function mapUnique(error: unknown, team: TeamRecord): unknown {
  if (!(error instanceof UniqueViolation)) return error;
  return uniqueness(
    `externalId "${team.externalId}" is already used by another group of this organization`,
    'group.externalIdTaken',
  );
}

function describeMembers(change: { added: readonly string[]; removed: readonly string[] }): string {
  if (change.added.length === 0 && change.removed.length === 0) return '';
  const ids = (list: readonly string[]) =>
    `${list.slice(0, LOGGED_IDS).join(', ')}${list.length > LOGGED_IDS ? `, … (${list.length - LOGGED_IDS} more)` : ''}`;
  const parts: string[] = [];
  if (change.added.length > 0) parts.push(`+${change.added.length} (${ids(change.added)})`);
  if (change.removed.length > 0) parts.push(`-${change.removed.length} (${ids(change.removed)})`);
  return `; members ${parts.join(' ')}`;
}
