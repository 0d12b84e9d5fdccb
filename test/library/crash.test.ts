/**
 * Crash safety: a child process writes to the library and is killed (SIGKILL) at a random moment, 30
 * times over the same data folder. After every kill the library must open cleanly and be consistent:
 * the database passes integrity and foreign-key checks, every row's file exists with its recorded size
 * and sha256, no partial or unreferenced file remains, and every run is either finished with all its
 * artefacts or (interrupted) failed with none — never half-recorded.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../src-main/library';
import { listFilesRecursive } from '../../src-main/library/files';
import { tempDir } from './fixtures';

const KILLS = 30;
const ROOT = path.resolve(__dirname, '../..');

function runAndKill(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'children/crash-writer.ts'), dir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      if (!killed && d.toString().includes('ready')) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  it(`leaves a consistent library after ${KILLS} kills at random moments`, async () => {
    const dir = tempDir('fs3d-crash-');
    Library.open(dir).close();
    let killsMidRun = 0;
    let killsWithStrayFiles = 0;
    let succeeded = 0;
    for (let k = 0; k < KILLS; k++) {
      // Random moments spread over the first ~1.2 s of writing (several runs with MB-sized artefacts).
      await runAndKill(dir, Math.floor(Math.random() * 1200));
      // What the kill left, seen before recovery: a run in progress, and files not (yet) in a row.
      const raw = new Database(path.join(dir, 'library.sqlite'), { readonly: true });
      if ((raw.prepare(`SELECT count(*) FROM runs WHERE status IN ('queued', 'running')`).pluck().get() as number) > 0) killsMidRun++;
      const known = new Set(raw.prepare(`SELECT file FROM images UNION SELECT thumb_file FROM images UNION SELECT file FROM masks UNION SELECT file FROM artefacts`).pluck().all() as string[]);
      raw.close();
      if (listFilesRecursive(path.join(dir, 'assets')).some((f) => !known.has(f))) killsWithStrayFiles++;
      const lib = Library.open(dir);
      try {
        expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(lib.verify({ hashes: true })).toEqual([]);
        const referenced = new Set(
          lib.db.prepare(`SELECT file FROM images UNION SELECT thumb_file FROM images UNION SELECT file FROM masks UNION SELECT file FROM artefacts`).pluck().all() as string[],
        );
        expect(listFilesRecursive(lib.assetsDir).filter((f) => !referenced.has(f))).toEqual([]);
        const runs = lib.db
          .prepare(`SELECT r.status, r.error, (SELECT count(*) FROM artefacts a WHERE a.run_id = r.id) AS n FROM runs r`)
          .all() as { status: string; error: string | null; n: number }[];
        for (const r of runs) {
          if (r.status === 'succeeded') expect(r.n).toBe(3); // glb + ply + thumbnail, all or nothing
          else {
            expect(r.status).toBe('failed');
            expect(r.error).toMatch(/Interrupted/);
            expect(r.n).toBe(0);
          }
        }
        succeeded += runs.filter((r) => r.status === 'succeeded').length > 0 ? 1 : 0;
      } finally {
        lib.close();
      }
    }
    console.log(`[crash] ${KILLS} kills: ${killsMidRun} during a run, ${killsWithStrayFiles} with files written but not committed`);
    // The kills really landed while runs were being written (not only between them), and finished work
    // survived them.
    expect(killsMidRun).toBeGreaterThan(KILLS / 5); // typically half or more
    expect(killsWithStrayFiles).toBeGreaterThan(0);
    expect(succeeded).toBeGreaterThan(0);
  }, 600_000);

  it('another process reading while runs are written sees only whole runs (WAL)', async () => {
    const dir = tempDir('fs3d-wal-');
    Library.open(dir).close();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'children/crash-writer.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const reader = Library.open(dir, { readonly: true });
    let reads = 0;
    let checked = 0;
    // Count-based (not a fixed 4 s window) so a loaded machine only makes the test slower, not flaky.
    const deadline = Date.now() + 90_000;
    try {
      while ((reads < 20 || checked === 0) && Date.now() < deadline) {
        // One read transaction = one WAL snapshot, so the list and the details agree with each other.
        const details = reader.db.transaction(() => reader.listRuns({ status: 'succeeded', limit: 50 }).map((r) => reader.getRun(r.id)))();
        for (const detail of details) {
          // Committed means complete: all artefacts there, each file whole. A file may be gone only if
          // the writer emptied the trash after the snapshot, which removed the row too.
          expect(detail.artefacts).toHaveLength(3);
          for (const a of detail.artefacts) {
            try {
              expect(fs.statSync(a.path).size).toBe(a.bytes);
            } catch (err) {
              if ((err as { code?: string }).code !== 'ENOENT') throw err;
              expect(reader.db.prepare('SELECT count(*) FROM artefacts WHERE id = ?').pluck().get(a.id)).toBe(0);
            }
          }
          checked++;
        }
        reads++;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      reader.close();
      child.kill('SIGKILL');
    }
    console.log(`[wal] ${reads} reads, ${checked} finished runs checked, from a second process while it wrote`);
    expect(reads).toBeGreaterThanOrEqual(20);
    expect(checked).toBeGreaterThan(0);
  }, 120_000);
});
