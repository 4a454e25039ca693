import type { Command } from 'commander';
import type { LogRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

/** `--status 4xx`, `--status 409`. */
function parseStatus(text: string): { status: number; statusClass: boolean } {
  const cls = /^([1-5])xx$/i.exec(text);
  if (cls) return { status: Number(cls[1]) * 100, statusClass: true };
  if (/^[1-5]\d\d$/.test(text)) return { status: Number(text), statusClass: false };
  throw new UsageError(`--status must be a status such as 409 or a class such as 4xx; got "${text}"`);
}

const logJson = (e: LogRecord) => ({
  at: iso(e.at),
  requestId: e.requestId,
  method: e.method,
  path: e.path,
  status: e.status,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  subjectName: e.subjectName,
  subjectExternalId: e.subjectExternalId,
  summary: e.summary,
  errorCode: e.errorCode,
  errorDetail: e.errorDetail,
  durationMs: e.durationMs,
  userAgent: e.userAgent,
  tokenId: e.tokenId,
});

export function logCommand(program: Command, print: Printer): void {
  program
    .command('log')
    .description('the provisioning log of an organization, newest first')
    .requiredOption('--org <id>', 'organization id')
    .option('--status <status>', 'only this status (409) or class (4xx)')
    .option('--since <duration>', 'only the last 1h, 30m, 7d, ...')
    .option('--resource <id>', 'only requests about this user or team id')
    .option('--find <value>', 'only requests about this userName or displayName (any case) or externalId')
    .option('--request-id <id>', 'only the request with this x-request-id')
    .option('--method <method>', 'only GET, POST, PUT, PATCH or DELETE')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        org: string;
        status?: string;
        since?: string;
        resource?: string;
        find?: string;
        requestId?: string;
        method?: string;
        limit: string;
        json?: boolean;
      }) => {
        let since: number | undefined;
        if (opts.since !== undefined) {
          const { parseDuration } = await import('../../services/index.js');
          const ms = parseDuration(opts.since);
          if (ms === undefined) throw new UsageError(`--since must look like 1h, 30m or 7d; got "${opts.since}"`);
          since = Date.now() - ms;
        }
        const status = opts.status !== undefined ? parseStatus(opts.status) : undefined;
        const limit = Math.max(1, Math.min(10_000, Number.parseInt(opts.limit, 10) || 50));
        const entries = await withServices((s) =>
          s.log.query(opts.org, {
            limit,
            ...(since !== undefined ? { since } : {}),
            ...(status ?? {}),
            ...(opts.resource !== undefined ? { resourceId: opts.resource } : {}),
            ...(opts.find !== undefined ? { subject: opts.find } : {}),
            ...(opts.requestId !== undefined ? { requestId: opts.requestId } : {}),
            ...(opts.method !== undefined ? { method: opts.method } : {}),
          }),
        );
        if (opts.json) return print.json(entries.map(logJson));
        // The path stays whole: a cut one could hide the very value support looked up.
        print.table(
          ['TIME', 'STATUS', 'METHOD', 'PATH', 'MS', 'SUBJECT', 'REQUEST', 'USER AGENT', 'WHAT'],
          entries.map((e) => [
            iso(e.at),
            String(e.status),
            e.method,
            e.path,
            String(e.durationMs),
            subjectText(e),
            e.requestId,
            e.userAgent ?? '-',
            e.errorDetail !== null ? `${e.errorCode ?? 'error'}: ${e.errorDetail}` : (e.summary ?? ''),
          ]),
        );
      },
    );
}

/** `jane@contoso.com / e-1`: who a refused create was about, when it named them. */
function subjectText(e: LogRecord): string {
  if (e.subjectName === null && e.subjectExternalId === null) return '-';
  return `${e.subjectName ?? '-'} / ${e.subjectExternalId ?? '-'}`;
}
