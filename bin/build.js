#!/usr/bin/env node
// `npm run build`: compiles src/ into dist/, bundles the service's entry (bin/bundle-service.js),
// and stamps dist/ with the sources it was compiled from, so that bin/parallel-scim.js can tell a
// current build from a stale one (bin/build-stamp.js).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotSources, stampPath, writeStamp } from './build-stamp.js';
import { bundleService } from './bundle-service.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Unstamped while compiling: a build that fails half-way must not leave an older stamp vouching
// for the files it did overwrite.
rmSync(stampPath(root), { force: true });
// Taken before the compile: a file edited while tsc runs then differs from the stamp, and the
// launcher treats the build as stale instead of trusting output compiled from either version.
const sources = snapshotSources(root);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
bundleService(root);
writeStamp(root, sources);
