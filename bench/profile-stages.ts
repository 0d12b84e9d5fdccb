/**
 * Where the time goes, per stage, for a few methods (default `off` and `fast-sam3d`): the report's
 * stages.*.ms split into time inside ONNX Runtime (every Pack.run timed per role) and the rest (tables,
 * FFTs, aggregation, policies, copies, surface extraction). Interleaved like `npm run bench`, warm-up
 * first, per-object medians over the repetitions, then means over the objects. Prints Markdown tables;
 * nothing is asserted (wall-clock numbers depend on the machine and its load: compare within one run).
 *
 *   nice -n 19 node --import tsx bench/profile-stages.ts --objects 4 --reps 2 [--methods off,fast-sam3d]
 *                                                       [--json out.json] [--pack models/mini]
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STAGE_NAMES } from '../src-shared/report';
import type { StageName } from '../src-shared/report';
import { loadImageFile, loadMaskFile, openPack, runObject } from '../src-main/pipeline';
import type { Pack, Role } from '../src-main/pipeline';
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

/** The pack with every run timed (ms per role since the last reset). */
function timedPack(pack: Pack): { pack: Pack; take: () => Partial<Record<Role, number>> } {
  let acc: Partial<Record<Role, number>> = {};
  const wrapped: Pack = Object.create(pack) as Pack;
  Object.defineProperty(wrapped, 'run', {
    value: async (role: Role, feeds: Parameters<Pack['run']>[1]) => {
      const t = performance.now();
      try {
        return await pack.run(role, feeds);
      } finally {
        acc[role] = (acc[role] ?? 0) + performance.now() - t;
      }
    },
  });
  return {
    pack: wrapped,
    take: () => {
      const out = acc;
      acc = {};
      return out;
    },
  };
}

interface Sample {
  objectMs: number;
  stage: Record<StageName, number>;
  network: Record<StageName, number>;
  tablesMs: number;
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
      json: { type: 'string' },
    },
  });
  const all = await loadBenchmarkSet(resolve(values.set));
  const n = Math.min(Number(values.objects), all.length);
  const items = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  const labels = values.methods.split(',');
  const methods = labels.map((l) => {
    const m = BENCH_METHODS.find((b) => b.label === l);
    if (!m) throw new Error(`unknown method label "${l}"; known: ${BENCH_METHODS.map((b) => b.label).join(', ')}`);
    return m;
  });
  const reps = Number(values.reps);
  const seed = Number(values.seed);
  const opened = await openPack(resolve(values.pack), { executionProvider: 'cpu' });
  const { pack, take } = timedPack(opened);
  const inputs = await Promise.all(
    items.map(async (it) => ({
      id: it.id,
      image: await loadImageFile(join(it.dir, 'image.png')),
      mask: await loadMaskFile(join(it.dir, '0.png')),
    })),
  );

  const runOne = async (q: number, label: string): Promise<Sample> => {
    const m = methods.find((x) => x.label === label)!;
    take();
    const r = await runObject(pack, { image: inputs[q].image, mask: inputs[q].mask, name: inputs[q].id }, {
      method: m.method,
      params: { ...m.params, seed },
    });
    const roleMs = take();
    const network = Object.fromEntries(STAGE_NAMES.map((s) => [s, 0])) as Record<StageName, number>;
    for (const [role, ms] of Object.entries(roleMs)) network[ROLE_STAGE[role as Role]] += ms;
    const rep = r.report;
    return {
      objectMs: rep.objectMs,
      stage: Object.fromEntries(STAGE_NAMES.map((s) => [s, rep.stages[s].ms])) as Record<StageName, number>,
      network,
      tablesMs: rep.schedules.slat.tablesMs ?? 0,
      voxels: rep.aggregation.voxelsAfter,
    };
  };

  for (const m of methods) await runOne(0, m.label); // warm-up: sessions, JIT
  const samples = new Map<string, Sample[]>();
  for (let r = 0; r < reps; r++)
    for (let q = 0; q < items.length; q++)
      for (const m of methods) {
        const key = `${m.label}|${q}`;
        samples.set(key, [...(samples.get(key) ?? []), await runOne(q, m.label)]);
      }

  // Per object: median over reps of each field; per method: mean over objects.
  const summary = methods.map((m) => {
    const per = items.map((_, q) => samples.get(`${m.label}|${q}`)!);
    const agg = (f: (s: Sample) => number) => mean(per.map((list) => median(list.map(f))));
    return {
      label: m.label,
      objectMs: agg((s) => s.objectMs),
      voxels: agg((s) => s.voxels),
      tablesMs: agg((s) => s.tablesMs),
      stage: Object.fromEntries(STAGE_NAMES.map((s) => [s, agg((x) => x.stage[s])])) as Record<StageName, number>,
      network: Object.fromEntries(STAGE_NAMES.map((s) => [s, agg((x) => x.network[s])])) as Record<StageName, number>,
    };
  });

  const off = summary[0];
  const lines: string[] = [];
  lines.push(`pack ${opened.manifest.name} ${opened.manifest.version}, ${items.length} objects × ${reps} reps, seed ${seed}`);
  lines.push('');
  lines.push(`| stage | ${summary.map((s) => `${s.label} ms | % | in ORT ms`).join(' | ')} |`);
  lines.push(`|---|${summary.map(() => '---|---|---').join('|')}|`);
  for (const st of STAGE_NAMES) {
    lines.push(
      `| ${st} | ${summary
        .map((s) => `${s.stage[st].toFixed(0)} | ${((100 * s.stage[st]) / s.objectMs).toFixed(1)} | ${s.network[st].toFixed(0)}`)
        .join(' | ')} |`,
    );
  }
  const ort = (s: (typeof summary)[number]) => STAGE_NAMES.reduce((a, st) => a + s.network[st], 0);
  lines.push(`| **object** | ${summary.map((s) => `**${s.objectMs.toFixed(0)}** | 100 | ${ort(s).toFixed(0)}`).join(' | ')} |`);
  lines.push('');
  for (const s of summary) {
    lines.push(
      `${s.label}: ${(off.objectMs / s.objectMs).toFixed(2)}× vs ${off.label}; outside ORT ${(s.objectMs - ort(s)).toFixed(0)} ms ` +
        `(${((100 * (s.objectMs - ort(s))) / s.objectMs).toFixed(1)} %); SLaT tables ${s.tablesMs.toFixed(1)} ms; voxels after aggregation ${s.voxels.toFixed(0)}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (values.json) await writeFile(resolve(values.json), JSON.stringify({ items: items.map((i) => i.id), reps, summary }, null, 2));
  await opened.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`profile-stages failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
