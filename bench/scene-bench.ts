/**
 * Scene time (`--scene`): one photo with several masks (resources/examples/scene-three, 3 objects) run
 * as one runScene job — condition once for all masks, SS sampling batched across objects — against one
 * runObject call per mask, for `off` and `fast-sam3d`, interleaved in one process after a warm-up. Times
 * are wall-clock around the calls (pack loading excluded); nothing is asserted.
 */
import { resolve } from 'node:path';
import { loadImageFile, loadMaskFile, openPack, readSam3dFolder, runObject, runScene } from '../src-main/pipeline';
import type { Method } from '../src-shared/params';
import { loadNote, machineInfo, machineLoad, type MachineLoad } from './machine';
import type { BenchOptions } from './options';
import { table } from './report';
import { fmt, median } from './stats';

export const SCENE_METHODS: Method[] = ['off', 'fast-sam3d'];

export interface SceneRow {
  method: Method;
  /** Median wall time of the three separate runObject calls together (ms). */
  separateMs: number;
  /** Median wall time of the runScene job (ms). */
  sceneMs: number;
  /** separateMs / sceneMs. */
  sceneSpeedup: number;
  /** The same ratio of process CPU time (all threads): a check when other work shared the machine. */
  sceneSpeedupCpu: number;
  /** Σ SS network passes: separate runs vs the batched scene (one batched pass counts once). */
  ssPassesSeparate: number;
  ssPassesScene: number;
  /** Condition passes: one per separate run vs one for the scene. */
  conditionPassesSeparate: number;
  conditionPassesScene: number;
}

export interface SceneBenchResult {
  date: string;
  command: string;
  machine: string;
  loadAverage: MachineLoad;
  pack: { name: string; version: string; dir: string };
  executionProvider: string;
  scene: string;
  objects: number;
  reps: number;
  seed: number;
  peakRssMiB: number;
  rows: SceneRow[];
}

interface Timed { ms: number; cpuMs: number; ss: number; cond: number }

export async function runSceneBenchmark(o: BenchOptions, log: (s: string) => void): Promise<SceneBenchResult> {
  const folder = await readSam3dFolder(resolve(o.scene));
  const image = await loadImageFile(folder.imagePath);
  const masks = await Promise.all(folder.masks.map(async (m) => ({ mask: await loadMaskFile(m.path), name: `object-${m.index}` })));
  const reps = o.reps ?? (o.quick ? 1 : 3);
  const methods = o.methods ? SCENE_METHODS.filter((m) => m === 'off' || o.methods!.includes(m)) : SCENE_METHODS;
  const pack = await openPack(resolve(o.pack), { executionProvider: 'cpu' });
  try {
    log(`bench --scene: pack ${pack.manifest.name} ${pack.manifest.version}, ${masks.length} masks, ${methods.join(', ')}, ${reps} reps`);
    const opts = (method: Method) => ({ method, params: { seed: o.seed } });
    const cpuMsSince = (c: NodeJS.CpuUsage) => {
      const d = process.cpuUsage(c);
      return (d.user + d.system) / 1000;
    };
    const scene = async (method: Method): Promise<Timed> => {
      const t = performance.now(), c = process.cpuUsage();
      const r = await runScene(pack, { image, masks }, opts(method));
      return { ms: performance.now() - t, cpuMs: cpuMsSince(c), ss: r.report.shared.ssSampling.networkPasses, cond: r.report.shared.condition.networkPasses };
    };
    const separate = async (method: Method): Promise<Timed> => {
      const t = performance.now(), c = process.cpuUsage();
      let ss = 0;
      for (const m of masks) ss += (await runObject(pack, { image, ...m }, opts(method))).report.schedules.ss.networkPasses;
      return { ms: performance.now() - t, cpuMs: cpuMsSince(c), ss, cond: masks.length };
    };
    for (const m of methods) {
      await scene(m);
      await separate(m);
    }
    const loadAverage = machineLoad();
    const samples = new Map<string, Timed[]>();
    const push = (key: string, s: Timed) => samples.set(key, [...(samples.get(key) ?? []), s]);
    for (let r = 0; r < reps; r++) {
      // Alternate which approach goes first, so a drift in machine load does not favour one of them.
      for (const m of methods) {
        if (r % 2 === 0) {
          push(`scene|${m}`, await scene(m));
          push(`separate|${m}`, await separate(m));
        } else {
          push(`separate|${m}`, await separate(m));
          push(`scene|${m}`, await scene(m));
        }
      }
      log(`  rep ${r + 1}/${reps} done`);
    }
    const rows = methods.map((m): SceneRow => {
      const sc = samples.get(`scene|${m}`)!, se = samples.get(`separate|${m}`)!;
      const sceneMs = median(sc.map((s) => s.ms)), separateMs = median(se.map((s) => s.ms));
      return {
        method: m, separateMs, sceneMs, sceneSpeedup: separateMs / sceneMs,
        sceneSpeedupCpu: median(se.map((s) => s.cpuMs)) / median(sc.map((s) => s.cpuMs)),
        ssPassesSeparate: se[0].ss, ssPassesScene: sc[0].ss,
        conditionPassesSeparate: se[0].cond, conditionPassesScene: sc[0].cond,
      };
    });
    return {
      date: new Date().toISOString(), command: o.commandLine, machine: machineInfo(), loadAverage,
      pack: { name: pack.manifest.name, version: pack.manifest.version, dir: o.pack },
      executionProvider: pack.executionProvider, scene: o.scene, objects: masks.length, reps, seed: o.seed,
      peakRssMiB: process.resourceUsage().maxRSS / 1024, rows,
    };
  } finally {
    await pack.close();
  }
}

/** The "Scene time" section of docs/benchmarks.md. */
export function renderSceneMarkdown(r: SceneBenchResult): string {
  const off = r.rows.find((x) => x.method === 'off');
  return [
    '## Scene time',
    '',
    `\`${r.scene}\` (${r.objects} masks of one photo), pack **${r.pack.name} ${r.pack.version}**, execution provider ${r.executionProvider}, ${r.reps} repetitions (medians), seed ${r.seed}, warm-up first, interleaved. ${loadNote(r.loadAverage)}`,
    `Machine: ${r.machine}. Date: ${r.date}. Peak RSS ${fmt(r.peakRssMiB, 0)} MiB.`,
    '',
    `Command: \`${r.command}\``,
    '',
    'A scene job conditions the photo once for all masks and batches SS sampling across the objects (one batched network pass per step); "separate" runs one runObject call per mask. Time is wall-clock around the calls; "CPU-time speed-up" is the same ratio of process CPU time, a check when other work shared the machine.',
    '',
    table(
      ['method', `${r.objects} × runObject (s)`, 'runScene (s)', 'scene speed-up', 'CPU-time speed-up', 'vs off separate', 'SS passes (separate → scene)', 'condition passes'],
      r.rows.map((x) => [
        x.method, fmt(x.separateMs / 1000, 2), fmt(x.sceneMs / 1000, 2), `${fmt(x.sceneSpeedup, 2)}×`, `${fmt(x.sceneSpeedupCpu, 2)}×`,
        off ? `${fmt(off.separateMs / x.sceneMs, 2)}×` : '—',
        `${x.ssPassesSeparate} → ${x.ssPassesScene}`, `${x.conditionPassesSeparate} → ${x.conditionPassesScene}`,
      ]),
    ),
    '',
  ].join('\n');
}
