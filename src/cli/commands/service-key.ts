import type { Command } from 'commander';
import { withServices } from '../cli-context.js';
import { CREDENTIAL_COLUMNS, credentialJson, credentialRow } from '../credentials.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

/** `service-key issue|list|revoke`: the deployment-wide keys of the event feed (docs/events.md). */
export function serviceKeyCommands(program: Command, print: Printer): void {
  const key = program
    .command('service-key')
    .description('keys of the event feed and snapshot (/api/v1): deployment-wide, for the rest of Parallel');

  key
    .command('issue')
    .description('issue a service key; the secret is printed once and never stored')
    .option('--label <text>', 'a note, e.g. "sessions service"')
    .option('--expires-in <duration>', 'lifetime such as 90d, 12h, 30m')
    .option('--json', 'print {"id", "key"} as JSON')
    .action(async (opts: { label?: string; expiresIn?: string; json?: boolean }) => {
      let expiresInMs: number | undefined;
      if (opts.expiresIn !== undefined) {
        const { parseDuration } = await import('../../services/index.js');
        expiresInMs = parseDuration(opts.expiresIn);
        if (expiresInMs === undefined) {
          throw new UsageError(`--expires-in must look like 90d, 12h, 30m or 45s; got "${opts.expiresIn}"`);
        }
      }
      const issued = await withServices((s, run) =>
        s.serviceKeys.issue(run.operator, {
          ...(expiresInMs !== undefined ? { expiresInMs } : {}),
          ...(opts.label !== undefined ? { label: opts.label } : {}),
          requestId: run.requestId,
        }),
      );
      if (opts.json) return print.json({ id: issued.record.id, key: issued.key });
      print.line(`service key id: ${issued.record.id}`);
      print.line(`expires:        ${issued.record.expiresAt === null ? 'never' : iso(issued.record.expiresAt)}`);
      print.line('secret (shown once; send it as "Authorization: Bearer <key>" to /api/v1/events):');
      print.line(issued.key);
    });

  key
    .command('list')
    .description('list the service keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const keys = await withServices((s) => s.serviceKeys.list());
      const now = Date.now();
      if (opts.json) return print.json(keys.map((k) => credentialJson(k, now)));
      print.table(
        CREDENTIAL_COLUMNS,
        keys.map((k) => credentialRow(k, now)),
      );
    });

  key
    .command('revoke')
    .description('revoke a service key: the feed answers it 401 from now on')
    .argument('<keyId>', 'service key id (from service-key list)')
    .option('--json', 'print JSON')
    .action(async (keyId: string, opts: { json?: boolean }) => {
      const revoked = await withServices((s, run) =>
        s.serviceKeys.revoke(run.operator, keyId, { requestId: run.requestId }),
      );
      if (opts.json) return print.json(credentialJson(revoked, Date.now()));
      print.line(`revoked service key ${revoked.id}${revoked.label ? ` (${revoked.label})` : ''}`);
    });
}
