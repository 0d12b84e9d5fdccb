/**
 * Opening the library database safely: detect a damaged file or one written by a newer version before
 * anything writes to it, keep a backup copy in both cases (and before every schema upgrade), then switch
 * on WAL and foreign keys and migrate. A damaged or newer database is never overwritten.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LibraryError } from './errors';
import { LATEST_VERSION, migrate } from './migrations';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenDatabaseOptions {
  /** Path of a better_sqlite3.node built for another ABI (Electron passes its own build). */
  nativeBinding?: string;
  readonly?: boolean;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Copy the database file and its WAL/SHM side files next to it, byte for byte; returns the copy's path. */
export function backupRawFiles(dbPath: string, label: string): string {
  const backup = `${dbPath}.${label}-${timestamp()}.bak`;
  fs.copyFileSync(dbPath, backup);
  for (const side of ['-wal', '-shm']) {
    if (fs.existsSync(dbPath + side)) fs.copyFileSync(dbPath + side, backup + side);
  }
  return backup;
}

function corrupt(dbPath: string, detail: string, cause?: unknown): LibraryError {
  let backup: string | undefined;
  try {
    backup = backupRawFiles(dbPath, 'corrupt');
  } catch {
    /* the message still says what happened; the original file is untouched either way */
  }
  return new LibraryError(
    'CORRUPT_DATABASE',
    `The library database ${dbPath} is damaged (${detail}). It was not changed` +
      (backup ? `; a copy was saved as ${backup}` : '') +
      `. Restore an earlier backup, or move the file away to start a new library (the files in ` +
      `${path.join(path.dirname(dbPath), 'assets')} are then moved aside, untouched, and the app says where).`,
    backup,
    { cause },
  );
}

/**
 * Why the library cannot be written where it is (a read-only mount, a folder or database file without
 * write permission), or null. SQLite itself would open such a file read-only without a word and fail
 * later with "unable to open database file" or "attempt to write a readonly database".
 */
function unwritable(dbPath: string): string | null {
  for (const target of [path.dirname(dbPath), dbPath]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') continue; // no database file yet: the folder's check is the one that counts
      const why = code === 'EROFS' ? 'it is on a read-only file system' : 'this user has no permission to write it';
      return `${target === dbPath ? 'the library database' : 'the data folder'} ${target} cannot be written: ${why}`;
    }
  }
  return null;
}

/** Open (creating if needed), verify and migrate the database at `dbPath`. */
export function openDatabase(dbPath: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (!options.readonly) {
    const why = unwritable(dbPath);
    if (why) throw new LibraryError('IO', `Could not open the library: ${why}. Choose a writable data folder (--data-dir), or fix its permissions; nothing was changed.`);
  }
  const exists = fs.existsSync(dbPath) && fs.statSync(dbPath).size > 0;
  if (exists) {
    // Check the header ourselves first: SQLite would otherwise treat some garbage as an empty database.
    const head = Buffer.alloc(16);
    const fd = fs.openSync(dbPath, 'r');
    const n = fs.readSync(fd, head, 0, 16, 0);
    fs.closeSync(fd);
    if (n < 16 || !head.equals(SQLITE_MAGIC)) throw corrupt(dbPath, 'not an SQLite database file');
  } else if (options.readonly) {
    throw new LibraryError('NOT_FOUND', `No library database at ${dbPath}; open the library read-write once to create it.`);
  }

  let db: Database.Database;
  try {
    db = new Database(dbPath, {
      readonly: !!options.readonly,
      fileMustExist: !!options.readonly,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (err) {
    const msg = (err as Error).message;
    if (options.nativeBinding || /NODE_MODULE_VERSION|better_sqlite3\.node|bindings file/.test(msg)) {
      throw new LibraryError(
        'IO',
        `The SQLite native module${options.nativeBinding ? ` at ${options.nativeBinding}` : ''} could not be loaded (${msg}). ` +
          `It must be built for this runtime's ABI (Node ${process.versions.node}` +
          `${process.versions.electron ? `, Electron ${process.versions.electron}` : ''}); run \`npm run setup\` to rebuild it.`,
        undefined,
        { cause: err },
      );
    }
    throw new LibraryError('IO', `Could not open the library database ${dbPath}: ${msg}`, undefined, { cause: err });
  }

  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      if (exists) {
        const rows = db.pragma('quick_check') as { quick_check: string }[];
        const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
        if (problems.length > 0) throw corrupt(dbPath, problems.slice(0, 3).join('; '));
      }
    } catch (err) {
      if (err instanceof LibraryError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
        throw corrupt(dbPath, (err as Error).message, err);
      }
      throw err;
    }

    if (version > LATEST_VERSION) {
      const backup = backupRawFiles(dbPath, `schema-v${version}`);
      throw new LibraryError(
        'NEWER_DATABASE',
        `The library database ${dbPath} was written by a newer version of Fast-SAM3D Studio (schema ` +
          `version ${version}; this version understands up to ${LATEST_VERSION}). It was not changed; a ` +
          `copy was saved as ${backup}. Update the app, or choose another data folder.`,
        backup,
      );
    }

    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    if (options.readonly) {
      if (version < LATEST_VERSION) {
        throw new LibraryError(
          'CONFLICT',
          `The library database ${dbPath} has schema version ${version}; open it read-write once to upgrade it to ${LATEST_VERSION}.`,
        );
      }
      return db;
    }
    db.pragma('journal_mode = WAL');
    // FULL makes each commit durable on its own (NORMAL may lose the last commits on power loss).
    db.pragma('synchronous = FULL');
    if (version < LATEST_VERSION) {
      if (version > 0) {
        // Keep the pre-upgrade state; VACUUM INTO writes a consistent single-file copy.
        const backup = `${dbPath}.schema-v${version}-${timestamp()}.bak`;
        db.prepare('VACUUM INTO ?').run(backup);
      }
      migrate(db);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The better-sqlite3 binary to load under Electron: the Electron-ABI build that `npm run setup` puts in
 * `<appRoot>/.cache/electron-native/`, when running inside Electron and it exists; otherwise undefined
 * (plain Node loads the package's own build).
 */
export function electronNativeBinding(appRoot: string): string | undefined {
  if (!process.versions.electron) return undefined;
  const file = path.join(appRoot, '.cache', 'electron-native', 'better_sqlite3.node');
  return fs.existsSync(file) ? file : undefined;
}
