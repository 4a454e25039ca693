import type { Command } from 'commander';
import { type MemberRecord, memberIdOf, type TeamRecord } from '../../store/store.js';
import { iso, out, printJson, printTable, withServices } from '../cli-context.js';

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

export function teamCommands(program: Command): void {
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
      if (opts.json) return printJson({ total: page.total, teams: page.items.map(teamJson) });
      printTable(
        ['ID', 'NAME', 'EXTERNAL ID', 'UPDATED'],
        page.items.map((t) => [t.id, t.displayName, t.externalId ?? '-', iso(t.updatedAt)]),
      );
      if (page.total > page.items.length) out(`(${page.items.length} of ${page.total}; use --limit)`);
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
      if (opts.json) {
        return printJson({
          ...teamJson(found),
          members: members.map(memberJson),
        });
      }
      out(`id:          ${found.id}`);
      out(`name:        ${found.displayName}`);
      out(`externalId:  ${found.externalId ?? '-'}`);
      out(`updated:     ${iso(found.updatedAt)}`);
      out('');
      printTable(
        ['MEMBER ID', 'KIND', 'USERNAME', 'DISPLAY NAME'],
        members.map((m) => [memberIdOf(m), m.kind, m.kind === 'user' ? m.userName : '-', m.displayName ?? '']),
      );
      if (members.length === limit && limit > 0) out(`(first ${limit} members; use --members)`);
    });
}
