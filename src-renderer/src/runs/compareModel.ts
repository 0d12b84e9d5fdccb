/**
 * Numbers of the Compare view: accelerated run against the acceleration-off baseline at the same seed.
 * Reports come from the library as JSON; they are validated here so a malformed one shows a clear note
 * instead of a broken table.
 */
import { RunReportSchema, STAGE_NAMES, type RunReport } from '../../../src-shared/report';

export interface StageRow {
  stage: string;
  ms: number;
  baselineMs: number | null;
  passes: number;
  baselinePasses: number | null;
}

export interface Comparison {
  /** Wall-clock: the baseline's object time ÷ this run's, each timed once (null without a baseline). */
  speedup: number | null;
  totalMs: number;
  baselineMs: number | null;
  passes: number;
  baselinePasses: number | null;
  /** Network passes of the two samplers (SS + SLaT), where the accelerations act: this run's and the baseline's. */
  samplerPasses: number;
  baselineSamplerPasses: number | null;
  /**
   * Baseline SS + SLaT passes ÷ this run's: fixed by the request (method, parameters, seed), so identical
   * requests give the same ratio on any machine, unlike `speedup`. Null without a baseline or passes.
   */
  passRatio: number | null;
  rows: StageRow[];
}

export function parseReport(raw: unknown): { report: RunReport } | { error: string } {
  const r = RunReportSchema.safeParse(raw);
  if (r.success) return { report: r.data };
  const first = r.error.issues[0];
  return { error: `The run report is not in the expected format (${first?.path.join('.') || 'root'}: ${first?.message}). Re-run the job with this version of the app.` };
}

export function totalPasses(r: RunReport): number {
  return STAGE_NAMES.reduce((n, s) => n + r.stages[s].networkPasses, 0);
}

/** SS + SLaT network passes: the samplers' share of the work, the part the accelerations cut. */
export function samplerPasses(r: RunReport): number {
  return r.stages.ssSampling.networkPasses + r.stages.slatSampling.networkPasses;
}

export function compareReports(run: RunReport, baseline: RunReport | null): Comparison {
  const rows = STAGE_NAMES.map((stage) => ({
    stage,
    ms: run.stages[stage].ms,
    baselineMs: baseline ? baseline.stages[stage].ms : null,
    passes: run.stages[stage].networkPasses,
    baselinePasses: baseline ? baseline.stages[stage].networkPasses : null,
  }));
  return {
    speedup: baseline && run.objectMs > 0 ? baseline.objectMs / run.objectMs : null,
    totalMs: run.objectMs,
    baselineMs: baseline?.objectMs ?? null,
    passes: totalPasses(run),
    baselinePasses: baseline ? totalPasses(baseline) : null,
    samplerPasses: samplerPasses(run),
    baselineSamplerPasses: baseline ? samplerPasses(baseline) : null,
    passRatio: baseline && samplerPasses(run) > 0 ? samplerPasses(baseline) / samplerPasses(run) : null,
    rows,
  };
}

/** One speed-up figure of the Compare panel: the ratio, what it counts, its tooltip, and its colour. */
export interface SpeedupFigure {
  key: 'passes' | 'time';
  /** "2.56×". */
  value: string;
  /** What the ratio is of, shown after it: "passes" or "timed once". */
  unit: string;
  title: string;
  /** 'accent' at or above 1×, 'slower' below. */
  tone: 'accent' | 'slower';
}

/**
 * The speed-up against the baseline as the panel shows it: the SS + SLaT network-pass ratio first (fixed by
 * the request), then the wall-clock ratio, labelled as the single measurement it is. Empty without a baseline.
 */
export function speedupFigures(c: Comparison): SpeedupFigure[] {
  const out: SpeedupFigure[] = [];
  const tone = (x: number) => (x >= 1 ? 'accent' : 'slower');
  if (c.passRatio !== null) {
    out.push({
      key: 'passes', value: `${c.passRatio.toFixed(2)}×`, unit: 'sampler passes', tone: tone(c.passRatio),
      title: `SS + SLaT network passes: ${c.baselineSamplerPasses} for the baseline ÷ ${c.samplerPasses} for this run. `
        + 'Set by the method, parameters and seed, so the same request gives the same ratio on any machine; '
        + 'the time saved follows it, less the stages no acceleration shortens (conditioning, decoding, the mesh).',
    });
  }
  if (c.speedup !== null) {
    out.push({
      key: 'time', value: `${c.speedup.toFixed(1)}×`, unit: 'timed once', tone: tone(c.speedup),
      title: `${c.speedup >= 1 ? '' : 'Slower than its baseline in this run. '}One measurement: the baseline's ${formatMs(c.baselineMs)} ÷ this run's ${formatMs(c.totalMs)}, each timed once on this machine. `
        + 'A single timing moves by 10–30 % or more (a cold start, other work on the CPU), so identical requests can show quite different figures; '
        + 'the pass ratio is the steady measure, and npm run bench repeats and interleaves runs.',
    });
  }
  return out;
}

/** Quality metrics against the baseline, by their paper names, from whatever the API provides. */
/** The quality metrics shown against a baseline; F1 is a percentage (0–100), the others fractions or lengths. */
export const METRIC_LABELS: readonly { key: string; label: string; better: 'lower' | 'higher'; digits: number }[] = [
  { key: 'chamfer', label: 'CD', better: 'lower', digits: 4 },
  { key: 'f1', label: 'F1@0.05 (%)', better: 'higher', digits: 1 },
  { key: 'vIoU', label: 'vIoU', better: 'higher', digits: 3 },
  { key: 'iou3d', label: '3D-IoU', better: 'higher', digits: 3 },
];

/**
 * Pick the metric values out of a metrics object whose exact key names are the metrics owner's: accept
 * the common spellings (chamfer / cd, f1 / f1_005 / fScore, viou / voxelIou, iou3d / boxIou3d).
 */
export function readMetrics(raw: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!raw || typeof raw !== 'object') return out;
  const aliases: Record<string, string[]> = {
    chamfer: ['chamfer', 'cd', 'chamferDistance'],
    f1: ['f1', 'f1_005', 'f1At005', 'fScore', 'f1_0.05'],
    vIoU: ['vIoU', 'viou', 'voxelIou'],
    iou3d: ['iou3d', 'iou3D', 'boxIou3d', 'box3dIou', 'iou'],
  };
  const entries = Object.entries(raw as Record<string, unknown>);
  for (const [key, names] of Object.entries(aliases)) {
    const hit = entries.find(([k, v]) => typeof v === 'number' && names.some((n) => n.toLowerCase() === k.toLowerCase()));
    if (hit) out[key] = hit[1] as number;
  }
  return out;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** A timed ratio in words: below 1× the run was slower than its baseline, and says so. */
export function speedupWords(speedup: number): string {
  return speedup >= 1
    ? `${speedup.toFixed(2)}× faster than its baseline (timed once)`
    : `${(1 / speedup).toFixed(2)}× slower than its baseline (timed once)`;
}
