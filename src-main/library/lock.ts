/**
 * Who has the library open. Every open Library registers itself as a file in `<dataDir>/library.holders/`
 * (`<pid>-<instance>.json`), so that a second process (another host, the CLI, a window started while one
 * runs) is known to every other one for as long as it is open: crash recovery must not take a live
 * process's runs, job folders or half-written files for a crash's leftovers. One file per holder, never a
 * shared one, so that two processes opening at once never overwrite each other's entry.
 *
 * A PID alone is not enough: after a reboot, or long enough, a crashed app's PID belongs to some other
 * process, and recovery would wait for it forever (runs stuck "queued", not even trashable). So a holder
 * also records its start time where the system tells it (Linux: /proc/<pid>/stat), and counts as alive
 * only while a process with that PID and that start time runs. Elsewhere the PID check is what there is.
 *
 * Builds before the registry wrote one `library.lock` with the PID of the process that owned recovery;
 * it is still read as a holder, so that an older build running beside this one is respected.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), or null where unknown. */
  started: string | null;
}

export const HOLDERS_DIR = 'library.holders';
export const LEGACY_LOCK = 'library.lock';

/** Start time of process `pid` (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // fields[0] is field 3 (state)
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** A holder file (or the legacy lock): the PID alone (older builds) or {pid, started}. Null when unreadable. */
export function readLock(file: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  try {
    const j = JSON.parse(text) as Partial<LockHolder> | number;
    if (typeof j === 'number') return { pid: j, started: null };
    if (typeof j.pid === 'number') return { pid: j.pid, started: typeof j.started === 'string' ? j.started : null };
  } catch {
    /* not JSON: unreadable, nobody */
  }
  return null;
}

/** Is the process that wrote this holder still running? */
export function holderAlive(h: LockHolder): boolean {
  if (!(h.pid > 0) || !pidAlive(h.pid)) return false;
  if (h.started === null) return true;
  const now = processStartTime(h.pid);
  return now === null || now === h.started;
}

let self: LockHolder | undefined;

/** This process as a holder (its start time read once: it does not change while it runs). */
export function selfHolder(): LockHolder {
  return (self ??= { pid: process.pid, started: processStartTime(process.pid) });
}

/** One open Library's entry in the registry. */
export class HolderEntry {
  /** Unique per Library instance: the same process may open a folder twice (and close one of them). */
  readonly instance = randomUUID();
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, HOLDERS_DIR, `${process.pid}-${this.instance}.json`);
  }

  register(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify(selfHolder()));
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * The live holders of the library in `dataDir` that are other processes than this one (the legacy lock
 * included). Entries of processes that have gone are removed on the way (best effort).
 */
export function otherLiveHolders(dataDir: string): LockHolder[] {
  const live: LockHolder[] = [];
  for (const file of holderFiles(dataDir)) {
    const h = readLock(file);
    if (h && h.pid !== process.pid && holderAlive(h)) live.push(h);
    else if (file !== path.join(dataDir, LEGACY_LOCK) && (!h || h.pid !== process.pid)) {
      try {
        fs.rmSync(file, { force: true });
      } catch {
        /* a file that cannot be removed stays; it was read as dead */
      }
    }
  }
  return live;
}

/** The files that register a holder of the library in `dataDir`: the legacy lock, then the registry's entries. */
function holderFiles(dataDir: string): string[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(dataDir, HOLDERS_DIR)).filter((n) => n.endsWith('.json'));
  } catch {
    /* no registry yet */
  }
  return [path.join(dataDir, LEGACY_LOCK), ...names.map((n) => path.join(dataDir, HOLDERS_DIR, n))];
}

/**
 * Whether any live process, this one included, has the library in `dataDir` registered (the legacy lock
 * included): one that may have the database's -wal and -shm files open. Only reads; removes nothing.
 */
export function anyLiveHolder(dataDir: string): boolean {
  return holderFiles(dataDir).some((file) => {
    const h = readLock(file);
    return h !== null && holderAlive(h);
  });
}
