/**
 * Durable file writes for the asset store. Every file reaches its final name only through
 * write-to-temp → fsync → rename → fsync(dir), so after a crash a path holds either nothing or the whole
 * file. Temp names carry TEMP_MARKER so that the orphan sweep at open can recognise and remove them.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeDirsSync } from '../files/make-dirs';

export const TEMP_MARKER = '.partial-';

export interface StoredFile {
  sha256: string;
  bytes: number;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function fsyncDir(dir: string): void {
  // Directory fsync makes the rename itself durable; some platforms (Windows) cannot open a directory.
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort where unsupported */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
}

/** Write `data` to `target` atomically and durably; the temp file is removed if anything fails. */
export function writeFileAtomic(target: string, data: Uint8Array): StoredFile {
  makeDirsSync(path.dirname(target));
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(target));
  return { sha256: sha256(data), bytes: data.length };
}

/** Copy `source` to `target` atomically and durably, hashing on the way (streams in 1 MiB chunks). */
export function copyFileAtomic(source: string, target: string): StoredFile {
  makeDirsSync(path.dirname(target));
  const tmp = tempPathFor(target);
  const hash = createHash('sha256');
  let bytes = 0;
  let src: number | undefined;
  let dst: number | undefined;
  try {
    src = fs.openSync(source, 'r');
    dst = fs.openSync(tmp, 'wx');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(src, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      let off = 0;
      while (off < n) off += fs.writeSync(dst, buf, off, n - off);
      bytes += n;
    }
    fs.fsyncSync(dst);
    fs.closeSync(dst);
    dst = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (dst !== undefined) fs.closeSync(dst);
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    if (src !== undefined) fs.closeSync(src);
  }
  fsyncDir(path.dirname(target));
  return { sha256: hash.digest('hex'), bytes };
}

/** Every regular file under `root`, as paths relative to it with forward slashes. */
export function listFilesRecursive(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), childRel);
      else out.push(childRel);
    }
  };
  walk(root, '');
  return out;
}
