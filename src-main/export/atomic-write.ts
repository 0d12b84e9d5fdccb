/**
 * Atomic file writes: the data goes to a temporary file in the destination folder (same filesystem, so
 * the rename is atomic), is fsync'ed, then renamed over the destination. Any failure removes the
 * temporary file, so a reader never sees a half-written asset and a full disk leaves nothing behind.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A write that failed; `code` is the errno name (ENOSPC, EACCES, …) and the message says what to do. */
export class ExportWriteError extends Error {
  override readonly name = 'ExportWriteError';
  constructor(
    message: string,
    readonly code: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** The file operations used, injectable so tests can simulate a full disk mid-write. */
export interface WriteFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
}

const realFs: WriteFs = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink };

/** A write error as the user should read it: what went wrong with which file or folder, and what to do. */
export function explainWriteError(err: NodeJS.ErrnoException, file: string): ExportWriteError {
  if (err instanceof ExportWriteError) return err;
  const dir = path.dirname(file);
  const code = err.code ?? 'EIO';
  const why: Record<string, string> = {
    ENOSPC: `The disk is full: could not write ${file}. Free some space or choose another folder.`,
    EFBIG: `The file is too large for this file system or for the size limit this process runs under: could not write ${file}. Free some space, raise the limit or choose another folder.`,
    EDQUOT: `The disk quota is exhausted: could not write ${file}. Free some space or choose another folder.`,
    EACCES: `Permission denied: cannot write into ${dir}. Choose a folder you can write to.`,
    EPERM: `Permission denied: cannot write into ${dir}. Choose a folder you can write to.`,
    EROFS: `The folder ${dir} is on a read-only filesystem. Choose another folder.`,
    ENOENT: `The folder ${dir} does not exist. Create it or choose another folder.`,
    ENOTDIR: `${dir} is not a folder. Choose another output folder.`,
    EISDIR: `${file} is a folder, not a file. Remove it or choose another name or folder.`,
    EEXIST: `${file} exists and cannot be replaced. Remove it or choose another name or folder.`,
    ENAMETOOLONG: `The name is too long for this file system: could not write ${file}. Choose a shorter name or a folder with a shorter path.`,
  };
  return new ExportWriteError(why[code] ?? `Could not write ${file}: ${err.message}`, code, file);
}

/** Write all of `data` into a new file `tmp` (it must not exist), fsync it and close it; returns the bytes. */
export async function writeNewFileSynced(open: typeof fsp.open, tmp: string, data: Uint8Array | string): Promise<number> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const handle = await open(tmp, 'wx', 0o644);
  try {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, Math.min(bytes.length - off, 1 << 24));
      if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      off += bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close().catch(() => undefined);
  }
  return bytes.length;
}

/** A hidden temporary name beside `file` (same folder, so the final rename stays on one file system). */
export function tempPathBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `file` atomically; throws ExportWriteError with a clear message on failure. */
export async function writeFileAtomic(file: string, data: Uint8Array | string, fs: WriteFs = realFs): Promise<number> {
  const tmp = tempPathBeside(file);
  try {
    const n = await writeNewFileSynced(fs.open, tmp, data);
    await fs.rename(tmp, file);
    return n;
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw explainWriteError(e as NodeJS.ErrnoException, file);
  }
}
