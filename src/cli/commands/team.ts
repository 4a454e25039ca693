import type { Command } from 'commander';
import type { MemberRecord, TeamRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';

const teamJson = (t: TeamRecord) => ({
  id: t.id,
  displayName: t.displayName,
  externalId: t.externalId,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
});

// A nested team is listed as a member in its own right (kind "team"), never expanded into its users.
const memberJson = (m: MemberRecord) =>
  m.kind === 'user'
    ? { kind: m.kind, id: m.userId, userName: m.userName, displayName: m.displayName }
    : { kind: m.kind, id: m.teamId, displayName: m.displayName };

export function teamCommands(program: Command, print: Printer): void {
  const team = program.command('team').description('teams (SCIM Groups) of an organization');

  team
    .command('list')
    .description('list teams by name')
    .requiredOption('--org <id>', 'organization id')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; limit: string; json?: boolean }) => {
      const limit = Math.max(1, Math.min(10_000, Number.parseInt(opts.limit, 10) || 100));
      const page = await withServices((s) => s.teams.listForAdmin(opts.org, { limit }));
      if (opts.json) return print.json({ total: page.total, teams: page.items.map(teamJson) });
      print.table(
        ['ID', 'NAME', 'EXTERNAL ID', 'UPDATED'],
        page.items.map((t) => [t.id, t.displayName, t.externalId ?? '-', iso(t.updatedAt)]),
      );
      if (page.total > page.items.length) print.line(`(${page.items.length} of ${page.total}; use --limit)`);
    });

  team
    .command('show')
    .description('show a team and its first members')
    .argument('<id>', 'team id')
    .requiredOption('--org <id>', 'organization id')
    .option('--members <n>', 'how many members to list', '100')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { org: string; members: string; json?: boolean }) => {
      const limit = Math.max(0, Math.min(100_000, Number.parseInt(opts.members, 10) || 0));
      const { team: found, members } = await withServices((s) => s.teams.showForAdmin(opts.org, id, limit));
      const { memberIdOf } = await import('../../services/index.js');
      if (opts.json) {
        return print.json({
          ...teamJson(found),
          members: members.map(memberJson),
        });
      }
      print.line(`id:          ${found.id}`);
      print.line(`name:        ${found.displayName}`);
      print.line(`externalId:  ${found.externalId ?? '-'}`);
      print.line(`updated:     ${iso(found.updatedAt)}`);
      print.line('');
      print.table(
        ['MEMBER ID', 'KIND', 'USERNAME', 'DISPLAY NAME'],
        members.map((m) => [memberIdOf(m), m.kind, m.kind === 'user' ? m.userName : '-', m.displayName ?? '']),
      );
      if (members.length === limit && limit > 0) print.line(`(first ${limit} members; use --members)`);
    });
}
