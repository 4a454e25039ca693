import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertInert, HOSTILE, readable, TEST_ORG } from '../../../test/helpers/view-records.js';
import type { TeamRecord } from '../../services/index.js';
import { teamBody, teamsListBody } from './teams.js';

const team = (overrides: Partial<TeamRecord> = {}): TeamRecord => ({
  orgId: TEST_ORG.id,
  id: 't-1',
  displayName: 'Sales',
  externalId: 'g-1',
  doc: { displayName: 'Sales' },
  version: 2,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

test('a team page lists a page of members, users and nested teams, and links the next page by id', () => {
  const page = readable(
    teamBody(
      TEST_ORG,
      {
        team: team(),
        members: [
          { kind: 'user', userId: 'u-1', userName: 'jane@contoso.test', displayName: 'Jane' },
          { kind: 'team', teamId: 't-2', displayName: 'EMEA sales' },
        ],
        next: 't-2',
      },
      'u-0',
    ),
  );
  assert.match(page, /users\/u-1">jane@contoso\.test<\/a> <span class="muted">Jane/);
  assert.match(page, /teams\/t-2">EMEA sales<\/a><\/td><td>nested team/);
  assert.match(page, /teams\/t-1\?after=t-2" rel="next">Next members/);
  assert.match(page, /teams\/t-1">First members/);
  const last = readable(teamBody(TEST_ORG, { team: team(), members: [], next: undefined }, undefined));
  assert.doesNotMatch(last, /Next members|First members/);
  assert.match(last, /No members\./);
});

test('the list pages with the search kept', () => {
  const list = readable(teamsListBody(TEST_ORG, 'Sa', [team()], { page: 1, pages: 3, total: 120 }));
  assert.match(list, /120 teams/);
  assert.match(list, /teams\?q=Sa&page=2" rel="next">Next/);
  assert.match(readable(teamsListBody(TEST_ORG, 'Zz', [], { page: 1, pages: 1, total: 0 })), /starts with “Zz”/);
});

test('displayNames and externalIds the IdP sent are text', () => {
  const hostile = team({ displayName: HOSTILE, externalId: HOSTILE });
  assertInert(teamsListBody(TEST_ORG, HOSTILE, [hostile], { page: 1, pages: 1, total: 1 }), assert);
  assertInert(
    teamBody(
      TEST_ORG,
      {
        team: hostile,
        members: [
          { kind: 'user', userId: 'u', userName: HOSTILE, displayName: HOSTILE },
          { kind: 'team', teamId: 't', displayName: HOSTILE },
        ],
        next: undefined,
      },
      undefined,
    ),
    assert,
  );
});
