/**
 * Scale check of the results grid (run by hand: `node --import tsx test/library/bench-list.ts [runs]`):
 * records N runs, then times listRuns pages sorted by date / speed-up / quality and a text search.
 * Prints milliseconds per query; nothing is asserted (timings vary with the machine).
 */
import { Library } from '../../src-main/library';
import { fakeReport, greyMaskPng, photoPng, runInput, tempDir } from './fixtures';

const N = Number(process.argv[2] ?? 5000);
const lib = Library.open(tempDir('fs3d-bench-'));
const { image } = await lib.importImage({ name: 'bench.png', data: await photoPng() });
const mask = await lib.saveMask({ imageId: image.id, name: 'obj', png: await greyMaskPng(64, 48, 100) });
let t = performance.now();
for (let i = 0; i < N; i++) {
  const method = i % 4 === 0 ? 'off' : 'fast-sam3d';
  const r = lib.beginRun({ ...runInput(image.id, [mask.id], method, i >> 2), name: `run ${i}` });
  await lib.finishRun(r.id, { report: fakeReport(1000 + (i % 97) * 10, method), artefacts: [], metrics: { f1: (i * 37) % 100 } });
  if (i % 10 === 0) lib.setRunTags(r.id, ['tagged']);
}
const recordMs = (performance.now() - t) / N;
const time = (label: string, fn: () => unknown[]) => {
  fn(); // warm the statement cache
  t = performance.now();
  const reps = 20;
  let rows = 0;
  for (let k = 0; k < reps; k++) rows = fn().length;
  console.log(`${label.padEnd(34)} ${((performance.now() - t) / reps).toFixed(2)} ms  (${rows} rows)`);
};
console.log(`${N} runs recorded, ${recordMs.toFixed(2)} ms per begin+finish (fsync'd commits)`);
time('listRuns date, first 200', () => lib.listRuns());
time('listRuns speed-up, first 200', () => lib.listRuns({ sort: 'speedup' }));
time('listRuns quality, first 200', () => lib.listRuns({ sort: 'quality' }));
time('listRuns query "run 12"', () => lib.listRuns({ query: 'run 12' }));
time('listRuns tag "tagged"', () => lib.listRuns({ tag: 'tagged' }));
time('listProjects', () => lib.listProjects());
lib.close();
