/**
 * `library.lock`: which process has the library open, so that a second one (another window, the CLI)
 * does not take the first one's queued runs for a crash's leftovers. A PID alone is not enough: after a
 * reboot, or long enough, a crashed app's PID belongs to some other process, and crash recovery would
 * wait for it forever (runs stuck "queued", not even trashable). So the lock also records the holder's
 * start time where the system tells it (Linux: /proc/<pid>/stat), and a holder counts as alive only while
 * a process with that PID and that start time runs. Elsewhere the PID check is what there is.
 */
import fs from 'node:fs';

export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), or null where unknown. */
  started: string | null;
}

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

/** The lock's holder; a lock written by older builds holds the PID alone. Null when there is no lock. */
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
    /* not JSON: unreadable lock, nobody */
  }
  return null;
}

/** Is the process that wrote this lock still running? */
export function holderAlive(h: LockHolder): boolean {
  if (!(h.pid > 0) || !pidAlive(h.pid)) return false;
  if (h.started === null) return true;
  const now = processStartTime(h.pid);
  return now === null || now === h.started;
}

/** Take the lock for this process. */
export function writeLock(file: string): void {
  const holder: LockHolder = { pid: process.pid, started: processStartTime(process.pid) };
  fs.writeFileSync(file, JSON.stringify(holder));
}

/** Remove the lock if this process holds it. */
export function releaseLock(file: string): void {
  if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}
