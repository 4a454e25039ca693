import type { ResourceDoc } from '../scim/resource-doc.js';
import type { NewEvent, StoredEvent } from '../store/events-store.js';
import type { TeamRecord, UserRecord } from '../store/store.js';
import type { Actor, Audit } from './audit.js';
import { uuidv7 } from './ids.js';

/*
 * Directory events as the rest of Parallel reads them (docs/events.md): one versioned JSON shape
 * per type, the same from the feed, the snapshot and every webhook delivery. The use cases build
 * them here, SCIM and support's actions alike, so a change reads the same whoever made it.
 */

export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'team.created',
  'team.renamed',
  /** A change of a team that keeps its displayName (its externalId). */
  'team.updated',
  'team.deleted',
  'team.member_added',
  'team.member_removed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
export type UserEventType = Extract<EventType, `user.${string}`>;
export type TeamEventType = Extract<EventType, 'team.created' | 'team.renamed' | 'team.updated' | 'team.deleted'>;
export type MemberEventType = Extract<EventType, `team.member_${string}`>;

/**
 * The version of every type's data shape. Adding a field keeps it; removing, renaming or changing
 * the meaning of one is a new version. Events written before migration 0010 read as version 0.
 */
export const EVENT_VERSION = 1;

/** Who made a change, when, and in which request: all a builder needs, from a SCIM Audit or a support Operator. */
export interface EventContext {
  readonly orgId: string;
  readonly actor: Actor;
  readonly requestId: string | null;
  readonly at: number;
}

export const eventContext = (audit: Pick<Audit, 'org' | 'actor' | 'requestId'>, at: number): EventContext => ({
  orgId: audit.org.id,
  actor: audit.actor,
  requestId: audit.requestId,
  at,
});

/** A user as events and the snapshot show it: its canonical SCIM attributes, and Parallel's state of it. */
export interface UserData {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  /** `idp`: SCIM created or linked it; `parallel`: invited outside SCIM, or retained after a DELETE. */
  readonly managedBy: 'idp' | 'parallel';
  /** When the IdP deleted it (ISO), or null for a live user. */
  readonly deletedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly [attribute: string]: unknown;
}

export interface TeamData {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
}

/** A member as member events name it: a nested team is named, never expanded into its users. */
export type MemberData =
  | { readonly type: 'user'; readonly id: string; readonly userName: string }
  | { readonly type: 'team'; readonly id: string; readonly displayName: string };

/** What a feed, a snapshot consumer and a webhook receiver get: docs/events.md "Envelope". */
export interface DirectoryEvent {
  /** UUIDv7, stable: the webhook-id of every delivery of the event. */
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly orgId: string;
  readonly cursor: number;
  readonly occurredAt: string;
  /** Who made the change; null on events written before migration 0010. */
  readonly actor: unknown;
  readonly requestId: string | null;
  readonly data: unknown;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function userData(user: UserRecord): UserData {
  return {
    id: user.id,
    ...withoutIdentity(user.doc),
    userName: user.userName,
    externalId: user.externalId,
    active: user.active,
    managedBy: user.scimManaged ? 'idp' : 'parallel',
    deletedAt: user.deletedAt ? iso(user.deletedAt) : null,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}

function withoutIdentity(doc: ResourceDoc): Record<string, unknown> {
  const { userName: _u, externalId: _e, active: _a, ...rest } = doc;
  return rest;
}

export const teamData = (team: Pick<TeamRecord, 'id' | 'displayName' | 'externalId'>): TeamData => ({
  id: team.id,
  displayName: team.displayName,
  externalId: team.externalId,
});

/** What a user event adds to the user, when it applies. */
export interface UserEventExtra {
  /** user.updated, .deactivated, .reactivated: the canonical attribute names the change touched. */
  readonly changed?: readonly string[];
  /** A create that took over an invited or retained account instead of making a new one. */
  readonly linked?: true;
  /** user.deleted: whether the account behind it was kept (deactivated, unlinked) or erased. */
  readonly account?: 'retained' | 'erased';
  /** user.deleted with the account retained: the externalId it was linked to (now released). */
  readonly previousExternalId?: string | null;
}

/** `data`: `{ user, ...extra }`, the user as it is after the change. */
export function userEvent(
  ctx: EventContext,
  type: UserEventType,
  user: UserRecord,
  extra: UserEventExtra = {},
): NewEvent {
  return build(ctx, type, user.id, { user: userData(user), ...extra });
}

/** `data`: `{ team }`, and on team.renamed the `previousDisplayName`. */
export function teamEvent(
  ctx: EventContext,
  type: TeamEventType,
  team: Pick<TeamRecord, 'id' | 'displayName' | 'externalId'>,
  extra: { readonly previousDisplayName?: string } = {},
): NewEvent {
  return build(ctx, type, team.id, { team: teamData(team), ...extra });
}

/** `data`: `{ team, member }`; the event is about the team (its resourceId). */
export function memberEvent(ctx: EventContext, type: MemberEventType, team: TeamData, member: MemberData): NewEvent {
  return build(ctx, type, team.id, { team, member });
}

/** The user events of a change: deactivated or reactivated when `active` flips, else updated. */
export function userChangeType(wasActive: boolean, isActive: boolean): UserEventType {
  if (wasActive && !isActive) return 'user.deactivated';
  if (!wasActive && isActive) return 'user.reactivated';
  return 'user.updated';
}

function build(ctx: EventContext, type: EventType, resourceId: string, data: unknown): NewEvent {
  return {
    orgId: ctx.orgId,
    id: uuidv7(ctx.at),
    at: ctx.at,
    type,
    version: EVENT_VERSION,
    resourceId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    data,
  };
}

/** A stored event as consumers read it: the feed answers these, and webhooks deliver exactly them. */
export function toDirectoryEvent(stored: StoredEvent): DirectoryEvent {
  return {
    id: stored.id,
    type: stored.type,
    version: stored.version,
    orgId: stored.orgId,
    cursor: stored.cursor,
    occurredAt: iso(stored.at),
    actor: stored.actor ?? null,
    requestId: stored.requestId,
    data: stored.data,
  };
}
