import { MAX_TEAM_NESTING_DEPTH } from '../scim/limits.js';
import { invalidValue } from '../scim/scim-error.js';
import type { StoreOps, TeamPathStep, TeamRecord } from '../store/store.js';

/** Longest displayName quoted in a detail: a path of 17 teams of 512 characters would be 9 KB. */
const QUOTED_NAME = 60;

/**
 * RFC 7643 §4.2 lets a Group hold Groups; SPEC "Groups -> teams" wants no cycles. Nesting
 * `memberTeamIds` in `team` is refused with 400 invalidValue, and nothing written, when one of
 * them is the team or already holds it (`group.memberCycle`, the detail naming the cycle), or when
 * the longest chain through the new membership would pass MAX_TEAM_NESTING_DEPTH
 * (`group.nestingTooDeep`). Every new membership starts at `team`, so a chain holds at most one of
 * them and each candidate is checked against the nesting as stored.
 *
 * Runs inside the transaction that writes the memberships, after the organization's nesting lock,
 * so no concurrent change can make the answer stale before commit.
 */
export async function checkNesting(
  tx: StoreOps,
  orgId: string,
  team: TeamRecord,
  memberTeamIds: readonly string[],
): Promise<void> {
  if (memberTeamIds.length === 0) return;
  await tx.lockTeamNesting(orgId);
  const check = await tx.checkTeamNesting(orgId, team.id, memberTeamIds);
  const cycle = [...check.containing].sort((a, b) => a[1] - b[1])[0];
  if (cycle !== undefined) {
    const [memberId, steps] = cycle;
    const path = await tx.teamNestingPath(orgId, memberId, team.id, steps);
    throw cycleError(team, memberId, path);
  }
  if (check.above + 1 + check.below > MAX_TEAM_NESTING_DEPTH) {
    const one = memberTeamIds.length === 1;
    const added = one ? `team ${JSON.stringify(memberTeamIds[0])}` : `${memberTeamIds.length} teams`;
    throw invalidValue(
      `Adding ${added} to ${quote(team.displayName)} would nest teams more than ${MAX_TEAM_NESTING_DEPTH} levels deep: ${quote(team.displayName)} has ${levels(check.above)} above it, and ${one ? 'the team added has' : 'the deepest team added has'} ${levels(check.below)} below it. Nothing was changed.`,
      'group.nestingTooDeep',
    );
  }
}

/** The store walks at most the cap in each direction, so a figure at the cap is a lower bound. */
function levels(n: number): string {
  if (n >= MAX_TEAM_NESTING_DEPTH) return `${MAX_TEAM_NESTING_DEPTH} or more levels of teams`;
  return `${n} level${n === 1 ? '' : 's'} of teams`;
}

/**
 * `path` runs from the member down to the team it would join; the new membership closes it back
 * to the member, e.g. `"Eng" (id) → "Backend" (id) → "Eng" (id)`.
 */
function cycleError(team: TeamRecord, memberId: string, path: readonly TeamPathStep[]) {
  const first = path[0];
  const shown =
    first === undefined
      ? ''
      : `: ${[...path, first].map((step) => `${quote(step.displayName)} (${step.teamId})`).join(' → ')}`;
  const member = first?.displayName ?? memberId;
  const where = memberId === team.id ? 'to itself' : `to ${quote(team.displayName)}`;
  return invalidValue(
    `Adding ${quote(member)} ${where} would make a cycle${shown}. A team cannot contain itself, directly or through other teams. Nothing was changed.`,
    'group.memberCycle',
  );
}

function quote(name: string): string {
  return JSON.stringify(name.length > QUOTED_NAME ? `${name.slice(0, QUOTED_NAME)}…` : name);
}
