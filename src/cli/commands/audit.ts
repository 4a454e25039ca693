import type { Command } from 'commander';
import type { AuditEntry } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

const entryJson = (e: AuditEntry) => ({
  id: e.id,
  at: iso(e.at),
  actorKind: e.actorKind,
  actorId: e.actorId,
  actor: e.actorLabel,
  orgId: e.orgId,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  detail: e.detail,
  requestId: e.requestId,
});

/** `name="Acme" scimEnabled=true`: the detail on one line of the table. */
function detailText(detail: AuditEntry['detail']): string {
  if (detail === null) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

export function auditCommand(program: Command, print: Printer): void {
  program
    .command('audit')
    .description('the audit trail: what support did (console and CLI), by whom, newest first')
    .option('--org <id>', 'only actions on this organization')
    .option(
      '--actor <email|login>',
      "only this staff member's (e-mail, any case) or CLI operator's (login name, exact)",
    )
    .option('--action <action>', 'only this action, e.g. token.revoked, org.deleted, user.erased')
    .option('--since <duration>', 'only the last 1h, 30m, 7d, ...')
    .option('--limit <n>', 'how many (at most 500)', '50')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        org?: string;
        actor?: string;
        action?: string;
        since?: string;
        limit: string;
        json?: boolean;
      }) => {
        const { MAX_AUDIT_LIST, parseDuration } = await import('../../services/index.js');
        let since: number | undefined;
        if (opts.since !== undefined) {
          const ms = parseDuration(opts.since);
          if (ms === undefined) throw new UsageError(`--since must look like 1h, 30m or 7d; got "${opts.since}"`);
          since = Date.now() - ms;
        }
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIST) {
          throw new UsageError(`--limit must be a whole number from 1 to ${MAX_AUDIT_LIST}; got "${opts.limit}"`);
        }
        const entries = await withServices((s) =>
          s.auditTrail.list({
            limit,
            ...(opts.org !== undefined ? { orgId: opts.org } : {}),
            ...(opts.actor !== undefined ? { actorLabel: opts.actor } : {}),
            ...(opts.action !== undefined ? { action: opts.action } : {}),
            ...(since !== undefined ? { since } : {}),
          }),
        );
        if (opts.json) return print.json(entries.map(entryJson));
        print.table(
          ['TIME', 'ACTOR', 'ACTION', 'ORGANIZATION', 'TARGET', 'DETAIL', 'REQUEST'],
          entries.map((e) => [
            iso(e.at),
            `${e.actorKind === 'staff' ? 'staff' : 'cli'}:${e.actorLabel ?? e.actorId ?? '?'}`,
            e.action,
            e.orgId ?? '-',
            e.targetId === null ? '-' : `${e.targetType ?? ''} ${e.targetId}`.trim(),
            detailText(e.detail),
            e.requestId ?? '-',
          ]),
        );
      },
    );
}
