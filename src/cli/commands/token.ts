import type { Command } from 'commander';
import type { TokenRecord } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

function state(t: TokenRecord, now: number): string {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  return 'active';
}

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
      const issued = await withServices((s) =>
        s.tokens.issue(opts.org, {
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
      const revoked = await withServices((s) => s.tokens.revoke(tokenId));
      if (opts.json) return print.json(tokenJson(revoked, Date.now()));
      print.line(`revoked token ${revoked.id} of organization ${revoked.orgId}`);
    });
}
