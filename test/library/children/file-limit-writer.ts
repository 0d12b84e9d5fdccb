/**
 * Child process for the disk-full test: runs under `ulimit -f` so that any file grown past the limit
 * fails with EFBIG (a real failing write from the kernel, like ENOSPC on a full disk). It records a run
 * whose artefact is larger than the limit and prints what happened as JSON.
 */
import { randomBytes } from 'node:crypto';
import { Library } from '../../../src-main/library';
import { runInput } from '../fixtures';

// Without a handler SIGXFSZ kills the process; with one, the write returns EFBIG.
process.on('SIGXFSZ', () => {});
const [dir, imageId, maskId] = process.argv.slice(2);
const lib = Library.open(dir);
const run = lib.beginRun(runInput(imageId, [maskId]));
let error: { code?: string; message: string } | null = null;
try {
  await lib.finishRun(run.id, { report: { objectMs: 5 }, artefacts: [{ kind: 'ply', data: randomBytes(64 * 1024) }, { kind: 'glb', data: randomBytes(3 * 1024 * 1024) }] });
} catch (err) {
  error = { code: (err as { code?: string }).code, message: (err as Error).message };
}
process.stdout.write(JSON.stringify({ runId: run.id, error }) + '\n');
lib.close();
