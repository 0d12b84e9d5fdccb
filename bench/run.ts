/**
 * `npm run bench` — the paper's tables on our own pack (docs/benchmarks.md, ../shared/design/metrics.md).
 *
 * Protocol: one warm-up object first; then every method on every object, interleaved (A B C A B C …),
 * `reps` repetitions; per-object medians; speed-up = ratio to `off` measured in the same process; quality
 * against the ground truth and against the `off` output of the same seed. No timing is asserted anywhere:
 * the numbers are written out for people to read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMaskFile, loadImageFile, openPack, runObject } from '../src-main/pipeline';
import type { ObjectResult } from '../src-main/pipeline';
import { loadBenchmarkSet, type BenchmarkItem } from './benchmark-set';
import { quality, shapeOf, type Quality, type Shape } from './evaluate';
import { BENCH_METHODS, QUICK_LABELS, sweepMethods, type BenchMethod } from './methods';
import { renderMarkdown, renderChartSvg, type BenchResult, type MethodRow } from './report';
import { median, mean } from './stats';

interface Sample { ms: number; stages: Record<string, number>; ssPasses: number; slatPasses: number }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
      pack: { type: 'string', default: 'models/mini' },
      set: { type: 'string', default: 'resources/benchmark' },
      objects: { type: 'string' },
      reps: { type: 'string' },
      methods: { type: 'string' },
      seed: { type: 'string', default: '42' },
      samples: { type: 'string' },
      out: { type: 'string', default: 'bench-results/latest' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  const all = await loadBenchmarkSet(resolve(values.set));
  const nObjects = values.objects ? Number(values.objects) : quick ? 2 : values.full ? all.length : 6;
  const items = pickSpread(all, nObjects);
  const reps = values.reps ? Number(values.reps) : quick ? 1 : 3;
  const samples = values.samples ? Number(values.samples) : quick ? 5000 : 20_000;
  let methods = values.sweep ? [BENCH_METHODS[0], ...sweepMethods()] : BENCH_METHODS;
  if (quick) methods = methods.filter((m) => QUICK_LABELS.includes(m.label));
  if (values.methods) {
    const want = values.methods.split(',');
    methods = methods.filter((m) => m.label === 'off' || want.includes(m.label));
  }
  const seed = Number(values.seed);
  const pack = await openPack(resolve(values.pack), { executionProvider: 'cpu' });
  const log = (s: string) => process.stderr.write(s + '\n');
  log(`bench: pack ${pack.manifest.name} ${pack.manifest.version}, ${items.length} objects, ${methods.length} methods, ${reps} reps, EP ${pack.executionProvider}`);

  const inputs = new Map<string, { image: Awaited<ReturnType<typeof loadImageFile>>; mask: Awaited<ReturnType<typeof loadMaskFile>> }>();
  for (const it of items) {
    const image = await loadImageFile(join(it.dir, 'image.png'));
    const mask = await loadMaskFile(join(it.dir, '0.png'));
    inputs.set(it.id, { image, mask });
  }
  const run = (it: BenchmarkItem, m: BenchMethod): Promise<ObjectResult> =>
    runObject(pack, { ...inputs.get(it.id)!, name: it.id }, { method: m.method, params: { ...m.params, seed } });

  // Warm-up: every method once on the first object (sessions created, JIT warm for each code path).
  for (const m of methods) await run(items[0], m);

  const timings = new Map<string, Sample[]>(); // key `${label}|${id}`
  const shapes = new Map<string, Shape>();
  const t0 = Date.now();
  for (let r = 0; r < reps; r++) {
    for (const it of items) {
      for (const m of methods) {
        const res = await run(it, m);
        const rep = res.report;
        const key = `${m.label}|${it.id}`;
        const list = timings.get(key) ?? [];
        list.push({
          ms: rep.objectMs,
          stages: Object.fromEntries(Object.entries(rep.stages).map(([k, v]) => [k, v.ms])),
          ssPasses: rep.schedules.ss.networkPasses,
          slatPasses: rep.schedules.slat.networkPasses,
        });
        timings.set(key, list);
        if (!shapes.has(key)) shapes.set(key, shapeOf(res.mesh, res.layout, rep.aggregation.factor));
      }
      log(`  rep ${r + 1}/${reps} ${it.id} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }

  const rows: MethodRow[] = [];
  for (const m of methods) {
    const perObject = items.map((it) => {
      const s = timings.get(`${m.label}|${it.id}`)!;
      const off = timings.get(`off|${it.id}`)!;
      const pred = shapes.get(`${m.label}|${it.id}`)!;
      const gtShape: Shape = { canonical: it.mesh, layout: it.layout, bbox: it.bbox };
      const vsGt = safeQuality(pred, gtShape, it, samples);
      const vsOff = m.label === 'off' ? null : safeQuality(pred, shapes.get(`off|${it.id}`)!, it, samples);
      return {
        id: it.id,
        ms: median(s.map((x) => x.ms)),
        offMs: median(off.map((x) => x.ms)),
        stages: Object.fromEntries(Object.keys(s[0].stages).map((k) => [k, median(s.map((x) => x.stages[k]))])),
        ssPasses: s[0].ssPasses,
        slatPasses: s[0].slatPasses,
        vsGt,
        vsOff,
      };
    });
    const q = (sel: (o: (typeof perObject)[number]) => Quality | null, k: keyof Quality) =>
      mean(perObject.map(sel).filter((x): x is Quality => x !== null).map((x) => x[k]));
    const sumMs = perObject.reduce((a, o) => a + o.ms, 0);
    const sumOff = perObject.reduce((a, o) => a + o.offMs, 0);
    rows.push({
      label: m.label, method: m.method, group: m.group, params: m.params ?? {},
      objectMs: sumMs / perObject.length,
      speedup: sumOff / sumMs,
      speedupMedianPerObject: median(perObject.map((o) => o.offMs / o.ms)),
      stagesMs: Object.fromEntries(Object.keys(perObject[0].stages).map((k) => [k, mean(perObject.map((o) => o.stages[k]))])),
      ssPasses: mean(perObject.map((o) => o.ssPasses)),
      slatPasses: mean(perObject.map((o) => o.slatPasses)),
      gt: {
        cd: q((o) => o.vsGt, 'cd'), f1: q((o) => o.vsGt, 'f1'), viou: q((o) => o.vsGt, 'viou'),
        iou3d: q((o) => o.vsGt, 'iou3d'), rotationErrorDeg: median(perObject.map((o) => o.vsGt?.rotationErrorDeg ?? NaN)),
        colorL1: q((o) => o.vsGt, 'colorL1'),
      },
      baseline: m.label === 'off' ? null : {
        cd: q((o) => o.vsOff, 'cd'), f1: q((o) => o.vsOff, 'f1'), viou: q((o) => o.vsOff, 'viou'),
        iou3d: q((o) => o.vsOff, 'iou3d'), rotationErrorDeg: median(perObject.map((o) => o.vsOff?.rotationErrorDeg ?? NaN)),
        colorL1: q((o) => o.vsOff, 'colorL1'),
      },
      perObject: perObject.map(({ id, ms, offMs, vsGt, vsOff }) => ({ id, ms, speedup: offMs / ms, vsGt, vsOff })),
    });
  }

  const result: BenchResult = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    pack: { name: pack.manifest.name, version: pack.manifest.version, dir: values.pack },
    executionProvider: pack.executionProvider,
    objects: items.map((i) => i.id), reps, seed, samples,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    wallSeconds: (Date.now() - t0) / 1000,
    rows,
  };
  const outDir = resolve(values.out);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'bench.json'), JSON.stringify(result, null, 2));
  const md = renderMarkdown(result);
  await writeFile(join(outDir, 'tables.md'), md);
  await writeFile(join(outDir, 'chart.svg'), renderChartSvg(result));
  if (values['write-docs']) {
    await writeFile(resolve('docs/benchmarks.md'), md);
    await writeFile(resolve('docs/benchmark-chart.svg'), renderChartSvg(result));
  }
  await pack.close();
  process.stdout.write(md + '\n');
  log(`bench: wrote ${outDir}/bench.json, tables.md, chart.svg`);
}

function safeQuality(pred: Shape, ref: Shape, it: BenchmarkItem, samples: number): Quality | null {
  try {
    return quality(pred, ref, it.symmetry, samples);
  } catch (e) {
    process.stderr.write(`  quality of ${it.id} not measurable: ${(e as Error).message}\n`);
    return null;
  }
}

/** Spread the picks across the set so families are mixed (the set is ordered by seed). */
function pickSpread<T>(xs: T[], n: number): T[] {
  if (n >= xs.length) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

function machineInfo(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = process.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  if (!os) return process.platform;
  return `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}, Node ${process.version}`;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
