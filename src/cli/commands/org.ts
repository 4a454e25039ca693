import type { Command } from 'commander';
import type { OrgRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { parseChoice } from '../parse-options.js';

const orgJson = (o: OrgRecord) => ({
  id: o.id,
  name: o.name,
  scimEnabled: o.scimEnabled,
  deleteMode: o.deleteMode,
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt),
});

export function orgCommands(program: Command, print: Printer): void {
  const org = program.command('org').description('organizations (tenants)');

  org
    .command('create')
    .description('create an organization (SCIM on unless --no-scim)')
    .requiredOption('--name <name>', 'organization name')
    .option('--no-scim', 'create it without the SCIM plan feature')
    .option('--json', 'print {"id", "name"} as JSON')
    .action(async (opts: { name: string; scim: boolean; json?: boolean }) => {
      const created = await withServices((s) => s.organizations.create(opts.name, { scimEnabled: opts.scim }));
      if (opts.json) return print.json({ id: created.id, name: created.name });
      print.line(`created organization ${created.id} (${created.name}), SCIM ${created.scimEnabled ? 'on' : 'off'}`);
    });

  org
    .command('list')
    .description('list organizations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const orgs = await withServices((s) => s.organizations.list());
      if (opts.json) return print.json(orgs.map(orgJson));
      print.table(
        ['ID', 'NAME', 'SCIM', 'DELETE', 'CREATED'],
        orgs.map((o) => [o.id, o.name, o.scimEnabled ? 'on' : 'off', o.deleteMode, iso(o.createdAt)]),
      );
    });

  org
    .command('show')
    .description('show one organization and its tokens')
    .argument('<id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { found, tokens } = await withServices(async (s) => ({
        found: await s.organizations.get(id),
        tokens: await s.tokens.list(id),
      }));
      const active = tokens.filter((t) => t.revokedAt === null && (t.expiresAt === null || t.expiresAt > Date.now()));
      if (opts.json) return print.json({ ...orgJson(found), activeTokens: active.length });
      print.line(`id:          ${found.id}`);
      print.line(`name:        ${found.name}`);
      print.line(`scim:        ${found.scimEnabled ? 'on' : 'off (requests get 403)'}`);
      print.line(`DELETE:      ${found.deleteMode}`);
      print.line(`tokens:      ${active.length} active of ${tokens.length}`);
      print.line(`created:     ${iso(found.createdAt)}`);
    });

  org
    .command('set')
    .description('change an organization: SCIM plan switch, what DELETE means, name')
    .argument('<id>', 'organization id')
    .option('--scim <on|off>', 'SCIM plan feature')
    .option(
      '--delete <retain|erase>',
      'what a SCIM DELETE of a user does to the account: retain (deactivate, unlink, keep its history; a later create of the same person links it back) or erase (remove it and its memberships). deactivate and remove are the old names',
    )
    .option('--name <name>', 'new name')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { scim?: string; delete?: string; name?: string; json?: boolean }) => {
      const scim =
        opts.scim === undefined ? undefined : parseChoice('--scim', opts.scim, ['on', 'off'] as const) === 'on';
      const { parseDeleteMode } = await import('../../services/index.js');
      const deleteMode = opts.delete === undefined ? undefined : parseDeleteMode(opts.delete);
      const updated = await withServices((s) =>
        s.organizations.update(id, {
          ...(scim !== undefined ? { scimEnabled: scim } : {}),
          ...(deleteMode !== undefined ? { deleteMode } : {}),
          ...(opts.name !== undefined ? { name: opts.name } : {}),
        }),
      );
      if (opts.json) return print.json(orgJson(updated));
      print.line(
        `organization ${updated.id}: SCIM ${updated.scimEnabled ? 'on' : 'off'}, DELETE ${updated.deleteMode}`,
      );
    });
}
