import type { Command } from 'commander';
import type { Services, SupportChange, UserDetail, UserRecord } from '../../services/index.js';
import { type CommandRun, withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';

const userJson = (u: UserRecord) => ({
  id: u.id,
  userName: u.userName,
  externalId: u.externalId,
  active: u.active,
  managedBy: u.scimManaged ? 'idp' : 'parallel',
  state: state(u),
  deletedByIdpAt: u.deletedAt ? iso(u.deletedAt) : null,
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
});

/** One word for support: a retained account the IdP deleted is neither active nor just deactivated. */
function state(u: UserRecord): 'active' | 'deactivated' | 'deleted by the IdP' {
  if (u.deletedAt) return 'deleted by the IdP';
  return u.active ? 'active' : 'deactivated';
}

export function userCommands(program: Command, print: Printer): void {
  const user = program.command('user').description('users of an organization');

  user
    .command('add')
    .description('record a user who joined outside SCIM (invitation, SSO); an IdP create with the same e-mail links it')
    .requiredOption('--org <id>', 'organization id')
    .requiredOption('--email <email>', 'e-mail address (also the userName)')
    .option('--given-name <name>', 'given name')
    .option('--family-name <name>', 'family name')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; email: string; givenName?: string; familyName?: string; json?: boolean }) => {
      const created = await withServices((s, run) =>
        s.users.invite(
          opts.org,
          {
            email: opts.email,
            ...(opts.givenName !== undefined ? { givenName: opts.givenName } : {}),
            ...(opts.familyName !== undefined ? { familyName: opts.familyName } : {}),
          },
          run.operator,
          { requestId: run.requestId },
        ),
      );
      if (opts.json) return print.json(userJson(created));
      print.line(`added user ${created.id} (${created.userName}), not IdP-managed until an IdP links it`);
    });

  user
    .command('list')
    .description(
      'list users, newest first, with their state and who manages them (accounts the IdP deleted and the organization retains included)',
    )
    .requiredOption('--org <id>', 'organization id')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; limit: string; json?: boolean }) => {
      const limit = Math.max(1, Math.min(10_000, Number.parseInt(opts.limit, 10) || 100));
      const page = await withServices((s) => s.users.listForAdmin(opts.org, { limit }));
      if (opts.json) return print.json({ total: page.total, users: page.items.map(userJson) });
      print.table(
        ['ID', 'USERNAME', 'EXTERNAL ID', 'STATE', 'MANAGED BY', 'UPDATED'],
        page.items.map((u) => [
          u.id,
          u.userName,
          u.externalId ?? '-',
          u.deletedAt ? `deleted by the IdP ${iso(u.deletedAt)}` : state(u),
          u.scimManaged ? 'IdP (SCIM)' : 'Parallel',
          iso(u.updatedAt),
        ]),
      );
      if (page.total > page.items.length) print.line(`(${page.items.length} of ${page.total}; use --limit)`);
    });
  user
    .command('show')
    .description('one user, retained accounts included: state, externalId, who manages it, last change, teams')
    .argument('<id>', 'user id')
    .requiredOption('--org <id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { org: string; json?: boolean }) => {
      const detail = await withServices((s) => s.userSupport.show(opts.org, id));
      if (opts.json) return print.json(detailJson(detail));
      printDetail(print, detail);
    });

  user
    .command('find')
    .description('find users by e-mail or userName (ignoring case) or externalId (exactly), retained accounts included')
    .argument('<value>', 'an e-mail, userName or externalId')
    .requiredOption('--org <id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (value: string, opts: { org: string; json?: boolean }) => {
      const found = await withServices((s) => s.userSupport.find(opts.org, value));
      if (opts.json) return print.json(found.map(userJson));
      if (found.length === 0) return print.line(`no user has the userName, e-mail or externalId "${value}"`);
      print.table(
        ['ID', 'USERNAME', 'EXTERNAL ID', 'STATE', 'MANAGED BY', 'UPDATED'],
        found.map((u) => [
          u.id,
          u.userName,
          u.externalId ?? '-',
          state(u),
          u.scimManaged ? 'IdP (SCIM)' : 'Parallel',
          iso(u.updatedAt),
        ]),
      );
    });

  const action = (
    name: string,
    description: string,
    run: (s: Services, id: string, orgId: string, command: CommandRun) => Promise<SupportChange>,
    said: { done: string; already: string },
  ) =>
    user
      .command(name)
      .description(description)
      .argument('<id>', 'user id')
      .requiredOption('--org <id>', 'organization id')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { org: string; json?: boolean }) => {
        const done = await withServices((s, command) => run(s, id, opts.org, command));
        if (opts.json) return print.json({ ...userJson(done.user), changed: done.changed });
        print.line(`${done.changed ? said.done : said.already}: user ${done.user.id} (${done.user.userName})`);
      });

  action(
    'deactivate',
    'deactivate a user as the IdP would (active false, with its event); an IdP-managed user may be reactivated by its next sync',
    (s, id, orgId, c) => s.userSupport.deactivate(c.operator, orgId, id, { requestId: c.requestId }),
    { done: 'deactivated', already: 'already deactivated, nothing changed' },
  );
  action(
    'reactivate',
    'reactivate a deactivated user (not one the IdP deleted: its next create links that one back)',
    (s, id, orgId, c) => s.userSupport.reactivate(c.operator, orgId, id, { requestId: c.requestId }),
    { done: 'reactivated', already: 'already active, nothing changed' },
  );
  action(
    'unlink',
    "release the user's externalId and end IdP management: the IdP's next create with the same userName links this account, and the externalId is free for another user",
    (s, id, orgId, c) => s.userSupport.unlink(c.operator, orgId, id, { requestId: c.requestId }),
    { done: 'unlinked', already: 'already unlinked, nothing changed' },
  );

  user
    .command('erase')
    .description('remove a user and its team memberships for good, as a SCIM DELETE under the erase setting')
    .argument('<id>', 'user id')
    .requiredOption('--org <id>', 'organization id')
    .requiredOption('--confirm <userName>', "the user's userName, to confirm")
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { org: string; confirm: string; json?: boolean }) => {
      const done = await withServices((s, c) =>
        s.userSupport.erase(c.operator, opts.org, id, { confirm: opts.confirm, requestId: c.requestId }),
      );
      if (opts.json) return print.json({ id: done.user.id, userName: done.user.userName, erased: true });
      print.line(`erased user ${done.user.id} (${done.user.userName}) and its team memberships`);
    });
}

const detailJson = (d: UserDetail) => ({
  ...userJson(d.user),
  teams: d.teams.map((t) => ({ id: t.teamId, displayName: t.displayName, type: t.type })),
});

function printDetail(print: Printer, d: UserDetail): void {
  const u = d.user;
  print.line(`id:           ${u.id}`);
  print.line(`userName:     ${u.userName}`);
  print.line(`externalId:   ${u.externalId ?? '- (not linked)'}`);
  print.line(`state:        ${d.state}${u.deletedAt ? ` at ${iso(u.deletedAt)}` : ''}`);
  print.line(`managed by:   ${d.managedBy === 'idp' ? 'the IdP (SCIM)' : 'Parallel (not IdP-managed)'}`);
  print.line(`last change:  ${iso(u.updatedAt)} (version ${u.version})`);
  print.line(`created:      ${iso(u.createdAt)}`);
  if (d.teams.length === 0) {
    print.line('teams:        none');
    return;
  }
  print.line(`teams:        ${d.teams.length}`);
  print.table(
    ['  TEAM ID', 'DISPLAY NAME', 'MEMBERSHIP'],
    d.teams.map((t) => [`  ${t.teamId}`, t.displayName, t.type]),
  );
}
