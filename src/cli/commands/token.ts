import type { Command } from 'commander';
import type { TokenRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { CREDENTIAL_COLUMNS, credentialJson, credentialRow } from '../credentials.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

const tokenJson = (t: TokenRecord, now: number) => {
  const { id, ...rest } = credentialJson(t, now);
  return { id, orgId: t.orgId, ...rest };
};

export function tokenCommands(program: Command, print: Printer): void {
  const token = program.command('token').description('bearer tokens of an organization');

  token
    .command('issue')
    .description('issue a token; the secret is printed once and never stored')
    .requiredOption('--org <id>', 'organization id')
    .option('--expires-in <duration>', 'lifetime such as 90d, 12h, 30m')
    .option('--label <text>', 'a note, e.g. "Entra production"')
    .option('--json', 'print {"id", "token"} as JSON')
    .action(async (opts: { org: string; expiresIn?: string; label?: string; json?: boolean }) => {
      let expiresInMs: number | undefined;
      if (opts.expiresIn !== undefined) {
        const { parseDuration } = await import('../../services/index.js');
        expiresInMs = parseDuration(opts.expiresIn);
        if (expiresInMs === undefined) {
          throw new UsageError(`--expires-in must look like 90d, 12h, 30m or 45s; got "${opts.expiresIn}"`);
        }
      }
      const issued = await withServices((s, run) =>
        s.tokens.issue(run.operator, opts.org, {
          requestId: run.requestId,
          ...(expiresInMs !== undefined ? { expiresInMs } : {}),
          ...(opts.label !== undefined ? { label: opts.label } : {}),
        }),
      );
      if (opts.json) return print.json({ id: issued.record.id, token: issued.token });
      print.line(`token id: ${issued.record.id}`);
      print.line(`expires:  ${issued.record.expiresAt === null ? 'never' : iso(issued.record.expiresAt)}`);
      print.line('secret (shown once; paste it into the IdP as the Secret Token):');
      print.line(issued.token);
    });

  token
    .command('list')
    .description('list the tokens of an organization (never their secrets)')
    .requiredOption('--org <id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const tokens = await withServices((s) => s.tokens.list(opts.org));
      const now = Date.now();
      if (opts.json) return print.json(tokens.map((t) => tokenJson(t, now)));
      print.table(
        CREDENTIAL_COLUMNS,
        tokens.map((t) => credentialRow(t, now)),
      );
    });

  token
    .command('revoke')
    .description('revoke a token: requests with it get 401 from now on')
    .argument('<tokenId>', 'token id (from token list)')
    .option('--json', 'print JSON')
    .action(async (tokenId: string, opts: { json?: boolean }) => {
      const revoked = await withServices((s, run) =>
        s.tokens.revoke(run.operator, tokenId, { requestId: run.requestId }),
      );
      if (opts.json) return print.json(tokenJson(revoked, Date.now()));
      print.line(`revoked token ${revoked.id} of organization ${revoked.orgId}`);
    });

  token
    .command('rotate')
    .description(
      'issue a new token with the same label; the old one keeps working for the grace period, so the IdP can be switched without a failed sync',
    )
    .requiredOption('--token <id>', 'the token to replace (from token list)')
    .option('--grace <duration>', 'how long the old token keeps working: 24h, 30m, 7d, or 0 (at most 30d)', '24h')
    .option('--json', 'print {"id", "token", "previous"} as JSON')
    .action(async (opts: { token: string; grace: string; json?: boolean }) => {
      const { parseDuration } = await import('../../services/index.js');
      const graceMs = opts.grace.trim() === '0' ? 0 : parseDuration(opts.grace);
      if (graceMs === undefined) {
        throw new UsageError(`--grace must look like 24h, 30m, 7d or 0; got "${opts.grace}"`);
      }
      const rotated = await withServices((s, run) =>
        s.tokens.rotate(run.operator, opts.token, { graceMs, requestId: run.requestId }),
      );
      const now = Date.now();
      if (opts.json) {
        return print.json({ id: rotated.record.id, token: rotated.token, previous: tokenJson(rotated.previous, now) });
      }
      print.line(`token id: ${rotated.record.id} (replaces ${rotated.previous.id})`);
      print.line(`expires:  ${rotated.record.expiresAt === null ? 'never' : iso(rotated.record.expiresAt)}`);
      print.line(`the old token stops working at ${iso(rotated.previous.expiresAt)}`);
      print.line('secret (shown once; paste it into the IdP as the Secret Token):');
      print.line(rotated.token);
    });
}
