import { userInfo } from 'node:os';
import type { Operator } from '../services/index.js';

/**
 * Who runs a CLI command, as the audit trail records it: the login name, or under sudo the person
 * who typed sudo (SUDO_USER), not root. The one place the CLI names its operator.
 */
export function cliOperator(
  env: Readonly<Record<string, string | undefined>> = process.env,
  login: () => string = () => userInfo().username,
): Operator {
  const sudoUser = env.SUDO_USER?.trim();
  if (sudoUser) return { kind: 'cli', operator: sudoUser };
  let name: string | undefined;
  try {
    name = login();
  } catch {
    // No passwd entry (a container running under an arbitrary uid): the trail says so.
    name = undefined;
  }
  return { kind: 'cli', operator: name && name.trim() !== '' ? name : 'unknown' };
}
