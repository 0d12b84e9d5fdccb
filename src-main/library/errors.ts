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

/** Wrap a low-level failure of `what` into a LibraryError that says what happened and what to do. */
export function asLibraryError(err: unknown, what: string): LibraryError {
  if (err instanceof LibraryError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (isDiskFull(err)) {
    return new LibraryError(
      'DISK_FULL',
      `Could not ${what}: the disk holding the library is full (${detail}). Free some space or move the ` +
        `data folder, then try again; nothing was changed.`,
      undefined,
      { cause: err },
    );
  }
  return new LibraryError('IO', `Could not ${what}: ${detail}`, undefined, { cause: err });
}
