/** Errors of the library, each with a code the API layer maps to an ApiError and a message a user can act on. */

export type LibraryErrorCode =
  | 'NOT_FOUND'
  | 'BAD_INPUT'
  | 'CONFLICT'
  | 'DISK_FULL'
  | 'CORRUPT_DATABASE'
  | 'NEWER_DATABASE'
  | 'BAD_ARCHIVE'
  | 'IO';

export class LibraryError extends Error {
  override name = 'LibraryError';
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
    /** Where a copy of a database that could not be opened was saved (CORRUPT_DATABASE, NEWER_DATABASE). */
    readonly backupPath?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DISK_FULL_ERRNO = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);

/** True for "no room left" from the file system or from SQLite. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return !!e && typeof e.code === 'string' && (DISK_FULL_ERRNO.has(e.code) || e.code === 'SQLITE_FULL');
}

/** True for SQLite's "another connection holds the lock" (after the busy timeout ran out). */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export interface WhereOptions {
  /**
   * What the full disk holds, for the message: "the library's data folder /x" (the default: "the
   * library"), or the folder an export was writing to. Name the place the user can free or change.
   */
  disk?: string;
  /** What to do besides freeing space (default: try again). */
  advice?: string;
}

/** Wrap a low-level failure of `what` into a LibraryError that says what happened and what to do. */
export function asLibraryError(err: unknown, what: string, where: WhereOptions = {}): LibraryError {
  if (err instanceof LibraryError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (isDiskFull(err)) {
    return new LibraryError(
      'DISK_FULL',
      `Could not ${what}: the disk holding ${where.disk ?? 'the library'} is full (${detail}). ` +
        `${where.advice ?? 'Free some space on it, then try again'}; nothing was changed.`,
      undefined,
      { cause: err },
    );
  }
  if (isBusy(err)) {
    return new LibraryError(
      'CONFLICT',
      `Could not ${what}: another Fast-SAM3D Studio process (the app, the browser host or another fastsam3d command) ` +
        `is writing to the library and did not finish within 5 seconds (${detail}). Try again in a moment; nothing was changed.`,
      undefined,
      { cause: err },
    );
  }
  return new LibraryError('IO', `Could not ${what}: ${detail}`, undefined, { cause: err });
}
