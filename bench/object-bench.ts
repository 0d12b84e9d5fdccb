/**
 * The object benchmark — the paper's tables on our own pack (docs/benchmarks.md, ../shared/design/metrics.md).
 *
 * Protocol: one warm-up object first; then every method on every object, interleaved (A B C A B C …),
 * `reps` repetitions; per-object medians; speed-up = ratio to `off` measured in the same process; quality
 * against the ground truth and against the `off` output of the same seed. With `--seeds n`, repetition r runs
 * seed + (r mod n) and quality pools the object × seed pairs (means over pairs, median rotation over pairs).
 * No timing is asserted anywhere: the numbers are written out for people to read.
 */
import { basename, join, resolve } from 'node:path';
import { loadMaskFile, loadImageFile, openPack, runObject } from '../src-main/pipeline';
import type { BinaryMask, ObjectResult } from '../src-main/pipeline';
import { loadBenchmarkSet, loadLayoutPrior, type BenchmarkItem } from './benchmark-set';
import { setDepthCeiling } from './depth-ceiling';
import { quality, shapeOf, type Quality, type Shape } from './evaluate';
import { machineInfo, machineLoad } from './machine';
import { BENCH_METHODS, QUICK_LABELS, sweepMethods, type BenchMethod } from './methods';
import { repsNote, resolveCounts, type BenchOptions } from './options';
import type { BenchResult, MethodRow, QualitySummary } from './report';
import { median, mean } from './stats';
import { loadStageOracle } from './oracle';
import type { StageOracle } from '../src-main/pipeline';

interface Sample {
  ms: number;
  /** CPU time of the whole process during the run (all threads): far less sensitive to other load than wall time. */
  cpuMs: number;
  stages: Record<string, number>;
  ssPasses: number;
  slatPasses: number;
  /** The run threw NoSurfaceError (no mesh to score). */
  failed?: boolean;
}

/** The rows to run: all methods, the sweep, or the quick subset; `--methods` filters (off always stays). */
export function selectMethods(o: Pick<BenchOptions, 'mode' | 'quick' | 'methods'>): BenchMethod[] {
  let methods = o.mode === 'sweep' ? [BENCH_METHODS[0], ...sweepMethods()] : BENCH_METHODS;
  if (o.quick && o.mode !== 'sweep') methods = methods.filter((m) => QUICK_LABELS.includes(m.label));
  if (o.methods) {
    const known = new Set(methods.map((m) => m.label));
    const unknown = o.methods.filter((l) => !known.has(l));
    if (unknown.length > 0)
      throw new RangeError(`--methods: unknown row label(s) ${unknown.map((l) => `"${l}"`).join(', ')}; known: ${[...known].join(', ')}`);
    methods = methods.filter((m) => m.label === 'off' || o.methods!.includes(m.label));
  }
  return methods;
}

export async function runObjectBenchmark(o: BenchOptions, log: (s: string) => void): Promise<BenchResult> {
  const all = await loadBenchmarkSet(resolve(o.set));
  const counts = resolveCounts(o, all.length);
  const items = pickSpread(all, counts.objects);
  // What the 3D-IoU target allows on these objects without depth: a property of the set, not of the pack.
  const prior = await loadLayoutPrior(resolve(o.set));
  const depthCeiling = prior ? setDepthCeiling(items, prior) : null;
  const { reps, samples } = counts;
  const methods = selectMethods(o);
  const seed = o.seed;
  const seedOf = (rep: number) => seed + (rep % o.seeds);
  const pack = await openPack(resolve(o.pack), { executionProvider: 'cpu' });
  try {
    log(`bench: pack ${pack.manifest.name} ${pack.manifest.version}, ${items.length} objects, ${methods.length} methods, ${reps} reps, EP ${pack.executionProvider}`);
    const note = repsNote(o, reps);
    if (note) log(note);
    const inputs = new Map<string, { image: Awaited<ReturnType<typeof loadImageFile>>; mask: Awaited<ReturnType<typeof loadMaskFile>> }>();
    for (const it of items) {
      inputs.set(it.id, { image: await loadImageFile(join(it.dir, 'image.png')), mask: await loadMaskFile(join(it.dir, '0.png')) });
    }
    const oracles = new Map<string, StageOracle>();
    if (o.oracle) {
      for (const it of items) oracles.set(it.id, await loadStageOracle(join(resolve(o.oracleDir), it.id), o.oracle, pack.manifest));
      log(`bench: oracle study, ground truth up to "${o.oracle}" from ${o.oracleDir}`);
    }
    const occluders = new Map<string, { mask: BinaryMask; name: string }[]>();
    if (o.maskOccluders) for (const it of items) occluders.set(it.id, await Promise.all(it.occluderMasks.map(async (f) => ({ mask: await loadMaskFile(f), name: basename(f) }))));
    // The sampler settings every method runs with (absent: SAM 3D's), also recorded in the results.
    const settings = {
      ...(o.ssSamples ? { ssSamples: o.ssSamples } : {}), ...(o.fitToMask ? { fitToMask: true } : {}),
      ...(o.colourFromPhoto ? { colourFromPhoto: true } : {}),
    };
    const run = (it: BenchmarkItem, m: BenchMethod, s = seed): Promise<ObjectResult> =>
      runObject(pack, { ...inputs.get(it.id)!, name: it.id }, {
        ...(o.maskOccluders ? { otherMasks: occluders.get(it.id) } : {}),
        method: m.method,
        params: { ...m.params, seed: s, ...settings },
        ...(o.oracle ? { oracle: [oracles.get(it.id)] } : {}),
      });

    // Warm-up: every method once on the first object (sessions created, JIT warm for each code path).
    for (const m of methods) await run(items[0], m).catch((e: Error) => { if (e.name !== 'NoSurfaceError') throw e; });

    const timings = new Map<string, Sample[]>(); // key `${label}|${id}`
    const shapes = new Map<string, Shape>(); // key `${label}|${id}|${seed}`: the first repetition of each seed
    const loadAverage = machineLoad();
    const t0 = Date.now();
    for (let r = 0; r < reps; r++) {
      for (const it of items) {
        // Odd repetitions run the methods in reverse, so a drift in machine load does not favour one end.
        for (const m of r % 2 === 0 ? methods : [...methods].reverse()) {
          const cpu0 = process.cpuUsage();
          const started = performance.now();
          const key = `${m.label}|${it.id}`;
          let res: ObjectResult;
          try {
            res = await run(it, m, seedOf(r));
          } catch (e) {
            // A run that produces no surface is a result, not a crash of the benchmark: it is timed up to
            // the failure and scores as an empty output (F1 0, vIoU 0, 3D-IoU 0) in the quality tables.
            if ((e as Error).name !== 'NoSurfaceError') throw e;
            const cpu = process.cpuUsage(cpu0);
            const list = timings.get(key) ?? [];
            list.push({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, stages: {}, ssPasses: NaN, slatPasses: NaN, failed: true });
            timings.set(key, list);
            log(`  ${it.id} ${m.label}: no surface (${(e as Error).message.split('.')[0]})`);
            continue;
          }
          const cpu = process.cpuUsage(cpu0);
          const rep = res.report;
          const list = timings.get(key) ?? [];
          list.push({
            ms: rep.objectMs,
            cpuMs: (cpu.user + cpu.system) / 1000,
            stages: Object.fromEntries(Object.entries(rep.stages).map(([k, v]) => [k, v.ms])),
            ssPasses: rep.schedules.ss.networkPasses,
            slatPasses: rep.schedules.slat.networkPasses,
          });
          timings.set(key, list);
          if (!shapes.has(`${key}|${seedOf(r)}`)) shapes.set(`${key}|${seedOf(r)}`, shapeOf(res.mesh, res.layout));
        }
        log(`  rep ${r + 1}/${reps} ${it.id} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
    const timedSeconds = (Date.now() - t0) / 1000;
    log(`  measuring quality (${samples} surface samples, 8 rendered views per comparison)`);
    const seeds = Array.from({ length: o.seeds }, (_, i) => seed + i); // reps ≥ seeds (resolveCounts)
    const rows = methods.map((m) => summarise(m, items, seeds, timings, shapes, samples, log));
    return {
      date: new Date().toISOString(),
      command: o.commandLine,
      machine: machineInfo(),
      loadAverage,
      pack: { name: pack.manifest.name, version: pack.manifest.version, dir: o.pack },
      executionProvider: pack.executionProvider,
      objects: items.map((i) => i.id), reps, seed, seeds: o.seeds, ...settings,
      ...(o.maskOccluders ? { maskOccluders: true } : {}), samples,
      ...(o.oracle ? { oracle: o.oracle } : {}),
      ...(depthCeiling ? { depthCeiling } : {}),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      wallSeconds: timedSeconds,
      rows,
    };
  } finally {
    await pack.close();
  }
}

function summarise(
  m: BenchMethod, items: BenchmarkItem[], seeds: number[], timings: Map<string, Sample[]>, shapes: Map<string, Shape>,
  samples: number, log: (s: string) => void,
): MethodRow {
  const perObject = items.map((it) => {
    const s = timings.get(`${m.label}|${it.id}`)!;
    const off = timings.get(`off|${it.id}`)!;
    const gtShape: Shape = { canonical: it.mesh, layout: it.layout, bbox: it.bbox };
    const perSeed = seeds.map((sd) => {
      const pred = shapes.get(`${m.label}|${it.id}|${sd}`);
      const offShape = shapes.get(`off|${it.id}|${sd}`);
      return {
        vsGt: pred ? safeQuality(pred, gtShape, it, samples, log) : EMPTY_OUTPUT,
        vsOff: m.label === 'off' ? null : !pred ? EMPTY_OUTPUT : offShape ? safeQuality(pred, offShape, it, samples, log) : null,
      };
    });
    const vsGt = meanQuality(perSeed.map((p) => p.vsGt));
    const vsOff = meanQuality(perSeed.map((p) => p.vsOff));
    const ok = s.filter((x) => !x.failed);
    return {
      id: it.id,
      ms: median(s.map((x) => x.ms)),
      offMs: median(off.map((x) => x.ms)),
      cpuMs: median(s.map((x) => x.cpuMs)),
      offCpuMs: median(off.map((x) => x.cpuMs)),
      stages: Object.fromEntries(Object.keys(ok[0]?.stages ?? {}).map((k) => [k, median(ok.map((x) => x.stages[k]))])),
      ssPasses: ok[0]?.ssPasses ?? NaN,
      slatPasses: ok[0]?.slatPasses ?? NaN,
      failed: s.some((x) => x.failed),
      perSeed,
      vsGt,
      vsOff,
    };
  });
  // Over object × seed pairs: with one seed these are the per-object means and median of before.
  const summary = (sel: (p: { vsGt: Quality | null; vsOff: Quality | null }) => Quality | null): QualitySummary => {
    const pairs = perObject.flatMap((o) => o.perSeed.map(sel));
    const q = (k: keyof Quality) => mean(pairs.filter((x): x is Quality => x !== null).map((x) => x[k]).filter(Number.isFinite));
    return {
      cd: q('cd'), f1: q('f1'), viou: q('viou'), iou3d: q('iou3d'), iou3dDepthAligned: q('iou3dDepthAligned'),
      rotationErrorDeg: median(pairs.map((x) => x?.rotationErrorDeg ?? NaN).filter(Number.isFinite)),
      colorL1: q('colorL1'), psnr: q('psnr'), ssim: q('ssim'), precision: q('precision'), recall: q('recall'),
    };
  };
  const sumMs = perObject.reduce((a, o) => a + o.ms, 0);
  const sumOff = perObject.reduce((a, o) => a + o.offMs, 0);
  return {
    label: m.label, method: m.method, group: m.group, params: m.params ?? {},
    objectMs: sumMs / perObject.length,
    speedup: sumOff / sumMs,
    speedupMedianPerObject: median(perObject.map((o) => o.offMs / o.ms)),
    speedupCpu: perObject.reduce((a, o) => a + o.offCpuMs, 0) / perObject.reduce((a, o) => a + o.cpuMs, 0),
    stagesMs: Object.fromEntries(Object.keys(perObject.find((o) => !o.failed)?.stages ?? {}).map((k) => [k, mean(perObject.filter((o) => !o.failed).map((o) => o.stages[k]))])),
    ssPasses: mean(perObject.filter((o) => !o.failed).map((o) => o.ssPasses)),
    slatPasses: mean(perObject.filter((o) => !o.failed).map((o) => o.slatPasses)),
    noSurface: perObject.filter((o) => o.failed).length,
    gt: summary((o) => o.vsGt),
    baseline: m.label === 'off' ? null : summary((o) => o.vsOff),
    perObject: perObject.map(({ id, ms, offMs, vsGt, vsOff }) => ({ id, ms, speedup: offMs / ms, vsGt, vsOff })),
  };
}

/** Field-wise mean over seeds (NaN fields skipped; null when no seed could be scored). */
function meanQuality(qs: (Quality | null)[]): Quality | null {
  const ok = qs.filter((x): x is Quality => x !== null);
  if (ok.length === 0) return null;
  if (ok.length === 1) return ok[0];
  const keys = Object.keys(ok[0]) as (keyof Quality)[];
  return Object.fromEntries(keys.map((k) => [k, mean(ok.map((x) => x[k]).filter(Number.isFinite))])) as unknown as Quality;
}

/** Score of a run that produced no surface: nothing matches (distances and images are undefined). */
const EMPTY_OUTPUT: Quality = {
  cd: NaN, f1: 0, precision: 0, recall: 0, viou: 0, colorL1: NaN, iou3d: 0, iou3dDepthAligned: 0, rotationErrorDeg: NaN, translationError: NaN, scaleError: NaN,
  psnr: NaN, ssim: NaN,
};

function safeQuality(pred: Shape, ref: Shape, it: BenchmarkItem, samples: number, log: (s: string) => void): Quality | null {
  try {
    return quality(pred, ref, it.symmetry, samples);
  } catch (e) {
    log(`  quality of ${it.id} not measurable: ${(e as Error).message}`);
    return null;
  }
}

/** Spread the picks across the set so families are mixed (the set is ordered by seed). */
function pickSpread<T>(xs: T[], n: number): T[] {
  if (n >= xs.length) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}
