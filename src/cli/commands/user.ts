import type { Command } from 'commander';
import type { UserRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
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
      const created = await withServices((s) =>
        s.users.invite(opts.org, {
          email: opts.email,
          ...(opts.givenName !== undefined ? { givenName: opts.givenName } : {}),
          ...(opts.familyName !== undefined ? { familyName: opts.familyName } : {}),
        }),
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
}
