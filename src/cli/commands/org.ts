import type { Command } from 'commander';
import type { OrgRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { parseChoice, UsageError } from '../parse-options.js';

const orgJson = (o: OrgRecord) => ({
  id: o.id,
  name: o.name,
  externalRef: o.externalRef ?? null,
  scimEnabled: o.scimEnabled,
  deleteMode: o.deleteMode,
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt),
});

function orgTable(print: Printer, orgs: readonly OrgRecord[]): void {
  print.table(
    ['ID', 'NAME', 'EXTERNAL REF', 'SCIM', 'DELETE', 'CREATED'],
    orgs.map((o) => [o.id, o.name, o.externalRef ?? '-', o.scimEnabled ? 'on' : 'off', o.deleteMode, iso(o.createdAt)]),
  );
}

export function orgCommands(program: Command, print: Printer): void {
  const org = program.command('org').description('organizations (tenants)');

  org
    .command('create')
    .description('create an organization (SCIM on unless --no-scim)')
    .requiredOption('--name <name>', 'organization name')
    .option('--external-ref <ref>', "the main application's own id for the organization (unique)")
    .option('--no-scim', 'create it without the SCIM plan feature')
    .option('--json', 'print {"id", "name", "externalRef"} as JSON')
    .action(async (opts: { name: string; externalRef?: string; scim: boolean; json?: boolean }) => {
      const created = await withServices((s, run) =>
        s.organizations.create(run.operator, opts.name, {
          scimEnabled: opts.scim,
          requestId: run.requestId,
          ...(opts.externalRef !== undefined ? { externalRef: opts.externalRef } : {}),
        }),
      );
      if (opts.json)
        return print.json({ id: created.id, name: created.name, externalRef: created.externalRef ?? null });
      const ref = created.externalRef ? `, external ref ${created.externalRef}` : '';
      print.line(
        `created organization ${created.id} (${created.name})${ref}, SCIM ${created.scimEnabled ? 'on' : 'off'}`,
      );
    });

  org
    .command('list')
    .description('list organizations in id order (creation order), a page at a time')
    .option('--limit <n>', 'how many (at most 1000)', '1000')
    .option('--after <id>', 'start after this organization id (the last of the page before)')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; after?: string; json?: boolean }) => {
      const limit = Number.parseInt(opts.limit, 10);
      if (!(limit >= 1 && limit <= 1000) || String(limit) !== opts.limit.trim()) {
        throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${opts.limit}"`);
      }
      const orgs = await withServices((s) =>
        s.organizations.list({ limit, ...(opts.after !== undefined ? { afterId: opts.after } : {}) }),
      );
      if (opts.json) return print.json(orgs.map(orgJson));
      orgTable(print, orgs);
      const last = orgs.at(-1);
      if (orgs.length === limit && last) print.line(`(more may follow: --after ${last.id})`);
    });

  org
    .command('find')
    .description('find organizations by id, external ref, or name (ignoring case)')
    .argument('<value>', 'an organization id, external ref or name')
    .option('--json', 'print JSON')
    .action(async (value: string, opts: { json?: boolean }) => {
      const orgs = await withServices((s) => s.organizations.find(value));
      if (opts.json) return print.json(orgs.map(orgJson));
      if (orgs.length === 0) return print.line(`no organization has the id, external ref or name "${value}"`);
      orgTable(print, orgs);
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
      print.line(`id:           ${found.id}`);
      print.line(`name:         ${found.name}`);
      print.line(`external ref: ${found.externalRef ?? '-'}`);
      print.line(`scim:         ${found.scimEnabled ? 'on' : 'off (requests get 403)'}`);
      print.line(`DELETE:       ${found.deleteMode}`);
      print.line(`tokens:       ${active.length} active of ${tokens.length}`);
      print.line(`created:      ${iso(found.createdAt)}`);
    });

  org
    .command('set')
    .description('change an organization: SCIM plan switch, what DELETE means, name, external ref')
    .argument('<id>', 'organization id')
    .option('--scim <on|off>', 'SCIM plan feature')
    .option(
      '--delete <retain|erase>',
      'what a SCIM DELETE of a user does to the account: retain (deactivate, unlink, keep its history; a later create of the same person links it back) or erase (remove it and its memberships). deactivate and remove are the old names',
    )
    .option('--name <name>', 'new name')
    .option('--external-ref <ref>', "the main application's own id for the organization (unique)")
    .option('--clear-external-ref', 'remove the external ref')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        opts: {
          scim?: string;
          delete?: string;
          name?: string;
          externalRef?: string;
          clearExternalRef?: boolean;
          json?: boolean;
        },
      ) => {
        const scim =
          opts.scim === undefined ? undefined : parseChoice('--scim', opts.scim, ['on', 'off'] as const) === 'on';
        if (opts.clearExternalRef && opts.externalRef !== undefined) {
          throw new UsageError('--external-ref and --clear-external-ref cannot go together');
        }
        const externalRef = opts.clearExternalRef ? null : opts.externalRef;
        const { parseDeleteMode } = await import('../../services/index.js');
        const deleteMode = opts.delete === undefined ? undefined : parseDeleteMode(opts.delete);
        const updated = await withServices((s, run) =>
          s.organizations.update(run.operator, id, {
            requestId: run.requestId,
            ...(scim !== undefined ? { scimEnabled: scim } : {}),
            ...(deleteMode !== undefined ? { deleteMode } : {}),
            ...(opts.name !== undefined ? { name: opts.name } : {}),
            ...(externalRef !== undefined ? { externalRef } : {}),
          }),
        );
        if (opts.json) return print.json(orgJson(updated));
        print.line(
          `organization ${updated.id} (${updated.name}): SCIM ${updated.scimEnabled ? 'on' : 'off'}, DELETE ${updated.deleteMode}, external ref ${updated.externalRef ?? '-'}`,
        );
      },
    );

  org
    .command('delete')
    .description(
      'offboard an organization: its tokens are revoked and SCIM switched off at once, then every user, team, token, log entry and event of it is deleted (the audit trail keeps the deletion)',
    )
    .requiredOption('--org <id>', 'organization id')
    .requiredOption('--confirm <name>', "the organization's name, exactly, to confirm")
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; confirm: string; json?: boolean }) => {
      const done = await withServices((s, run) =>
        s.organizations.delete(run.operator, opts.org, { confirm: opts.confirm, requestId: run.requestId }),
      );
      if (opts.json) {
        return print.json({
          id: done.org.id,
          name: done.org.name,
          tokensRevoked: done.tokensRevoked,
          rowsDeleted: done.rowsDeleted,
        });
      }
      print.line(
        `deleted organization ${done.org.id} (${done.org.name}): ${done.tokensRevoked} token(s) revoked, ${done.rowsDeleted} row(s) removed`,
      );
    });
}
