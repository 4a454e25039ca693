// Whether dist/ was built from the src/ that is here now. `npm run build` (bin/build.js) records
// src/ as it was when the compile started; the launcher compares that record with src/ on every
// start, before it decides to run dist/.
//
// The check has to cost next to nothing, so it first compares what stat() says: the mtime and size
// of every source file the build saw, and the mtime of every directory (adding, deleting or
// renaming a file, and editors that save by renaming, change the directory's). Only when one of
// those moved does it read src/ and compare a hash of the contents, so a `touch` or a checkout that
// brings back the same text does not count as a change. Stamps are compared for equality, never
// "newer than", so sources copied in with older timestamps (rsync -a, tar) count as a change too.
// What it cannot see is a content change that keeps every mtime and size, which only a tool that
// sets mtimes on purpose makes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 1;

/** Tests are not compiled into dist/ (tsconfig.build.json), so editing one does not make it stale. */
const isSource = (name) => !name.endsWith('.test.ts');

export const stampPath = (root) => join(root, 'dist', 'build-stamp.json');

/**
 * src/ as it is now: every directory's mtime, every source file's mtime and size, and a hash of
 * the contents, read after the stat() calls so that an edit in between shows as a changed mtime.
 */
export function snapshotSources(root) {
  const dirs = {};
  const files = {};
  const walk = (rel) => {
    dirs[rel] = statSync(join(root, rel)).mtimeMs;
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (isSource(entry.name)) {
        const stat = statSync(join(root, path));
        files[path] = [stat.mtimeMs, stat.size];
      }
    }
  };
  walk('src');
  return { version: VERSION, dirs, files, hash: contentHash(root, Object.keys(files)) };
}

function contentHash(root, paths) {
  const hash = createHash('sha256');
  for (const path of [...paths].sort()) {
    const content = readFileSync(join(root, path));
    hash.update(`${path}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

function unchangedOnDisk(root, stamp) {
  try {
    for (const [dir, mtimeMs] of Object.entries(stamp.dirs)) {
      if (statSync(join(root, dir)).mtimeMs !== mtimeMs) return false;
    }
    for (const [path, [mtimeMs, size]] of Object.entries(stamp.files)) {
      const stat = statSync(join(root, path));
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * `none`: no build, `fresh`: dist/ matches src/ (or there is no src/ to compare with, as in an
 * install that ships dist/ alone), `stale`: anything else, with the reason for a person to read.
 */
export function distState(root) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) return { kind: 'none' };
  if (!existsSync(join(root, 'src', 'cli', 'main.ts'))) return { kind: 'fresh' };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath(root), 'utf8'));
  } catch {
    return { kind: 'stale', reason: 'dist/ has no build stamp (a build failed, is running, or was not npm run build)' };
  }
  if (stamp?.version !== VERSION) return { kind: 'stale', reason: 'dist/ has a build stamp of another version' };
  if (unchangedOnDisk(root, stamp)) return { kind: 'fresh' };
  let now;
  try {
    now = snapshotSources(root);
  } catch {
    return { kind: 'stale', reason: 'src/ could not be read to compare it with dist/' };
  }
  if (now.hash !== stamp.hash) return { kind: 'stale', reason: 'src/ has changed since dist/ was built' };
  // Same text under new mtimes: recorded, so that the next start takes the stat() path again.
  // Best effort, as an install may keep dist/ read-only.
  try {
    writeStamp(root, now);
  } catch {}
  return { kind: 'fresh' };
}

/** Replaced in one rename, so that a start running meanwhile reads the old stamp or the new one. */
export function writeStamp(root, sources) {
  const temporary = `${stampPath(root)}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(sources)}\n`);
  renameSync(temporary, stampPath(root));
}
