/**
 * Opening the library database safely: detect a damaged file or one written by a newer version before
 * anything writes to it, keep a backup copy in both cases (and before every schema upgrade), then switch
 * on WAL and foreign keys and migrate. A damaged or newer database is never written: it is looked at
 * through a read-only connection first (which can neither checkpoint the WAL into the file nor delete the
 * -wal and -shm files), and the side files that look made or rebuilt are put back as they were found.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LibraryError } from './errors';
import { sha256File } from './files';
import { anyLiveHolder } from './lock';
import { LATEST_VERSION, migrate } from './migrations';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const SIDE_FILES = ['-wal', '-shm'] as const;

export interface OpenDatabaseOptions {
  /** Path of a better_sqlite3.node built for another ABI (Electron passes its own build). */
  nativeBinding?: string;
  readonly?: boolean;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Compares files with `file`'s bytes: two missing files are the same, one missing file is not. `file` is
 * hashed once, the first time a candidate of its size comes.
 */
function sameBytesAs(file: string): (other: string) => boolean {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  let hash: string | undefined;
  return (other) => {
    const so = fs.statSync(other, { throwIfNoEntry: false });
    if (!st || !so) return !st && !so;
    return st.size === so.size && (hash ??= sha256File(file)) === sha256File(other);
  };
}

/**
 * A copy saved earlier by backupRawFiles(dbPath, label) of this same state, or undefined: the database
 * and its -wal compared byte for byte (the -shm is an index SQLite rebuilds from the -wal, so it is copied
 * but not compared).
 */
function earlierBackup(dbPath: string, label: string): string | undefined {
  const prefix = `${path.basename(dbPath)}.${label}-`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(dbPath)).filter((n) => n.startsWith(prefix) && n.endsWith('.bak')).sort();
  } catch {
    return undefined;
  }
  const sameDb = sameBytesAs(dbPath);
  const sameWal = sameBytesAs(`${dbPath}-wal`);
  for (const name of names) {
    const candidate = path.join(path.dirname(dbPath), name);
    try {
      if (sameDb(candidate) && sameWal(`${candidate}-wal`)) return candidate;
    } catch {
      /* unreadable: not a match */
    }
  }
  return undefined;
}

export interface RawBackup {
  path: string;
  /** An identical copy was already there (an earlier attempt saved it); nothing new was written. */
  earlier: boolean;
}

/**
 * Copy the database file and its WAL/SHM side files next to it, byte for byte, as
 * `<db>.<label>-<time>.bak` (+ `-wal`, `-shm`); returns the copy's path. A copy of the same bytes saved
 * by an earlier attempt is reused rather than copied again, so an app started again and again on a
 * damaged library keeps one copy per damaged state, not one per start. A copy that fails halfway is
 * removed (no partial backup that looks whole).
 */
function backupRawFiles(dbPath: string, label: string): RawBackup {
  const earlier = earlierBackup(dbPath, label);
  if (earlier) return { path: earlier, earlier: true };
  const backup = `${dbPath}.${label}-${timestamp()}.bak`;
  try {
    fs.copyFileSync(dbPath, backup, fs.constants.COPYFILE_EXCL);
    for (const side of SIDE_FILES) {
      if (fs.existsSync(dbPath + side)) fs.copyFileSync(dbPath + side, backup + side, fs.constants.COPYFILE_EXCL);
    }
  } catch (err) {
    for (const f of [backup, ...SIDE_FILES.map((s) => backup + s)]) fs.rmSync(f, { force: true });
    throw err;
  }
  return { path: backup, earlier: false };
}

function tryBackup(dbPath: string, label: string): RawBackup | undefined {
  try {
    return backupRawFiles(dbPath, label);
  } catch {
    return undefined; // a read-only or full disk: the message still says what happened and what to do
  }
}

function savedAs(backup: RawBackup | undefined): string {
  if (!backup) return '';
  return backup.earlier
    ? `; a copy was saved as ${backup.path} at an earlier attempt (the files have not changed since, so no new copy was made)`
    : `; a copy was saved as ${backup.path} (with its -wal and -shm beside it where the library had them)`;
}

function corrupt(dbPath: string, detail: string, cause?: unknown): LibraryError {
  const backup = tryBackup(dbPath, 'corrupt');
  const name = path.basename(dbPath);
  // Name the side files only where they are: the -wal is what a recovery must not lose.
  const sides = SIDE_FILES.filter((side) => fs.existsSync(dbPath + side)).map((side) => name + side);
  const files = sides.length
    ? `${name} and its ${sides.join(' and ')} ${sides.length === 1 ? 'file' : 'files'}` +
      (sides.includes(`${name}-wal`) ? ' (the -wal holds the latest changes) are' : ' are')
    : `${name} is`;
  return new LibraryError(
    'CORRUPT_DATABASE',
    `The library database ${dbPath} is damaged (${detail}). It was not changed: ${files} as found` + savedAs(backup) +
      `. To recover, quit Fast-SAM3D Studio (and any fastsam3d command), then restore the data folder from your ` +
      `own backup, or start a new library by moving ${sides.length ? `${name} together with ${sides.join(' and ')}` : name} out of ` +
      `${path.dirname(dbPath)} (the files in ${path.join(path.dirname(dbPath), 'assets')} are then moved aside, ` +
      `untouched, and the app says where). SQLite's ".recover" command can often rescue the rows from the copy.`,
    backup?.path,
    { cause },
  );
}

function newer(dbPath: string, version: number): LibraryError {
  const backup = tryBackup(dbPath, `schema-v${version}`);
  return new LibraryError(
    'NEWER_DATABASE',
    `The library database ${dbPath} was written by a newer version of Fast-SAM3D Studio (schema ` +
      `version ${version}; this version understands up to ${LATEST_VERSION}). It was not changed` + savedAs(backup) +
      `. Update the app, or choose another data folder.`,
    backup?.path,
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

/** A better-sqlite3 connection, with a native module built for another ABI said as what to do. */
function connect(source: string | Buffer, dbPath: string, options: OpenDatabaseOptions & { readonly: boolean }): Database.Database {
  try {
    return new Database(source, {
      readonly: options.readonly,
      fileMustExist: options.readonly,
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
}

function sqliteCode(err: unknown): string {
  return (err as { code?: unknown } | null)?.code?.toString() ?? '';
}

const isCorruptCode = (code: string): boolean => code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');

/**
 * A read-only connection to `dbPath`. On a read-only disk SQLite cannot open a WAL-mode database that was
 * closed cleanly (it would have to create the -shm file beside it): such a database holds every change in
 * its own file, so it is read from a copy in memory instead (marked as a rollback-journal database there).
 */
function connectReadonly(dbPath: string, options: OpenDatabaseOptions): Database.Database {
  const db = connect(dbPath, dbPath, { ...options, readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('schema_version'); // SQLite opens the file (and its WAL) at the first statement
    return db;
  } catch (err) {
    db.close();
    if (sqliteCode(err) !== 'SQLITE_CANTOPEN' || !unwritable(dbPath)) throw err;
    const wal = fs.statSync(`${dbPath}-wal`, { throwIfNoEntry: false });
    if (wal?.isFile() && wal.size > 0) {
      throw new LibraryError(
        'IO',
        `The library database ${dbPath} is on a disk that cannot be written, and its latest changes are still in ` +
          `${path.basename(dbPath)}-wal without the -shm file SQLite needs to read them there. Copy the whole data ` +
          `folder to a writable disk and open it there; nothing was changed.`,
        undefined,
        { cause: err },
      );
    }
    const bytes = fs.readFileSync(dbPath);
    bytes[18] = 1; // file format read/write versions: 2 = WAL, 1 = rollback journal (memory has no WAL)
    bytes[19] = 1;
    const copy = connect(bytes, dbPath, { ...options, readonly: true });
    copy.pragma('busy_timeout = 5000');
    return copy;
  }
}

/** The side files as found, before a read-only look: whether the -wal existed, and the -shm's bytes. */
interface SideFiles { wal: boolean; shm: Buffer | null }

function sideFilesNow(dbPath: string): SideFiles {
  let shm: Buffer | null = null;
  try {
    shm = fs.readFileSync(`${dbPath}-shm`);
  } catch {
    /* none */
  }
  return { wal: fs.existsSync(`${dbPath}-wal`), shm };
}

/**
 * After a look that found the database unusable, put the side files back as found: SQLite's read-only
 * connection never writes the database or its -wal, but it creates an empty -wal where there was none and
 * rebuilds the -shm (the WAL's index) and its read marks. Only while no live process has the library
 * registered (another one would have these files open); best effort.
 */
function putSideFilesBack(dbPath: string, found: SideFiles): void {
  if (anyLiveHolder(path.dirname(dbPath))) return;
  try {
    const wal = `${dbPath}-wal`;
    if (!found.wal && fs.statSync(wal, { throwIfNoEntry: false })?.size === 0) fs.rmSync(wal, { force: true });
    const shm = `${dbPath}-shm`;
    if (found.shm === null) fs.rmSync(shm, { force: true });
    else if (!fs.readFileSync(shm).equals(found.shm)) fs.writeFileSync(shm, found.shm);
  } catch {
    /* a read-only disk: nothing could have been changed there either */
  }
}

/**
 * Look at an existing database through a read-only connection: its schema version and `quick_check`.
 * A damaged database (CORRUPT_DATABASE) or one of a newer schema (NEWER_DATABASE) is refused with its
 * files as they were found and one backup of that state; otherwise the connection is returned open.
 */
function lookAt(dbPath: string, options: OpenDatabaseOptions): { db: Database.Database; version: number } {
  const found = sideFilesNow(dbPath);
  let db: Database.Database | undefined;
  let damage: { detail: string; cause?: unknown } | undefined;
  let version = 0;
  try {
    db = connectReadonly(dbPath, options);
    version = db.pragma('user_version', { simple: true }) as number;
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) damage = { detail: problems.slice(0, 3).join('; ') };
  } catch (err) {
    if (!isCorruptCode(sqliteCode(err))) {
      db?.close();
      throw err;
    }
    damage = { detail: (err as Error).message, cause: err };
  }
  if (damage || version > LATEST_VERSION) {
    db?.close();
    putSideFilesBack(dbPath, found);
    throw damage ? corrupt(dbPath, damage.detail, damage.cause) : newer(dbPath, version);
  }
  return { db: db!, version };
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

  if (options.readonly) {
    const { db, version } = lookAt(dbPath, options);
    if (version < LATEST_VERSION) {
      db.close();
      throw new LibraryError(
        'CONFLICT',
        `The library database ${dbPath} has schema version ${version}; open it read-write once to upgrade it to ${LATEST_VERSION}.`,
      );
    }
    db.pragma('foreign_keys = ON');
    return db;
  }
  // Checked before the read-write connection exists: closing that one would checkpoint the WAL into the file.
  if (exists) lookAt(dbPath, options).db.close();

  const db = connect(dbPath, dbPath, { ...options, readonly: false });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
    // FULL makes each commit durable on its own (NORMAL may lose the last commits on power loss).
    db.pragma('synchronous = FULL');
    const version = db.pragma('user_version', { simple: true }) as number;
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
