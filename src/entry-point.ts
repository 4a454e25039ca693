import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether the module at `moduleUrl` is the one node was started with (`node dist/main.js`), also
 * through a symlink (a release folder behind /opt/parallel-scim, say): node gives a module its
 * real path but leaves argv[1] as typed, and comparing the two as given made such a start exit 0
 * at once, doing nothing.
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const started = process.argv[1];
  return started !== undefined && realPath(started) === realPath(fileURLToPath(moduleUrl));
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
