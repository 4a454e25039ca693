import type { Command } from 'commander';
import type { WebhookDeliveryRecord, WebhookSummary, WebhookView } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

const summaryJson = (w: WebhookSummary) => ({
  id: w.id,
  orgId: w.orgId,
  url: w.url,
  description: w.description,
  enabled: w.enabled,
  disabledAt: w.disabledAt === null ? null : iso(w.disabledAt),
  disabledReason: w.disabledReason,
  previousSecretExpiresAt: w.previousSecretExpiresAt === null ? null : iso(w.previousSecretExpiresAt),
  createdAt: iso(w.createdAt),
});

const viewJson = (w: WebhookView) => ({
  ...summaryJson(w),
  state: w.state,
  failingSince: w.failingSince === null ? null : iso(w.failingSince),
  lastStatus: w.lastStatus,
  lastError: w.lastError,
  lastAttemptAt: w.lastAttemptAt === null ? null : iso(w.lastAttemptAt),
  backlog: w.backlog,
  organizations: w.organizations.map((o) => ({
    ...o,
    failingSince: o.failingSince === null ? null : iso(o.failingSince),
    nextAttemptAt: iso(o.nextAttemptAt),
    lastAttemptAt: o.lastAttemptAt === null ? null : iso(o.lastAttemptAt),
  })),
});

const deliveryJson = (d: WebhookDeliveryRecord) => ({ ...d, at: iso(d.at) });

function limitOf(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--limit must be a whole number; got "${text}"`);
  return Number(text);
}

/** `parallel-scim webhook ...`: support's webhook tools (docs/webhooks.md). */
export function webhookCommands(program: Command, print: Printer): void {
  const webhook = program.command('webhook').description('webhooks that receive directory events (docs/webhooks.md)');

  webhook
    .command('add')
    .description("add a webhook for one organization, or with no --org for every organization's events")
    .requiredOption('--url <url>', 'the receiver, http:// or https://')
    .option('--org <id>', 'only this organization')
    .option('--description <text>', 'a note, e.g. "sessions service"')
    .option('--json', 'print {"id", "secret", ...} as JSON')
    .action(async (opts: { url: string; org?: string; description?: string; json?: boolean }) => {
      const added = await withServices((s, run) =>
        s.webhooks.add(
          run.operator,
          {
            url: opts.url,
            ...(opts.org !== undefined ? { orgId: opts.org } : {}),
            ...(opts.description !== undefined ? { description: opts.description } : {}),
          },
          { requestId: run.requestId },
        ),
      );
      if (opts.json) return print.json({ ...summaryJson(added.webhook), secret: added.secret });
      print.line(`webhook id: ${added.webhook.id}`);
      print.line(
        `receives:   ${added.webhook.orgId === null ? 'every organization' : `organization ${added.webhook.orgId}`}`,
      );
      print.line('signing secret (shown once; the receiver verifies with it):');
      print.line(added.secret);
    });

  webhook
    .command('list')
    .description('list webhooks with their delivery state (never their secrets)')
    .option('--org <id>', "only those receiving this organization's events")
    .option('--json', "print JSON, with each organization's cursor")
    .action(async (opts: { org?: string; json?: boolean }) => {
      const views = await withServices((s) => s.webhooks.list(opts.org !== undefined ? { orgId: opts.org } : {}));
      if (opts.json) return print.json(views.map(viewJson));
      print.table(
        ['ID', 'ORG', 'STATE', 'BACKLOG', 'LAST STATUS', 'FAILING SINCE', 'URL'],
        views.map((w) => [
          w.id,
          w.orgId ?? 'all',
          w.state,
          String(w.backlog),
          w.lastStatus === null ? (w.lastError ?? '-') : String(w.lastStatus),
          iso(w.failingSince),
          w.url,
        ]),
      );
    });

  webhook
    .command('remove')
    .description('remove a webhook, its cursors and its delivery log')
    .argument('<webhookId>', 'webhook id (from webhook list)')
    .action(async (webhookId: string) => {
      const removed = await withServices((s, run) =>
        s.webhooks.remove(run.operator, webhookId, { requestId: run.requestId }),
      );
      print.line(`removed webhook ${removed.id} (${removed.url})`);
    });

  webhook
    .command('test')
    .description('send a signed webhook.test ping now and print how the receiver answered (exit 1 unless 2xx)')
    .argument('<webhookId>', 'webhook id')
    .action(async (webhookId: string) => {
      const result = await withServices((s, run) =>
        s.webhooks.test(run.operator, webhookId, { requestId: run.requestId }),
      );
      const answer = result.status === null ? 'no answer' : `HTTP ${result.status}`;
      print.line(`${answer} in ${result.durationMs} ms${result.error ? `: ${result.error}` : ''}`);
      if (result.responseExcerpt) print.line(`response: ${result.responseExcerpt}`);
      if (!result.ok) throw new Error('the receiver did not accept the ping');
    });

  webhook
    .command('enable')
    .description('resume deliveries from where they stopped: the missed events are sent, in order')
    .argument('<webhookId>', 'webhook id')
    .action(async (webhookId: string) => {
      const w = await withServices((s, run) =>
        s.webhooks.enable(run.operator, webhookId, { requestId: run.requestId }),
      );
      print.line(`enabled webhook ${w.id}; delivery resumes from each organization's cursor`);
    });

  webhook
    .command('disable')
    .description('stop deliveries (the cursors stay, so enable replays what was missed)')
    .argument('<webhookId>', 'webhook id')
    .option('--reason <text>', 'why, for the list and the audit trail')
    .action(async (webhookId: string, opts: { reason?: string }) => {
      const w = await withServices((s, run) =>
        s.webhooks.disable(run.operator, webhookId, {
          requestId: run.requestId,
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        }),
      );
      print.line(`disabled webhook ${w.id}`);
    });

  webhook
    .command('deliveries')
    .description('the delivery log of a webhook, newest first')
    .argument('<webhookId>', 'webhook id')
    .option('--org <id>', 'only deliveries of this organization')
    .option('--limit <n>', 'entries to show (1-500)', '50')
    .option('--before <deliveryId>', 'entries older than this one (paging)')
    .option('--json', 'print JSON')
    .action(async (webhookId: string, opts: { org?: string; limit: string; before?: string; json?: boolean }) => {
      const page = await withServices((s) =>
        s.webhooks.deliveries(webhookId, {
          limit: limitOf(opts.limit),
          ...(opts.org !== undefined ? { orgId: opts.org } : {}),
          ...(opts.before !== undefined ? { before: opts.before } : {}),
        }),
      );
      if (opts.json) return print.json(page.items.map(deliveryJson));
      print.table(
        ['AT', 'ORG', 'CURSOR', 'EVENT', 'ATTEMPT', 'STATUS', 'MS', 'ERROR'],
        page.items.map((d) => [
          iso(d.at),
          d.orgId ?? '-',
          d.cursor === null ? '-' : String(d.cursor),
          d.eventType,
          String(d.attempt),
          d.status === null ? '-' : String(d.status),
          String(d.durationMs),
          d.error ?? '',
        ]),
      );
      if (page.next) print.line(`more: --before ${page.next}`);
    });

  webhook
    .command('rotate-secret')
    .description('a new signing secret; the old one also signs during the grace period, so the receiver can switch')
    .argument('<webhookId>', 'webhook id')
    .option('--grace <duration>', 'how long the old secret keeps signing: 24h, 30m, 7d, or 0 (at most 30d)', '24h')
    .option('--json', 'print {"id", "secret", ...} as JSON')
    .action(async (webhookId: string, opts: { grace: string; json?: boolean }) => {
      const { parseDuration } = await import('../../services/index.js');
      const graceMs = opts.grace.trim() === '0' ? 0 : parseDuration(opts.grace);
      if (graceMs === undefined) throw new UsageError(`--grace must look like 24h, 30m, 7d or 0; got "${opts.grace}"`);
      const rotated = await withServices((s, run) =>
        s.webhooks.rotateSecret(run.operator, webhookId, { graceMs, requestId: run.requestId }),
      );
      if (opts.json) return print.json({ ...summaryJson(rotated.webhook), secret: rotated.secret });
      const until = rotated.webhook.previousSecretExpiresAt;
      print.line(until === null ? 'the old secret no longer signs' : `the old secret also signs until ${iso(until)}`);
      print.line('new signing secret (shown once):');
      print.line(rotated.secret);
    });
}
