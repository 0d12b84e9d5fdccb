/**
 * `mkdir -p` that cannot spin. Node's recursive mkdir retries forever where mkdir answers ENOENT for a
 * folder whose parent exists (under /proc, on some FUSE and network mounts): `--output-dir /proc/x/out`
 * hung the CLI with a core at 100 %. Here the missing levels are found first (up to the nearest existing
 * ancestor) and each is created once, so such a path fails with the errno of the level that could not be
 * made, and a file in the way fails as mkdir reports it (EEXIST, ENOTDIR).
 */
import fs from 'node:fs';
import path from 'node:path';

/** Create `dir` and its missing parents; returns the first folder created (as recursive mkdir does). */
export function makeDirsSync(dir: string): string | undefined {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (stat) {
      // A file where a folder should be: let mkdir say so (EEXIST for the target, ENOTDIR below it).
      if (!stat.isDirectory()) fs.mkdirSync(missing.at(-1) ?? p);
      break;
    }
    if (path.dirname(p) === p) break; // no root: mkdir below reports it
    missing.push(p);
  }
  missing.reverse();
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      // Made meanwhile by someone else: fine when it is a folder.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(m).isDirectory()) throw e;
    }
  }
  return missing[0];
}
