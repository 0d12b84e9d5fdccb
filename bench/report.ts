/** Benchmark output: JSON types, Markdown tables in the paper's layout, and the speed-up-vs-F1 chart. */
import { loadNote, type MachineLoad } from './machine';
import type { SetDepthCeiling } from './depth-ceiling';
import { fmt } from './stats';

export interface QualitySummary {
  cd: number; f1: number; viou: number; iou3d: number; rotationErrorDeg: number; colorL1: number;
  /** 3D-IoU with the size-distance ambiguity of one photo removed (metrics/layout-error.ts); absent in older results. */
  iou3dDepthAligned?: number;
  /** Rendered-view PSNR (dB, 100 = identical) and SSIM, mean over objects (docs/metrics.md). */
  psnr: number; ssim: number;
  /** The two halves of F1@0.05 (%): predicted surface near the reference, reference surface near the prediction
   * (a shape too fat loses precision, one missing parts loses recall); absent in older results. */
  precision?: number; recall?: number;
}

export interface MethodRow {
  label: string;
  method: string;
  group: string;
  params: Record<string, unknown>;
  /** Mean over objects of the per-object median object time (ms). */
  objectMs: number;
  /** Object-level speed-up: Σ off time / Σ method time over the objects (same process). */
  speedup: number;
  speedupMedianPerObject: number;
  /**
   * The same ratio of process CPU time (all threads, per-object medians): a check on \`speedup\` when other
   * work shares the machine, since waiting for the CPU does not count. Absent in older results.
   */
  speedupCpu?: number;
  stagesMs: Record<string, number>;
  ssPasses: number;
  slatPasses: number;
  /** Objects on which the method produced no surface (scored F1 0, vIoU 0, 3D-IoU 0). */
  noSurface?: number;
  gt: QualitySummary;
  baseline: QualitySummary | null;
  perObject: { id: string; ms: number; speedup: number; vsGt: unknown; vsOff: unknown }[];
}

export interface BenchResult {
  date: string;
  command: string;
  machine: string;
  /** How busy the machine was when timing began (absent in results written before it was recorded). */
  loadAverage?: MachineLoad;
  pack: { name: string; version: string; dir: string };
  executionProvider: string;
  objects: string[];
  reps: number;
  seed: number;
  /** Quality pooled over seeds seed … seed + seeds − 1 (absent in older results: 1). */
  seeds?: number;
  /** Shape samples averaged per run when not 1 (bench --ss-samples). */
  ssSamples?: number;
  /** Fit to mask on for every run (bench --fit-to-mask). */
  fitToMask?: boolean;
  /** The objects in front masked too (bench --mask-occluders). */
  maskOccluders?: boolean;
  /** Colour from photo on for every run (bench --colour-from-photo). */
  colourFromPhoto?: boolean;
  /** The oracle stage (bench/oracle.ts) when the run replaced stages by the ground truth. */
  oracle?: string;
  /** The 3D-IoU one photo allows without depth on these objects (bench/depth-ceiling.ts); absent when the
   * set's index.json has no layout prior (older sets). */
  depthCeiling?: SetDepthCeiling;
  samples: number;
  peakRssMiB: number;
  wallSeconds: number;
  rows: MethodRow[];
}

const qualityCells = (q: QualitySummary | null) =>
  q
    ? [fmt(q.cd, 4), fmt(q.f1, 1), fmt(q.viou, 3), fmt(q.iou3d, 3), fmt(q.iou3dDepthAligned ?? NaN, 3), fmt(q.rotationErrorDeg, 1), fmt(q.colorL1, 1), fmt(q.psnr, 1), fmt(q.ssim, 3)]
    : Array<string>(9).fill('—');

/** A ratio as a table cell: "2.66×", or "—" when it was not measured (older results). */
export const times = (x: number, digits = 2): string => (Number.isFinite(x) ? `${fmt(x, digits)}×` : '—');

export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const seedText = (r: BenchResult) =>
  (r.seeds ?? 1) > 1 ? `quality over seeds ${r.seed}–${r.seed + r.seeds! - 1} (object × seed pairs)` : `seed ${r.seed}`;

/** The sampler settings every run of the benchmark used beyond SAM 3D's, as sentences (or nothing). */
function settingsText(r: BenchResult): string {
  const samples = (r.ssSamples ?? 1) > 1 ? ` Every run averages ${r.ssSamples} shape samples (\`--ss-samples\`; SAM 3D draws one).` : '';
  const occluders = r.maskOccluders ? ', with the objects in front masked too (`--mask-occluders`)' : '';
  const fit = r.fitToMask ? ` Every run fits the shape to the mask (\`--fit-to-mask\`; not in SAM 3D)${occluders}.` : '';
  const colour = r.colourFromPhoto ? ' Every mesh is coloured from the photo (`--colour-from-photo`; not in SAM 3D).' : '';
  return samples + fit + colour;
}

/** The sentence under the ground-truth table that says how far 3D-IoU can go without a depth cue. */
export function depthCeilingText(c: SetDepthCeiling): string {
  const range = (r: [number, number]) => `${r[0]}–${r[1]}`;
  const cued = c.perObject.filter((o) => o.occluders > 0).length;
  const occ = c.prior.occluder
    ? `; an occluder at ${range(c.prior.occluder.depthFactor)} of the target's depth with scale ${range(c.prior.occluder.scale)}`
    : '';
  const front = cued > 0 ? `, reading it also from the apparent size of the object in front for the ${cued} that have one` : '';
  return `3D-IoU ceiling without depth: **${fmt(c.expected, 3)}** expected (${fmt(c.realised, 3)} at these objects' actual depths, ${c.perObject.length} objects): a reconstruction exact in shape, rotation, direction and apparent size that guesses the depth as well as the generator's layout prior allows (depth ${range(c.prior.depth)}, scale ${range(c.prior.scale)}${occ}; all uniform)${front} (bench/depth-ceiling.ts). The depth-aligned column removes that guess.`;
}

/** The object benchmark's section of docs/benchmarks.md (no page title: the docs page has it). */
export function renderMarkdown(r: BenchResult): string {
  const head = ['method', 'CD ↓', 'F1@0.05 ↑', 'vIoU ↑', '3D-IoU ↑', '3D-IoU depth-aligned ↑', 'rot. err. (°, median) ↓', 'colour L1 ↓', 'PSNR (dB) ↑', 'SSIM ↑', 'object time (s)', 'speed-up', 'CPU-time speed-up', 'SS passes', 'SLaT passes'];
  const row = (m: MethodRow, q: QualitySummary | null) => [
    m.label, ...qualityCells(q), fmt(m.objectMs / 1000, 2), times(m.speedup), times(m.speedupCpu ?? NaN), fmt(m.ssPasses, 0), fmt(m.slatPasses, 1),
  ];
  const main = r.rows.filter((m) => m.group !== 'ablation');
  const ablation = r.rows.filter((m) => m.group === 'ablation' || m.label === 'off' || m.label === 'fast-sam3d');
  const stageNames = Object.keys(r.rows[0]?.stagesMs ?? {});
  const lines = [
    `Pack **${r.pack.name} ${r.pack.version}** (\`${r.pack.dir}\`), execution provider ${r.executionProvider}, ${r.objects.length} held-out objects × ${r.reps} repetitions, ${seedText(r)}, ${r.samples} surface samples per metric.${settingsText(r)}`,
    ...(r.oracle ? ['', `**Oracle study: \`${r.oracle}\`** — ground-truth stage outputs replace the pipeline's up to that stage (bench/oracle.ts); not the pack's quality.`] : []),
    `Machine: ${r.machine}. Date: ${r.date}. Wall time ${fmt(r.wallSeconds, 0)} s, peak RSS ${fmt(r.peakRssMiB, 0)} MiB. ${loadNote(r.loadAverage)}`.trimEnd(),
    '',
    `Command: \`${r.command}\``,
    '',
    'Speed-up = Σ object time of `off` / Σ object time of the method, per-object medians, measured in the same process, interleaved; "CPU-time speed-up" is the same ratio of process CPU time (all threads), a check on the wall-clock one when other work shared the machine (— in results recorded before it was). Metrics: docs/metrics.md (shape in the reference-normalised object frame, layout in the camera frame). "Visual" (Uni3D) is not available offline; colour L1 and rendered-view PSNR/SSIM (8 fixed views, 100 dB = identical) stand in for appearance. Scene time: section "Scene time" below (`--scene`).',
    '',
    '## Against ground truth',
    '',
    table(head, main.map((m) => row(m, m.gt))),
    '',
    ...(r.depthCeiling ? [depthCeilingText(r.depthCeiling), ''] : []),
    '## Fidelity to the un-accelerated output (same seed)',
    '',
    table(head, main.filter((m) => m.baseline).map((m) => row(m, m.baseline))),
    '',
    '## Module ablation (against ground truth)',
    '',
    table(head, ablation.map((m) => row(m, m.gt))),
    '',
    '## Where the time goes (mean ms per object)',
    '',
    table(['method', ...stageNames, 'object'], r.rows.filter((m) => ['off', 'fast-sam3d', 'balanced', 'max'].includes(m.label)).map((m) => [
      m.label, ...stageNames.map((s) => fmt(m.stagesMs[s], 0)), fmt(m.objectMs, 0),
    ])),
    '',
    '![speed-up vs F1](benchmark-chart.svg)',
    '',
  ];
  return lines.join('\n');
}

/** Scatter of speed-up (x) against F1@0.05 vs ground truth (y), one labelled point per method. */
export function renderChartSvg(r: BenchResult): string {
  const W = 720, H = 440, L = 60, B = 50, T = 30, Rm = 30;
  const pts = r.rows.filter((m) => Number.isFinite(m.gt.f1));
  const xs = pts.map((m) => m.speedup), ys = pts.map((m) => m.gt.f1);
  const x0 = 0.8, x1 = Math.max(2, ...xs) * 1.1;
  const y0 = Math.max(0, Math.min(...ys) - 5), y1 = Math.min(100, Math.max(...ys) + 5);
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - Rm);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - B - T);
  const colour: Record<string, string> = { reference: '#444', ours: '#d9480f', ablation: '#1c7ed6', baseline: '#868e96' };
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticksX = Array.from({ length: 6 }, (_, i) => x0 + ((x1 - x0) * i) / 5);
  const ticksY = Array.from({ length: 6 }, (_, i) => y0 + ((y1 - y0) * i) / 5);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">Speed-up vs F1@0.05 — ${esc(r.pack.name)} ${esc(r.pack.version)}, ${r.objects.length} objects</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - Rm}" y2="${H - B}" stroke="#000"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#000"/>`,
    ...ticksX.map((t) => `<text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${t.toFixed(1)}×</text>`),
    ...ticksY.map((t) => `<text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${t.toFixed(0)}</text>`),
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">object-level speed-up over off</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">F1@0.05 vs ground truth</text>`,
    ...pts.map((m) => `<circle cx="${sx(m.speedup).toFixed(1)}" cy="${sy(m.gt.f1).toFixed(1)}" r="4" fill="${colour[m.group] ?? '#000'}"/>` +
      `<text x="${(sx(m.speedup) + 6).toFixed(1)}" y="${(sy(m.gt.f1) - 6).toFixed(1)}" fill="${colour[m.group] ?? '#000'}">${esc(m.label)}</text>`),
    `</svg>`,
  ].join('\n');
}
