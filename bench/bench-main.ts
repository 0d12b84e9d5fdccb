/**
 * One benchmark run as `npm run bench` and `fastsam3d bench` both do it: run the chosen mode, write the
 * JSON / Markdown / SVG results under `out`, optionally update its section of docs/benchmarks.md, and
 * print the Markdown (and the sweep's recommendation) on stdout. Progress goes to `log`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeDocsSection, type DocsSection } from './docs-sections';
import { loadNote } from './machine';
import { runObjectBenchmark } from './object-bench';
import type { BenchOptions } from './options';
import { renderChartSvg, renderMarkdown } from './report';
import { renderSceneMarkdown, runSceneBenchmark } from './scene-bench';
import { recommend, renderSweepMarkdown, sweepPoints } from './sweep-front';

export interface BenchOutput {
  /** Files written (results folder, and docs with writeDocs). */
  files: string[];
}

export async function runBench(o: BenchOptions, log: (s: string) => void, print: (s: string) => void): Promise<BenchOutput> {
  const outDir = resolve(o.out);
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (path: string, text: string) => {
    await writeFile(path, text);
    files.push(path);
  };
  const docs = resolve(o.docsFile);
  const toDocs = async (section: DocsSection, md: string) => {
    if (!o.writeDocs) return;
    await writeDocsSection(docs, section, md);
    files.push(docs);
  };

  if (o.mode === 'scene') {
    const r = await runSceneBenchmark(o, log);
    const md = renderSceneMarkdown(r);
    await write(join(outDir, 'scene.json'), JSON.stringify(r, null, 2));
    await write(join(outDir, 'scene.md'), md);
    await toDocs('scene', md);
    print(md);
    return { files };
  }

  const r = await runObjectBenchmark(o, log);
  const chart = renderChartSvg(r);
  if (o.mode === 'sweep') {
    const points = sweepPoints(r.rows);
    const rec = recommend(points);
    const md = renderSweepMarkdown(r, points, rec, loadNote(r.loadAverage));
    await write(join(outDir, 'sweep.json'), JSON.stringify({ ...r, points, recommendation: rec }, null, 2));
    await write(join(outDir, 'sweep.md'), `${md}\n## Every configuration\n\n${renderMarkdown(r)}`);
    await write(join(outDir, 'sweep-chart.svg'), chart);
    await toDocs('sweep', md);
    print(md);
    return { files };
  }

  const md = renderMarkdown(r);
  await write(join(outDir, 'bench.json'), JSON.stringify(r, null, 2));
  await write(join(outDir, 'tables.md'), md);
  await write(join(outDir, 'chart.svg'), chart);
  await toDocs('objects', md);
  if (o.writeDocs) await write(join(dirname(docs), 'benchmark-chart.svg'), chart);
  print(md);
  return { files };
}
