import { resolve } from 'node:path';
import { ScimError } from '../scim/scim-error.js';
import type { BackupCopy, Store } from '../store/store.js';
import { BackupRefused } from '../store/store-errors.js';

export type { BackupCopy } from '../store/store.js';

/**
 * Backups of the database the service runs on (docs/operations.md "Backups"): on SQLite an online
 * copy made while the server keeps serving, checked before it is kept; on PostgreSQL a clear
 * refusal, as pg_dump or the server's own base backups (PITR) are the tools there.
 */
export class Backups {
  constructor(private readonly store: Store) {}

  /** Copies the database to `file` (relative to the working folder); `replace` allows an existing file. */
  async backupTo(file: string, options: { readonly replace?: boolean } = {}): Promise<BackupCopy> {
    if (this.store.dialect !== 'sqlite') {
      throw new ScimError(
        400,
        'backup copies a SQLite database; on PostgreSQL use pg_dump (or base backups with WAL archiving for ' +
          'point-in-time recovery), see docs/operations.md "Backups"',
        undefined,
        'backup.postgres',
      );
    }
    if (file.trim() === '') throw new ScimError(400, 'the backup needs a file name', undefined, 'backup.noFile');
    try {
      return await this.store.backupTo(resolve(file), { replace: options.replace === true });
    } catch (error) {
      if (!(error instanceof BackupRefused)) throw error;
      throw new ScimError(
        REFUSAL_STATUS[error.reason],
        refusalDetail(error, file),
        undefined,
        `backup.${error.reason}`,
      );
    }
  }
}

const REFUSAL_STATUS: Record<BackupRefused['reason'], number> = {
  exists: 409,
  folder: 404,
  source: 400,
  corrupt: 500,
  unsupported: 400,
};

function refusalDetail(error: BackupRefused, file: string): string {
  switch (error.reason) {
    case 'exists':
      return `${file} exists; nothing was written (--force replaces it)`;
    case 'folder':
      return `the folder of ${file} does not exist; nothing was written`;
    case 'source':
      return `${file} is the live database itself; back up to another file`;
    default:
      return `${error.message}; nothing was kept`;
  }
}
