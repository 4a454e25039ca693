import type { Command } from 'commander';
import type { OrgHealthReport } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';

/** `org health --org ID`: is this customer's sync healthy, and if not, why (services/org-health.ts). */
export function orgHealthCommand(program: Command, print: Printer): void {
  const org = program.commands.find((c) => c.name() === 'org') ?? program.command('org');
  org
    .command('health')
    .description('last request, requests and error rate over 24 h, the most frequent errors and why, webhooks')
    .requiredOption('--org <id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const report = await withServices((s) => s.health.report(opts.org));
      if (opts.json) return print.json(reportJson(report));
      printReport(print, report);
    });
}

function reportJson(r: OrgHealthReport) {
  return {
    orgId: r.orgId,
    at: iso(r.at),
    since: iso(r.since),
    cut: r.cut,
    coveredSince: iso(r.coveredSince),
    unhealthy: r.verdict.unhealthy,
    reasons: r.verdict.reasons,
    lastRequest: r.lastRequest && { ...r.lastRequest, at: iso(r.lastRequest.at) },
    requests: r.requests,
    errors: r.errors,
    errorRate: r.errorRate,
    serverErrors: r.serverErrors,
    alarms: r.alarms,
    topErrors: r.topErrors.map((e) => ({ ...e, lastAt: iso(e.lastAt) })),
    webhooks: r.webhooks.map((w) => ({
      ...w,
      failingSince: iso(w.failingSince),
      lastAttemptAt: iso(w.lastAttemptAt),
    })),
    tokens: r.tokens.map((t) => ({
      ...t,
      expiresAt: iso(t.expiresAt),
      lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
    })),
  };
}

const pct = (fraction: number) => `${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;

function printReport(print: Printer, r: OrgHealthReport): void {
  const last = r.lastRequest;
  const window = r.cut ? `since ${iso(r.coveredSince)} (the newest ${r.requests} requests of 24 h)` : 'last 24 h';
  print.line(`organization:  ${r.orgId}`);
  print.line(`health:        ${r.verdict.unhealthy ? 'UNHEALTHY' : 'healthy'}`);
  for (const reason of r.verdict.reasons) print.line(`  - ${reason}`);
  print.line(
    `last request:  ${last ? `${iso(last.at)} ${last.status} ${last.method} ${last.path}${last.errorCode ? ` (${last.errorCode})` : ''}` : 'none'}`,
  );
  print.line(
    `${`${window}:`.padEnd(14)} ${r.requests} requests, ${r.errors} errors (${pct(r.errorRate)}), ${r.serverErrors} 5xx`,
  );
  print.line(`last hour:     ${r.alarms} answers with 5xx or 401`);
  print.line(`tokens:        ${r.tokens.length === 0 ? 'none expiring within 30 days' : ''}`.trimEnd());
  for (const t of r.tokens) print.line(`  - ${t.kind === 'expired' ? 'EXPIRED' : 'expiring'}: ${t.text}`);
  if (r.topErrors.length > 0) {
    print.line();
    print.table(
      ['CODE', 'STATUS', 'COUNT', 'LAST', 'CAUSE'],
      r.topErrors.map((e) => [e.code, String(e.status), String(e.count), iso(e.lastAt), e.cause ?? '-']),
    );
    print.line();
    print.line('what to do:');
    for (const e of r.topErrors)
      print.line(`  ${e.code}: ${e.remedy ?? 'see the log entries (log --org ID --status 4xx)'}`);
  }
  print.line();
  if (r.webhooks.length === 0) {
    print.line('webhooks:      none');
    return;
  }
  print.table(
    ['WEBHOOK', 'SCOPE', 'STATE', 'BACKLOG', 'LAST ATTEMPT', 'LAST STATUS', 'LAST ERROR'],
    r.webhooks.map((w) => [
      w.url,
      w.scope,
      w.state === 'disabled' && w.disabledReason ? `disabled: ${w.disabledReason}` : w.state,
      w.backlog === null ? '-' : String(w.backlog),
      iso(w.lastAttemptAt),
      w.lastStatus === null ? '-' : String(w.lastStatus),
      w.lastError ?? '-',
    ]),
  );
}
