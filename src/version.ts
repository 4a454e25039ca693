import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version of this install, from package.json: the one place it is written. Read relative to
 * this module, which sits one folder below the package root both as src/version.ts and as
 * dist/version.js, so the answer is the install's whatever the working directory. Read once, on
 * first use, with nothing else loaded: `parallel-scim --version` must answer at once.
 */
export function packageVersion(): string {
  if (cached === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    cached = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  }
  return cached;
}
