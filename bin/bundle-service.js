// dist/main.js, the service's entry, made into one file with the packages it loads (issue 12):
// the compiled tree loads about 1,300 modules at start (typebox and kysely alone 630), and node
// spends most of its start finding, reading and linking them; bundled, the start takes about
// half the time. Only the service is bundled: the CLI (dist/cli/) stays the compiled tree, whose
// commands load only what they use.
//
// Left outside the bundle and loaded from node_modules as before: better-sqlite3 (a native
// addon) and pg (with its optional native part). The dynamic imports of src/ (the driver of the
// store in use, for one) stay lazy as chunks of their own in dist/bundle/.
//
// A module of src/ that reads a file next to itself through import.meta.url would read it next
// to dist/main.js instead: src/version.ts (../package.json) is the only one, and it sits at the
// same depth. esbuild comes with tsx, a production dependency (the launcher's fallback).
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// CommonJS packages bundled into an ES module still call require() and read __dirname.
const banner = [
  "import { createRequire as __bundleRequire } from 'node:module';",
  "import { fileURLToPath as __bundlePath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleRequire(import.meta.url);',
  'const __filename = __bundlePath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

/**
 * Replaces dist/main.js (as tsc wrote it) with the bundle; its chunks go to dist/bundle/. A tree
 * without the service's entry (test/e2e/cli.test.ts builds a stand-in CLI) has nothing to bundle.
 */
export function bundleService(root) {
  const dist = join(root, 'dist');
  rmSync(join(dist, 'bundle'), { recursive: true, force: true });
  if (!existsSync(join(dist, 'main.js'))) return;
  const esbuild = createRequire(import.meta.url)('esbuild');
  esbuild.buildSync({
    entryPoints: { main: join(dist, 'main.js') },
    outdir: dist,
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    chunkNames: 'bundle/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3', 'pg', 'pg-native'],
    banner: { js: banner },
    // Composed with tsc's maps: node --enable-source-maps prints stack traces in src/ terms.
    sourcemap: true,
    logLevel: 'warning',
  });
}
