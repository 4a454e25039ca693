import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { BackupCopy } from '../store.js';
import { BackupRefused } from '../store-errors.js';

/**
 * Pages copied per step of the online backup (4 KiB pages: 16 MiB). Between steps the source is
 * not locked, and a commit by another process (the server) makes SQLite start the copy over at
 * the next step; within a step the copy reads one consistent snapshot, which in WAL mode blocks
 * no writer.
 */
export const BACKUP_PAGES_PER_STEP = 4096;

/**
 * After this many restarts (the server kept committing between steps) the rest is copied in one
 * step: in WAL mode that still blocks no writer, and the backup is sure to finish.
 */
const RESTARTS_BEFORE_ONE_STEP = 3;

/**
 * Copies the open database `source` to `target` with SQLite's online backup API: one committed
 * state, consistent while other processes read and write (copying the file, with or without its
 * -wal, is not). The copy is written to a temporary file beside `target`, checked on a connection
 * of its own (integrity_check, migration level, counts), left in rollback-journal mode so that the
 * backup is one self-contained file (the server turns WAL back on when it opens a restored copy),
 * and only then takes the name `target`: an existing file is never touched unless `replace`.
 */
export async function backupSqlite(
  source: Database.Database,
  target: string,
  options: { readonly replace: boolean },
): Promise<BackupCopy> {
  refuseSourceItself(source.name, target);
  if (!options.replace && exists(target)) throw new BackupRefused('exists', `${target} exists`);
  const partial = join(dirname(target), `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    let steps = 0;
    let restarts = 0;
    let lastRemaining = Number.POSITIVE_INFINITY;
    await source.backup(partial, {
      progress: ({ remainingPages }) => {
        steps++;
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return restarts >= RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : BACKUP_PAGES_PER_STEP;
      },
    });
    const figures = checkCopy(partial);
    if (figures.integrity !== 'ok') {
      throw new BackupRefused('corrupt', `the copy failed its integrity check: ${figures.integrity}`);
    }
    publish(partial, target, options.replace);
    return { path: target, ...figures, steps, restarts };
  } finally {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
  }
}

/** What the copy holds, read from the copy itself. */
function checkCopy(file: string): Omit<BackupCopy, 'path' | 'steps' | 'restarts'> {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[];
    const level = copy.prepare('select max(name) from kysely_migration').pluck().get() as string | null;
    const count = (query: string) => copy.prepare(query).pluck().get() as number;
    return {
      bytes: statSync(file).size,
      integrity: rows.map((r) => r.integrity_check).join('; '),
      migrationLevel: level,
      organizations: count('select count(*) from orgs'),
      users: count('select count(*) from users where deleted_at is null'),
    };
  } finally {
    copy.close();
  }
}

/**
 * Gives the checked copy its name. Without `replace`, a hard link: it fails if the name was
 * taken meanwhile, where a check then a rename could still overwrite a file made in between.
 * The folder is synced so the new name survives a crash.
 */
function publish(partial: string, target: string, replace: boolean): void {
  if (replace) {
    renameSync(partial, target);
  } else {
    try {
      linkSync(partial, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupRefused('exists', `${target} exists`);
      throw error;
    }
  }
  const folder = openSync(dirname(target), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A backup onto the live file or its -wal/-shm (with --force, renamed over it) would destroy it. */
function refuseSourceItself(sourceFile: string, target: string): void {
  const canonical = (file: string) => {
    try {
      return realpathSync(file);
    } catch {
      // Not there yet: the real path of its folder, and its name.
      return join(realpathSync(dirname(file)), basename(file));
    }
  };
  let to: string;
  try {
    to = canonical(target);
  } catch {
    throw new BackupRefused('folder', `the folder of ${target} does not exist`);
  }
  const live = canonical(sourceFile);
  if ([live, `${live}-wal`, `${live}-shm`, `${live}-journal`].includes(to)) {
    throw new BackupRefused('source', `${target} is the database itself`);
  }
}
