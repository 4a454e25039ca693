import type { Command } from 'commander';
import type { TokenRecord } from '../../services/index.js';
import { credentialState } from '../../services/secrets.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

// A leaf module (node:crypto only): importing it does not load the store.
const state = credentialState;

const tokenJson = (t: TokenRecord, now: number) => ({
  id: t.id,
  orgId: t.orgId,
  hint: `${t.hint}…`,
  label: t.label,
  state: state(t, now),
  createdAt: iso(t.createdAt),
  expiresAt: t.expiresAt === null ? null : iso(t.expiresAt),
  revokedAt: t.revokedAt === null ? null : iso(t.revokedAt),
  lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
});

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
        ['ID', 'HINT', 'STATE', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED'],
        tokens.map((t) => [
          t.id,
          `${t.hint}…`,
          state(t, now),
          t.label ?? '',
          iso(t.createdAt),
          t.expiresAt === null ? 'never' : iso(t.expiresAt),
          t.lastUsedAt === null ? 'never' : iso(t.lastUsedAt),
        ]),
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
