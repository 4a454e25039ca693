import type { Command } from 'commander';
import type { TokenRecord } from '../../services/index.js';
import { daysLeft, describeExpiry, NEVER, timeLeft } from '../../services/token-expiry.js';
import { withServices } from '../cli-context.js';
import { CREDENTIAL_COLUMNS, credentialJson, credentialRow } from '../credentials.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

/** A token as `--json` prints it: the credential fields, plus whole days left (null: never expires). */
const tokenJson = (t: TokenRecord, now: number) => {
  const { id, ...rest } = credentialJson(t, now);
  return { id, orgId: t.orgId, ...rest, daysLeft: daysLeft(t.expiresAt, now) };
};

const EXPIRES = CREDENTIAL_COLUMNS.indexOf('EXPIRES');

/** A token's line of `token list`: its expiry as a date and the time left ("2027-12-03 (in 365 d)"). */
function tokenRow(t: TokenRecord, now: number): string[] {
  const row = credentialRow(t, now);
  row[EXPIRES] = t.revokedAt !== null && t.expiresAt !== null ? iso(t.expiresAt) : describeExpiry(t.expiresAt, now);
  return row;
}

/** `--expires-in`: a duration, or "never"; undefined (the service's default) when not given. */
async function lifetimeOption(text: string | undefined): Promise<{ expiresInMs?: number | null }> {
  if (text === undefined) return {};
  const [{ parseDuration }, { parseLifetime }] = await Promise.all([
    import('../../services/index.js'),
    import('../../services/token-expiry.js'),
  ]);
  const expiresInMs = parseLifetime(text, parseDuration);
  if (expiresInMs === undefined) {
    throw new UsageError(`--expires-in must look like 90d, 12h, 30m or 45s, or be "${NEVER}"; got "${text}"`);
  }
  return { expiresInMs };
}

const expiryLine = (t: TokenRecord, now: number) =>
  `expires:  ${t.expiresAt === null ? NEVER : `${iso(t.expiresAt)} (${timeLeft(t.expiresAt, now)})`}`;

export function tokenCommands(program: Command, print: Printer): void {
  const token = program.command('token').description('bearer tokens of an organization');

  token
    .command('issue')
    .description('issue a token; the secret is printed once and never stored')
    .requiredOption('--org <id>', 'organization id')
    .option(
      '--expires-in <duration>',
      `lifetime such as 365d, 90d, 12h, or "${NEVER}" for a token that never expires (default: 365d, one year)`,
    )
    .option('--label <text>', 'a note, e.g. "Entra production"')
    .option('--json', 'print {"id", "token", "expiresAt"} as JSON')
    .action(async (opts: { org: string; expiresIn?: string; label?: string; json?: boolean }) => {
      const lifetime = await lifetimeOption(opts.expiresIn);
      const issued = await withServices((s, run) =>
        s.tokens.issue(run.operator, opts.org, {
          requestId: run.requestId,
          ...lifetime,
          ...(opts.label !== undefined ? { label: opts.label } : {}),
        }),
      );
      const expiresAt = issued.record.expiresAt;
      if (opts.json) {
        return print.json({
          id: issued.record.id,
          token: issued.token,
          expiresAt: expiresAt === null ? null : iso(expiresAt),
        });
      }
      print.line(`token id: ${issued.record.id}`);
      print.line(expiryLine(issued.record, Date.now()));
      print.line('secret (shown once; paste it into the IdP as the Secret Token):');
      print.line(issued.token);
    });

  token
    .command('list')
    .description(
      'list the tokens of an organization (never their secrets), with when each expires and how long is left',
    )
    .requiredOption('--org <id>', 'organization id')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const tokens = await withServices((s) => s.tokens.list(opts.org));
      const now = Date.now();
      if (opts.json) return print.json(tokens.map((t) => tokenJson(t, now)));
      print.table(
        CREDENTIAL_COLUMNS,
        tokens.map((t) => tokenRow(t, now)),
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
    .option(
      '--expires-in <duration>',
      `the new token's lifetime, e.g. 90d or "${NEVER}" (default: 365d, one year, whatever the old token's was)`,
    )
    .option('--json', 'print {"id", "token", "expiresAt", "previous"} as JSON')
    .action(async (opts: { token: string; grace: string; expiresIn?: string; json?: boolean }) => {
      const { parseDuration } = await import('../../services/index.js');
      const graceMs = opts.grace.trim() === '0' ? 0 : parseDuration(opts.grace);
      if (graceMs === undefined) {
        throw new UsageError(`--grace must look like 24h, 30m, 7d or 0; got "${opts.grace}"`);
      }
      const lifetime = await lifetimeOption(opts.expiresIn);
      const rotated = await withServices((s, run) =>
        s.tokens.rotate(run.operator, opts.token, { graceMs, requestId: run.requestId, ...lifetime }),
      );
      const now = Date.now();
      const expiresAt = rotated.record.expiresAt;
      if (opts.json) {
        return print.json({
          id: rotated.record.id,
          token: rotated.token,
          expiresAt: expiresAt === null ? null : iso(expiresAt),
          previous: tokenJson(rotated.previous, now),
        });
      }
      print.line(`token id: ${rotated.record.id} (replaces ${rotated.previous.id})`);
      print.line(expiryLine(rotated.record, now));
      print.line(`the old token stops working at ${iso(rotated.previous.expiresAt)}`);
      print.line('secret (shown once; paste it into the IdP as the Secret Token):');
      print.line(rotated.token);
    });
}
