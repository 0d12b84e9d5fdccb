/**
 * Where the time goes, per stage, for a few methods (default `off` and `fast-sam3d`): each stage split
 * into time inside ONNX Runtime (every Pack.run timed, per role) and the rest (tables, FFTs, aggregation,
 * policies, copies, surface extraction). Interleaved like `npm run bench`, warm-up first, per-object
 * medians over the repetitions, then means over the objects. Prints Markdown; nothing is asserted.
 *
 *   nice -n 19 node --import tsx bench/profile-stages.ts --objects 4 --reps 2 [--methods off,fast-sam3d]
 *       [--clock wall|cpu] [--threads N] [--warmup ROUNDS] [--pack models/mini] [--json out.json]
 *
 * Warm-up: ROUNDS (default 1) untimed passes over every object and method first. One run is not enough:
 * code that only an accelerated method runs (HFER, aggregation) is still being optimised by V8 on its
 * first runs (aggregation ~250 ms CPU on the first object, ~10 ms from the third on), which would be
 * charged to that method.
 *
 * --clock wall (default): the report's stage times (wall clock), ORT time = wall time inside Pack.run.
 * --clock cpu: process CPU time per stage, from the progress events (the gap before an event goes to its
 *   stage, the gap before a stage's start event to the stage before). With --threads 1 every ORT kernel
 *   runs on the calling thread (no pool, no spinning), so CPU time measures the work itself and the
 *   ratios hold up on a machine that other processes keep busy, where wall-clock ratios drift.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STAGE_NAMES } from '../src-shared/report';
import type { StageName } from '../src-shared/report';
import { loadImageFile, loadMaskFile, openPack, runObject } from '../src-main/pipeline';
import type { Pack, ProgressEvent, Role } from '../src-main/pipeline';
import { loadBenchmarkSet } from './benchmark-set';
import { BENCH_METHODS } from './methods';
import { mean, median } from './stats';

/** Which stage a role's session runs belong to. */
const ROLE_STAGE: Record<Role, StageName> = {
  condition: 'condition',
  ss_flow: 'ssSampling',
  ss_decoder: 'ssDecode',
  slat_flow: 'slatSampling',
  mesh_decoder: 'meshDecode',
};

type Clock = () => number;
const wallClock: Clock = () => performance.now();
const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const zeroStages = () => Object.fromEntries(STAGE_NAMES.map((s) => [s, 0])) as Record<StageName, number>;

/** The pack with every run timed on `clock` (ms per stage since the last take()). */
function timedPack(pack: Pack, clock: Clock): { pack: Pack; take: () => Record<StageName, number> } {
  let acc = zeroStages();
  const wrapped = Object.create(pack) as Pack;
  Object.defineProperty(wrapped, 'run', {
    value: async (role: Role, feeds: Parameters<Pack['run']>[1]) => {
      const t = clock();
      try {
        return await pack.run(role, feeds);
      } finally {
        acc[ROLE_STAGE[role]] += clock() - t;
      }
    },
  });
  return {
    pack: wrapped,
    take: () => {
      const out = acc;
      acc = zeroStages();
      return out;
    },
  };
}

/** Per-stage time from progress events on `clock` (see the header for the attribution rule). */
function stageClock(clock: Clock) {
  const acc = zeroStages();
  let last = clock();
  let current: StageName = 'condition';
  return {
    onProgress: (e: ProgressEvent) => {
      const now = clock();
      const stage = e.stage as StageName; // the pipeline emits only its own stage names
      const startOfNewStage = stage !== current && e.step === undefined;
      acc[startOfNewStage ? current : stage] += now - last;
      current = stage;
      last = now;
    },
    finish: () => {
      acc[current] += clock() - last;
      return acc;
    },
  };
}

interface Sample {
  objectMs: number;
  stage: Record<StageName, number>;
  network: Record<StageName, number>;
  voxels: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pack: { type: 'string', default: 'models/mini' },
      set: { type: 'string', default: 'resources/benchmark' },
      objects: { type: 'string', default: '4' },
      reps: { type: 'string', default: '2' },
      methods: { type: 'string', default: 'off,fast-sam3d' },
      seed: { type: 'string', default: '42' },
      clock: { type: 'string', default: 'wall' },
      threads: { type: 'string' },
      warmup: { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  });
  if (values.clock !== 'wall' && values.clock !== 'cpu') throw new Error(`--clock must be wall or cpu, got "${values.clock}"`);
  const clock = values.clock === 'cpu' ? cpuClock : wallClock;
  const all = await loadBenchmarkSet(resolve(values.set));
  const n = Math.min(Number(values.objects), all.length);
  const items = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  const methods = values.methods.split(',').map((l) => {
    const m = BENCH_METHODS.find((b) => b.label === l);
    if (!m) throw new Error(`unknown method label "${l}"; known: ${BENCH_METHODS.map((b) => b.label).join(', ')}`);
    return m;
  });
  const reps = Number(values.reps);
  const seed = Number(values.seed);
  const threads = values.threads ? Number(values.threads) : undefined;
  const opened = await openPack(resolve(values.pack), { executionProvider: 'cpu', intraOpThreads: threads });
  const { pack, take } = timedPack(opened, clock);
  const inputs = await Promise.all(
    items.map(async (it) => ({
      id: it.id,
      image: await loadImageFile(join(it.dir, 'image.png')),
      mask: await loadMaskFile(join(it.dir, '0.png')),
    })),
  );

  const runOne = async (q: number, m: (typeof methods)[number]): Promise<Sample> => {
    take();
    const stages = stageClock(clock);
    const r = await runObject(
      pack,
      { image: inputs[q].image, mask: inputs[q].mask, name: inputs[q].id },
      { method: m.method, params: { ...m.params, seed }, onProgress: stages.onProgress },
    );
    const network = take();
    const rep = r.report;
    const stage =
      values.clock === 'cpu'
        ? stages.finish()
        : (Object.fromEntries(STAGE_NAMES.map((s) => [s, rep.stages[s].ms])) as Record<StageName, number>);
    const objectMs = values.clock === 'cpu' ? STAGE_NAMES.reduce((a, s) => a + stage[s], 0) : rep.objectMs;
    return { objectMs, stage, network, voxels: rep.aggregation.voxelsAfter };
  };

  for (let w = 0; w < Number(values.warmup); w++) for (let q = 0; q < items.length; q++) for (const m of methods) await runOne(q, m);
  const samples = new Map<string, Sample[]>();
  for (let r = 0; r < reps; r++)
    for (let q = 0; q < items.length; q++)
      for (const m of methods) {
        const key = `${m.label}|${q}`;
        samples.set(key, [...(samples.get(key) ?? []), await runOne(q, m)]);
      }

  // Per object: median over reps of each field; per method: mean over objects.
  const summary = methods.map((m) => {
    const per = items.map((_, q) => samples.get(`${m.label}|${q}`)!);
    const agg = (f: (s: Sample) => number) => mean(per.map((list) => median(list.map(f))));
    const stage = Object.fromEntries(STAGE_NAMES.map((s) => [s, agg((x) => x.stage[s])])) as Record<StageName, number>;
    const network = Object.fromEntries(STAGE_NAMES.map((s) => [s, agg((x) => x.network[s])])) as Record<StageName, number>;
    return { label: m.label, objectMs: agg((s) => s.objectMs), voxels: agg((s) => s.voxels), stage, network };
  });

  const ref = summary[0];
  const ort = (s: (typeof summary)[number]) => STAGE_NAMES.reduce((a, st) => a + s.network[st], 0);
  const lines: string[] = [
    `pack ${opened.manifest.name} ${opened.manifest.version}, ${items.length} objects × ${reps} reps, seed ${seed}, ` +
      `clock ${values.clock}, ORT intra-op threads ${threads ?? 'default'}`,
    '',
    `| stage | ${summary.map((s) => `${s.label} ms | % | in ORT ms`).join(' | ')} |`,
    `|---|${summary.map(() => '---|---|---').join('|')}|`,
  ];
  for (const st of STAGE_NAMES) {
    const cells = summary.map(
      (s) => `${s.stage[st].toFixed(0)} | ${((100 * s.stage[st]) / s.objectMs).toFixed(1)} | ${s.network[st].toFixed(0)}`,
    );
    lines.push(`| ${st} | ${cells.join(' | ')} |`);
  }
  lines.push(`| **object** | ${summary.map((s) => `**${s.objectMs.toFixed(0)}** | 100 | ${ort(s).toFixed(0)}`).join(' | ')} |`);
  lines.push('');
  for (const s of summary) {
    const outside = s.objectMs - ort(s);
    lines.push(
      `${s.label}: ${(ref.objectMs / s.objectMs).toFixed(2)}× vs ${ref.label} (ORT only ${(ort(ref) / ort(s)).toFixed(2)}×); ` +
        `outside ORT ${outside.toFixed(0)} ms (${((100 * outside) / s.objectMs).toFixed(1)} %); voxels after aggregation ${s.voxels.toFixed(0)}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (values.json) {
    await writeFile(resolve(values.json), JSON.stringify({ items: items.map((i) => i.id), reps, clock: values.clock, threads, summary }, null, 2));
  }
  await opened.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`profile-stages failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
