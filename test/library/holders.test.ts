/**
 * Who has the library open, and what opening may clean up: every open Library registers in
 * `library.holders/`; runs record the Library that runs them (`runs.owner`), so a run whose process has
 * gone is interrupted even while another process keeps the library open, and a live process's runs,
 * job folders and files are never taken for a crash's leftovers. And a lost database never costs the
 * files of the library it described.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../src-main/library';
import { HOLDERS_DIR, processStartTime, readLock } from '../../src-main/library/lock';
import { imageWithMask, libraryOpener, queued, runInput, tempDir } from './fixtures';

const openLib = libraryOpener(32);

const holderFiles = (dir: string) => (fs.existsSync(path.join(dir, HOLDERS_DIR)) ? fs.readdirSync(path.join(dir, HOLDERS_DIR)) : []);

/** Pretend another live process (our parent, certainly alive) has the library open, as its holder entry would. */
function otherProcessHolds(dir: string): string {
  const file = path.join(dir, HOLDERS_DIR, `${process.ppid}-other.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, started: processStartTime(process.ppid) }));
  return file;
}

/** Give a run the owner a Library of another process writes: alive (our parent) or gone (a PID no process has). */
function ownRunBy(lib: Library, runId: string, who: 'live other process' | 'dead process'): void {
  const owner = who === 'live other process' ? `${process.ppid}:${processStartTime(process.ppid) ?? ''}:x` : '999999999::x';
  lib.db.prepare(`UPDATE runs SET owner = ? WHERE id = ?`).run(owner, runId);
}

describe('the holder registry', () => {
  it('each open Library has its own entry with its PID and start time, removed when it closes', () => {
    const dir = tempDir();
    const a = Library.open(dir);
    const b = Library.open(dir);
    const files = holderFiles(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(readLock(path.join(dir, HOLDERS_DIR, f))).toEqual({ pid: process.pid, started: processStartTime(process.pid) });
    a.close();
    expect(holderFiles(dir)).toHaveLength(1);
    b.close();
    expect(holderFiles(dir)).toEqual([]);
  });

  it('another live process\'s entry keeps its files and job folders from the sweep; a dead one\'s entry is removed', async () => {
    const dir = tempDir();
    Library.open(dir).close();
    const other = otherProcessHolds(dir);
    const inFlight = path.join(dir, 'assets', 'runs', 'r1', 'a.glb');
    fs.mkdirSync(path.dirname(inFlight), { recursive: true });
    fs.writeFileSync(inFlight, 'being recorded by the other process');
    const jobDir = path.join(dir, 'jobs', 'its-job');
    fs.mkdirSync(jobDir, { recursive: true });
    Library.open(dir).close();
    expect(fs.existsSync(inFlight)).toBe(true);
    expect(fs.existsSync(jobDir)).toBe(true);
    // The other process has gone (its entry names a PID no process has): the next open cleans up.
    fs.writeFileSync(other, JSON.stringify({ pid: 999999999, started: null }));
    Library.open(dir).close();
    expect(fs.existsSync(inFlight)).toBe(false);
    expect(fs.existsSync(jobDir)).toBe(false);
    expect(holderFiles(dir)).toEqual([]);
  });
});

describe('runs whose owner has gone', () => {
  it('at open, a live process\'s run stays running while a dead process\'s is interrupted, though the library is not alone', async () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const { image, mask } = await imageWithMask(lib);
    const live = lib.beginRun(runInput(image.id, [mask.id]));
    const dead = lib.beginRun(queued(image.id, mask.id));
    ownRunBy(lib, live.id, 'live other process');
    ownRunBy(lib, dead.id, 'dead process');
    otherProcessHolds(dir);
    const second = openLib(dir);
    expect(second.getRun(live.id).status).toBe('running');
    expect(second.getRun(dead.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted/) });
  });

  it('a window beside a crashed one sees its runs interrupted when it lists them, and can trash them', async () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const { image, mask } = await imageWithMask(lib);
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    ownRunBy(lib, run.id, 'live other process');
    expect(lib.listRuns().find((r) => r.id === run.id)?.status).toBe('running');
    expect(() => lib.trashRun(run.id)).toThrow(/still running/);
    ownRunBy(lib, run.id, 'dead process'); // the other process is killed
    expect(lib.listRuns().find((r) => r.id === run.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted/) });
    lib.trashRun(run.id);
    expect(lib.listRuns({ trashed: true }).map((r) => r.id)).toEqual([run.id]);
  });

  it('a run of this process stays running while its Library is open, and is interrupted once that Library has closed', async () => {
    const dir = tempDir();
    const first = Library.open(dir);
    const { image, mask } = await imageWithMask(first);
    const run = first.beginRun(runInput(image.id, [mask.id]));
    const second = openLib(dir);
    expect(second.listRuns().find((r) => r.id === run.id)?.status).toBe('running');
    first.close();
    expect(second.listRuns().find((r) => r.id === run.id)?.status).toBe('failed');
  });
});

describe('a lost database', () => {
  for (const how of ['moved away', 'emptied to zero bytes'] as const) {
    it(`(${how}) does not cost the earlier library's files: they are moved aside, untouched, and the user is told where`, async () => {
      const dir = tempDir();
      const lib = Library.open(dir);
      await imageWithMask(lib);
      lib.close();
      const before = fs.readdirSync(path.join(dir, 'assets'), { recursive: true }).filter((f) => fs.statSync(path.join(dir, 'assets', String(f))).isFile());
      expect(before.length).toBeGreaterThanOrEqual(2); // the photo, its thumbnail and the mask
      const db = path.join(dir, 'library.sqlite');
      if (how === 'moved away') fs.renameSync(db, path.join(dir, 'elsewhere.sqlite'));
      else fs.truncateSync(db, 0);
      for (const side of ['-wal', '-shm']) fs.rmSync(db + side, { force: true });

      const fresh = openLib(dir);
      expect(fresh.listProjects()).toEqual([]);
      const aside = fs.readdirSync(dir).filter((f) => f.startsWith('assets-without-database-'));
      expect(aside).toHaveLength(1);
      const kept = fs.readdirSync(path.join(dir, aside[0]), { recursive: true }).filter((f) => fs.statSync(path.join(dir, aside[0], String(f))).isFile());
      expect(kept.sort()).toEqual(before.sort());
      expect(fresh.startupNotices).toHaveLength(1);
      expect(fresh.startupNotices[0]).toContain(path.join(dir, aside[0]));
      expect(fresh.startupNotices[0]).toMatch(/missing or empty.*moved, untouched.*put its database back/s);
      // The new library works, and its next open keeps its own files and sets nothing aside.
      await imageWithMask(fresh);
      fresh.close();
      const again = openLib(dir);
      expect(again.startupNotices).toEqual([]);
      expect(again.listProjects()).toHaveLength(1);
      expect(again.verify()).toEqual([]);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('assets-without-database-'))).toHaveLength(1);
    });
  }

  it('a new library in an empty folder sets nothing aside', () => {
    const lib = openLib();
    expect(lib.startupNotices).toEqual([]);
    expect(fs.readdirSync(lib.dataDir).filter((f) => f.startsWith('assets-without-database-'))).toEqual([]);
  });
});
