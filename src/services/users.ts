import { checkListRequest } from '../scim/list-check.js';
import type { ListRequest } from '../scim/list-request.js';
import { applyPatch } from '../scim/patch/apply-patch.js';
import type { ResourceDoc } from '../scim/resource-doc.js';
import { checkIfMatch } from '../scim/resources/preconditions.js';
import { checkResourceSize } from '../scim/resources/resource-size.js';
import type { ScimJson } from '../scim/resources/to-scim.js';
import { parseResource } from '../scim/schema/coerce.js';
import { userResourceType } from '../scim/schema/resource-types.js';
import { invalidValue, mutability, uniqueness } from '../scim/scim-error.js';
import { wasReadInNoTeam } from '../store/membership-hint.js';
import type { Store, StoreOps, UserRecord } from '../store/store.js';
import { UniqueViolation } from '../store/store-errors.js';
import type { Audit, Done, Operator } from './audit.js';
import { eventContext, memberEvent, userChangeType, userEvent } from './directory-events.js';
import { uuidv7 } from './ids.js';
import { type ChunkedPage, listSummary, readInChunks } from './list-page.js';
import { orgNotFound } from './org-not-found.js';
import type { ProvisioningLog } from './provisioning-log.js';
import { retryOnConcurrentUpdate } from './retry.js';
import { renderUser, renderUsers } from './user-render.js';
import {
  changedKeys,
  describeChange,
  describeUser,
  identity,
  mapUnique,
  pickLinkable,
  userNotFound,
  withDefaults,
  workEmails,
} from './user-rules.js';

/**
 * SCIM Users: every write runs in one transaction together with its provisioning-log entry and
 * its directory event, so a request applies whole or not at all.
 */
export class Users {
  constructor(
    private readonly store: Store,
    private readonly log: ProvisioningLog,
    private readonly clock: () => number,
  ) {}

  /** RFC 7644 §3.3, plus linking of users that exist outside SCIM (SPEC "Existing accounts"). */
  async create(audit: Audit, body: unknown): Promise<Done<ScimJson>> {
    const doc = withDefaults(parseResource(userResourceType, body));
    checkResourceSize('User', doc);
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const now = this.clock();
        const incoming = identity(doc);
        const candidates = await tx.findUsersByUserNameOrWorkEmail(audit.org.id, incoming.userName, workEmails(doc));
        const linkable = pickLinkable(candidates, incoming);
        if (linkable) {
          const linked: UserRecord = {
            ...linkable,
            ...incoming,
            scimManaged: true,
            doc,
            version: linkable.version + 1,
            updatedAt: now,
            deletedAt: null,
          };
          // The incoming externalId may already be another user's: 409, like any clash.
          await this.write(tx, linked, linkable);
          const was = linkable.deletedAt
            ? `account the IdP deleted at ${new Date(linkable.deletedAt).toISOString()} and the organization retained`
            : 'existing user (invited outside SCIM)';
          const summary = `linked ${was} ${describeUser(linked)}`;
          // A retained account was inactive: taking it back reactivates it. An invited one was
          // active already: the link is an update (both say `linked: true`).
          await tx.events.append(
            userEvent(eventContext(audit, now), userChangeType(linkable.active, linked.active), linked, {
              changed: changedKeys(linkable.doc, doc),
              linked: true,
            }),
          );
          const change = await this.log.recordInTransaction(
            tx,
            audit,
            { resourceType: 'User', resourceId: linked.id, summary, ...subjectOf(linked) },
            201,
          );
          return { result: await renderUser(audit, linked, tx), change };
        }
        const user: UserRecord = {
          orgId: audit.org.id,
          id: uuidv7(now),
          ...incoming,
          scimManaged: true,
          doc,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await this.insert(tx, user);
        await tx.events.append(userEvent(eventContext(audit, now), 'user.created', user));
        const change = await this.log.recordInTransaction(
          tx,
          audit,
          { resourceType: 'User', resourceId: user.id, summary: `created ${describeUser(user)}`, ...subjectOf(user) },
          201,
        );
        // Inserted just now: no team can hold it yet, so no read of its groups.
        return { result: await renderUser(audit, user, tx, { inNoTeam: true }), change };
      }),
    );
  }

  async get(audit: Audit, id: string): Promise<Done<ScimJson>> {
    const user = await this.store.getUser(audit.org.id, id);
    if (!user) throw userNotFound(id);
    const change = { resourceType: 'User', resourceId: id, summary: null, logged: false } as const;
    return { result: await renderUser(audit, user, this.store), change };
  }

  /**
   * RFC 7644 §3.4.2; the filter is compiled to SQL by the store, never applied in memory. The page
   * comes in chunks, each rendered with its users' `groups` in one query, so a page of large users
   * is never in memory whole; the caller pulls the chunks as it writes them out.
   */
  async list(audit: Audit, query: ListRequest): Promise<Done<ChunkedPage<ScimJson>>> {
    const page = await readInChunks(checkListRequest(userResourceType, query), async (chunk) => {
      const rows = await this.store.listUsers(audit.org.id, chunk);
      const items = await renderUsers(audit, rows.items, this.store);
      return { total: rows.total, items, ...(rows.docChars !== undefined ? { docChars: rows.docChars } : {}) };
    });
    const summary = listSummary(page.total, page.planned);
    return { result: page, change: { resourceType: 'User', resourceId: null, summary, logged: false } };
  }

  /** RFC 7644 §3.5.1: PUT replaces every client-controlled attribute, except an omitted `active`. */
  async replace(audit: Audit, id: string, body: unknown, ifMatch?: string): Promise<Done<ScimJson>> {
    const parsed = parseResource(userResourceType, body);
    // A deliberate deviation from RFC 7644 §3.5.1, which clears or defaults what a PUT omits: an
    // unassigned `active` reads as true, so a PUT without it (a client that does not map
    // `active`) would silently re-enable a user the IdP deprovisioned, which SPEC
    // "Deprovisioning" forbids. The current value stays until a client states another one.
    return this.update(audit, id, ifMatch, (current) => ({
      doc: withDefaults(parsed.active === undefined ? { ...parsed, active: current.active } : parsed),
    }));
  }

  /** RFC 7644 §3.5.2, in every dialect the core understands. */
  async patch(audit: Audit, id: string, body: unknown, ifMatch?: string): Promise<Done<ScimJson>> {
    return this.update(audit, id, ifMatch, (current) => {
      const result = applyPatch(userResourceType, current.doc, body);
      // Unassigned `active` reads as true, so removing it would silently reactivate a
      // deprovisioned user. No IdP means that; make the client say true or false.
      if (result.doc.active === undefined && current.doc.active !== undefined) {
        throw mutability('"active" cannot be removed; replace it with true or false', 'user.removeActive');
      }
      return { doc: withDefaults(result.doc) };
    });
  }

  /**
   * RFC 7644 §3.6: the SCIM resource is gone either way (404 on its id, absent from every list,
   * out of uniqueness). The organization's setting says what happens to the account behind it:
   * `retain` keeps it deactivated and unlinked, for a later create of the same person to link
   * back; `erase` removes it. Its team memberships end in both cases, each with its event: a
   * deleted user holds no team.
   */
  async delete(audit: Audit, id: string, ifMatch?: string): Promise<Done<undefined>> {
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const user = await tx.getUser(audit.org.id, id, { lock: true });
        if (!user) throw userNotFound(id);
        checkIfMatch('User', user.version, ifMatch);
        const now = this.clock();
        const mode = audit.org.deleteMode;
        const teams = await tx.removeUserFromTeams(audit.org.id, id, now);
        const ctx = eventContext(audit, now);
        const refs = await tx.events.refs(audit.org.id, [], teams);
        const member = { type: 'user', id, userName: user.userName } as const;
        for (const teamId of teams) {
          const team = refs.teams.get(teamId);
          if (team) await tx.events.append(memberEvent(ctx, 'team.member_removed', { id: teamId, ...team }, member));
        }
        const left = teams.length > 0 ? `; left ${teams.length} team(s)` : '';
        let summary: string;
        if (mode === 'erase') {
          await tx.deleteUser(audit.org.id, id);
          summary = `deleted by the IdP, account erased (organization setting: erase) ${describeUser(user)}${left}`;
          const erased: UserRecord = { ...user, active: false, updatedAt: now, deletedAt: now };
          await tx.events.append(userEvent(ctx, 'user.deleted', erased, { account: 'erased' }));
        } else {
          // Unlinked: the externalId is released for another user and the IdP no longer manages
          // the account; the document keeps what the IdP last sent, for support.
          const retained: UserRecord = {
            ...user,
            active: false,
            externalId: null,
            scimManaged: false,
            doc: { ...user.doc, active: false },
            version: user.version + 1,
            updatedAt: now,
            deletedAt: now,
          };
          await this.write(tx, retained, user);
          summary = `deleted by the IdP, account retained deactivated and unlinked (organization setting: retain) ${describeUser(user)}${left}`;
          await tx.events.append(
            userEvent(ctx, 'user.deleted', retained, {
              account: 'retained',
              previousExternalId: user.externalId,
            }),
          );
        }
        const change = await this.log.recordInTransaction(
          tx,
          audit,
          { resourceType: 'User', resourceId: id, summary, ...subjectOf(user) },
          204,
        );
        return { result: undefined, change };
      }),
    );
  }

  /** A user who reached Parallel outside SCIM (invitation, SSO): linkable by a later create. */
  async invite(
    orgId: string,
    input: { email: string; givenName?: string; familyName?: string },
    by: Operator = { kind: 'cli' },
    options: { readonly requestId?: string } = {},
  ): Promise<UserRecord> {
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalidValue(`"${input.email}" is not an e-mail address`, 'user.email');
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    const name: Record<string, string> = {};
    if (input.givenName) name.givenName = input.givenName;
    if (input.familyName) name.familyName = input.familyName;
    const doc: ResourceDoc = {
      userName: email,
      ...(Object.keys(name).length > 0 ? { name } : {}),
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    };
    const now = this.clock();
    const user: UserRecord = {
      orgId,
      id: uuidv7(now),
      userName: email,
      externalId: null,
      active: true,
      scimManaged: false,
      doc,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.store.transaction(async (tx) => {
        await tx.insertUser(user);
        await tx.events.append(
          userEvent({ orgId, actor: by, requestId: options.requestId ?? null, at: now }, 'user.created', user),
        );
      });
    } catch (error) {
      if (error instanceof UniqueViolation) {
        throw uniqueness(`The organization already has a user with userName ${email}`, 'user.userNameTaken');
      }
      throw error;
    }
    return user;
  }

  /**
   * The console's list: `limit` users newest first, after the user `after` (the last of the page
   * before), and the id the next page starts after, if there is one. Keyset pages and no count, so
   * a page costs the same at any depth of an organization of any size.
   */
  async pageForAdmin(
    orgId: string,
    options: { after?: string; limit: number },
  ): Promise<{ items: UserRecord[]; next: string | undefined }> {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    const found = await this.store.newestUsers(orgId, {
      ...(options.after !== undefined ? { afterId: options.after } : {}),
      limit: options.limit + 1,
    });
    const items = found.slice(0, options.limit);
    return { items, next: found.length > options.limit ? items.at(-1)?.id : undefined };
  }

  /** Users of an organization for support (CLI), newest first, with their count. */
  async listForAdmin(orgId: string, options: { offset?: number; limit?: number } = {}) {
    const org = await this.store.getOrg(orgId);
    if (!org) throw orgNotFound(orgId);
    return this.store.listUsers(orgId, {
      withDeleted: true,
      sortOrder: 'descending',
      offset: options.offset ?? 0,
      limit: options.limit ?? 100,
    });
  }

  private async update(
    audit: Audit,
    id: string,
    ifMatch: string | undefined,
    edit: (current: UserRecord) => { doc: ResourceDoc },
  ): Promise<Done<ScimJson>> {
    return retryOnConcurrentUpdate(() =>
      this.store.transaction(async (tx) => {
        const current = await tx.getUser(audit.org.id, id, { lock: true });
        if (!current) throw userNotFound(id);
        checkIfMatch('User', current.version, ifMatch);
        const { doc } = edit(current);
        checkResourceSize('User', doc, current.doc);
        const changed = changedKeys(current.doc, doc);
        if (changed.length === 0) {
          const change = await this.log.recordInTransaction(
            tx,
            audit,
            { resourceType: 'User', resourceId: id, summary: 'no change', ...subjectOf(current) },
            200,
          );
          return { result: await renderUser(audit, current, tx), change };
        }
        const now = this.clock();
        const next: UserRecord = {
          ...current,
          ...identity(doc),
          doc,
          version: current.version + 1,
          updatedAt: now,
        };
        await this.write(tx, next, current);
        const summary = describeChange(current, next, changed);
        const type = userChangeType(current.active, next.active);
        await tx.events.append(userEvent(eventContext(audit, now), type, next, { changed }));
        const change = await this.log.recordInTransaction(
          tx,
          audit,
          { resourceType: 'User', resourceId: id, summary, ...subjectOf(next) },
          200,
        );
        // The teams of a user change only through Groups, and this transaction holds the user:
        // the read's probe (store/membership-hint.ts) still tells whether it is in any.
        return { result: await renderUser(audit, next, tx, { inNoTeam: wasReadInNoTeam(current) }), change };
      }),
    );
  }

  private async insert(tx: StoreOps, user: UserRecord): Promise<void> {
    try {
      await tx.insertUser(user);
    } catch (error) {
      throw mapUnique(error, user);
    }
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

/** Who a user's log entry is about, as stored: support searches the log by either. */
const subjectOf = (user: UserRecord) => ({ name: user.userName, externalId: user.externalId });
