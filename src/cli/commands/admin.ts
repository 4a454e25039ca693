import type { Command } from 'commander';
import type { PasswordLink, StaffAccount } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import { iso, type Printer } from '../output.js';
import { UsageError } from '../parse-options.js';

const staffJson = (s: StaffAccount) => ({
  id: s.id,
  email: s.email,
  state: s.disabled ? 'disabled' : s.hasPassword ? 'active' : 'invited',
  createdAt: iso(s.createdAt),
});

/** The console's address: --base-url, else PUBLIC_URL; a link to nowhere is worse than an error. */
async function baseUrl(option: string | undefined): Promise<string> {
  const chosen = option ?? (await import('../../config.js')).loadConfig().publicUrl;
  if (chosen === undefined) {
    throw new UsageError('Say where the console is: set PUBLIC_URL or pass --base-url https://scim.example.com');
  }
  if (!/^https?:\/\/[^\s/]+/.test(chosen)) throw new UsageError(`--base-url must be an http(s) URL; got "${chosen}"`);
  return chosen.replace(/\/+$/, '');
}

function printLink(print: Printer, link: PasswordLink, base: string, json: boolean | undefined, verb: string): void {
  const url = `${base}/admin/set-password/${link.secret}`;
  if (json) {
    print.json({ ...staffJson(link.account), link: url, linkExpiresAt: iso(link.expiresAt) });
    return;
  }
  print.line(`${verb} staff account ${link.account.email} (${link.account.id})`);
  print.line(`one-time link to set the password, valid until ${iso(link.expiresAt)}:`);
  print.line(url);
}

export function adminCommands(program: Command, print: Printer): void {
  const admin = program.command('admin').description('support console staff accounts');

  admin
    .command('create')
    .description('create a staff account and print a one-time link (24 h) to set its password')
    .requiredOption('--email <email>', "the staff member's e-mail (their sign-in name)")
    .option('--base-url <url>', 'the console address for the link (default: PUBLIC_URL)')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; baseUrl?: string; json?: boolean }) => {
      const base = await baseUrl(opts.baseUrl);
      const link = await withServices((s, run) => s.staff.create(opts.email, run.operator));
      printLink(print, link, base, opts.json, 'created');
    });

  admin
    .command('list')
    .description('list staff accounts (never their passwords)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const accounts = await withServices((s) => s.staff.list());
      if (opts.json) return print.json(accounts.map(staffJson));
      print.table(
        ['ID', 'EMAIL', 'STATE', 'CREATED'],
        accounts.map((a) => {
          const j = staffJson(a);
          return [j.id, j.email, j.state, j.createdAt];
        }),
      );
    });

  admin
    .command('disable')
    .description('disable a staff account: its sessions end at once')
    .requiredOption('--email <email>', 'the staff account')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; json?: boolean }) => {
      const account = await withServices((s, run) => s.staff.disable(opts.email, run.operator));
      if (opts.json) return print.json(staffJson(account));
      print.line(`disabled staff account ${account.email}; its sessions have ended`);
    });

  admin
    .command('reset')
    .description('print a new one-time link to set the password (older links stop working)')
    .requiredOption('--email <email>', 'the staff account')
    .option('--base-url <url>', 'the console address for the link (default: PUBLIC_URL)')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; baseUrl?: string; json?: boolean }) => {
      const base = await baseUrl(opts.baseUrl);
      const link = await withServices((s, run) => s.staff.reset(opts.email, run.operator));
      printLink(print, link, base, opts.json, 'reset');
    });
}
