/**
 * The sweep's answer (issue 8, item 3): the Pareto front of speed-up against fidelity, and the
 * recommended `balanced` and `max` presets. Fidelity is four numbers per configuration: F1@0.05 and
 * 3D-IoU against the ground truth and against the `off` output of the same seed (off itself: 100 and 1).
 * A configuration is on the front when no other is at least as fast and at least as good on all four,
 * and strictly better on one.
 */
import { PRESETS } from '../src-shared/params';
import type { AccelParams } from '../src-shared/params';
import type { BenchResult, MethodRow } from './report';
import { seedText, table, times } from './report';
import { fmt } from './stats';

/** The paper's bounds (issue 8, item 4) against ground truth, relative to `off`. */
export const BOUNDS = { f1Points: 0.5, iou3d: 0.02, maxSpeedup: 3.5, maxFallbackF1Points: 2 } as const;

export interface SweepPoint {
  label: string;
  method: string;
  params: Record<string, unknown>;
  speedup: number;
  /** Speed-up in process CPU time (a check when the machine was loaded; NaN when not recorded). */
  speedupCpu: number;
  f1Gt: number;
  iouGt: number;
  f1Off: number;
  iouOff: number;
  onFront: boolean;
  /** Within the balanced bounds against ground truth. */
  withinBounds: boolean;
}

export interface PresetPick {
  label: string;
  speedup: number;
  f1Gt: number;
  iouGt: number;
  /** The PRESETS entry to write into src-shared/params.ts (the row's preset plus its overrides). */
  preset: Partial<AccelParams>;
}

export interface Recommendation {
  off: { f1Gt: number; iouGt: number };
  balanced: PresetPick | null;
  max: PresetPick | null;
  /** Which rule chose `max`: within the balanced bounds at ≥ 3.5×, or the fallback (F1 within 2 points). */
  maxRule: 'bounds' | 'fallback' | 'none';
  lines: string[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : -Infinity);

export function sweepPoints(rows: MethodRow[]): SweepPoint[] {
  const off = rows.find((r) => r.label === 'off');
  if (!off) throw new Error('the sweep needs the `off` row (it is the reference)');
  const pts = rows.map((r) => ({
    label: r.label, method: r.method, params: r.params, speedup: r.speedup, speedupCpu: r.speedupCpu ?? NaN,
    f1Gt: finite(r.gt.f1), iouGt: finite(r.gt.iou3d),
    f1Off: r.baseline ? finite(r.baseline.f1) : 100, iouOff: r.baseline ? finite(r.baseline.iou3d) : 1,
    onFront: false, withinBounds: false,
  }));
  const keys = ['speedup', 'f1Gt', 'iouGt', 'f1Off', 'iouOff'] as const;
  for (const p of pts) {
    p.onFront = !pts.some((q) => q !== p && keys.every((k) => q[k] >= p[k]) && keys.some((k) => q[k] > p[k]));
    p.withinBounds = within(p, pts.find((q) => q.label === 'off')!, BOUNDS.f1Points);
  }
  return pts;
}

function within(p: SweepPoint, off: SweepPoint, f1Points: number): boolean {
  return p.f1Gt >= off.f1Gt - f1Points && p.iouGt >= off.iouGt - BOUNDS.iou3d;
}

function presetOf(p: SweepPoint): Partial<AccelParams> {
  const base = PRESETS[p.method as keyof typeof PRESETS];
  if (!base) throw new Error(`sweep row "${p.label}" runs method ${p.method}, which is not a preset`);
  return { ...base, ...(p.params as Partial<AccelParams>) };
}

const pick = (p: SweepPoint | undefined): PresetPick | null =>
  p ? { label: p.label, speedup: p.speedup, f1Gt: p.f1Gt, iouGt: p.iouGt, preset: presetOf(p) } : null;

export function recommend(points: SweepPoint[]): Recommendation {
  const off = points.find((p) => p.label === 'off')!;
  const candidates = points.filter((p) => p.label !== 'off').sort((a, b) => b.speedup - a.speedup);
  const balanced = pick(candidates.find((p) => within(p, off, BOUNDS.f1Points)));
  let max = pick(candidates.find((p) => p.speedup >= BOUNDS.maxSpeedup && within(p, off, BOUNDS.f1Points)));
  let maxRule: Recommendation['maxRule'] = max ? 'bounds' : 'none';
  if (!max) {
    max = pick(candidates.find((p) => within(p, off, BOUNDS.maxFallbackF1Points)));
    if (max) maxRule = 'fallback';
  }
  const describe = (name: string, p: PresetPick | null, rule: string) =>
    p
      ? [
          `${name}: "${p.label}" — ${fmt(p.speedup, 2)}×, F1@0.05 ${fmt(p.f1Gt, 1)} (off ${fmt(off.f1Gt, 1)}), 3D-IoU ${fmt(p.iouGt, 3)} (off ${fmt(off.iouGt, 3)}); ${rule}`,
          `  PRESETS.${name === 'max' ? 'max' : 'balanced'} = ${JSON.stringify(p.preset)}`,
        ]
      : [`${name}: none — ${rule}`];
  const boundsText = `F1@0.05 ≥ off − ${BOUNDS.f1Points} and 3D-IoU ≥ off − ${BOUNDS.iou3d}, both against ground truth`;
  const lines = [
    ...describe('balanced', balanced, balanced ? `the fastest configuration with ${boundsText}` : `no configuration but off meets ${boundsText}`),
    ...describe(
      'max',
      max,
      maxRule === 'bounds'
        ? `the fastest configuration ≥ ${BOUNDS.maxSpeedup}× within the same bounds`
        : maxRule === 'fallback'
          ? `no configuration reaches ${BOUNDS.maxSpeedup}× within the bounds; this is the fastest with F1@0.05 within ${BOUNDS.maxFallbackF1Points} points of off (3D-IoU bound kept)`
          : `no configuration is within ${BOUNDS.maxFallbackF1Points} F1 points and ${BOUNDS.iou3d} 3D-IoU of off`,
    ),
  ];
  return { off: { f1Gt: off.f1Gt, iouGt: off.iouGt }, balanced, max, maxRule, lines };
}

/** The docs section: the front as a table (fastest first), then the recommendation. */
export function renderSweepMarkdown(r: BenchResult, points: SweepPoint[], rec: Recommendation, note: string): string {
  const front = points.filter((p) => p.onFront).sort((a, b) => b.speedup - a.speedup);
  const row = (p: SweepPoint) => [
    p.label, times(p.speedup), times(p.speedupCpu), fmt(p.f1Gt, 1), fmt(p.iouGt, 3), fmt(p.f1Off, 1), fmt(p.iouOff, 3), p.withinBounds ? 'yes' : 'no',
  ];
  return [
    '## Sweep: Pareto front and presets',
    '',
    `Pack **${r.pack.name} ${r.pack.version}**, ${r.objects.length} held-out objects × ${r.reps} repetitions, ${seedText(r)}, ${points.length} configurations (the presets, one-parameter sweeps around fast-sam3d, and combinations). ${note}`.trim(),
    '',
    `Command: \`${r.command}\``,
    '',
    `Front of speed-up against fidelity (no other configuration is at least as fast and at least as good on all four fidelity numbers); ${front.length} of ${points.length} configurations. "CPU-time speed-up": the same ratio of process CPU time (all threads), a check on the wall-clock one when other work shared the machine. "within bounds": F1@0.05 ≥ off − ${BOUNDS.f1Points} and 3D-IoU ≥ off − ${BOUNDS.iou3d} against ground truth.`,
    '',
    table(['configuration', 'speed-up', 'CPU-time speed-up', 'F1@0.05 vs GT', '3D-IoU vs GT', 'F1@0.05 vs off', '3D-IoU vs off', 'within bounds'], front.map(row)),
    '',
    'Recommendation (the presets in src-shared/params.ts are set from this by hand, with the run that justifies them):',
    '',
    '```',
    ...rec.lines,
    '```',
    '',
  ].join('\n');
}
