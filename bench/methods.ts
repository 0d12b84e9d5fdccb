/** The rows of the benchmark: presets, the module ablation and the baselines (acceleration.md). */
import type { AccelParams, Method } from '../src-shared/params';

export interface BenchMethod {
  /** Row label in the tables. */
  label: string;
  method: Method;
  params?: Partial<AccelParams>;
  group: 'reference' | 'ours' | 'ablation' | 'baseline';
}

const modules = (ss: boolean, slat: boolean, mesh: boolean): Partial<AccelParams> => ({
  ssCache: ss, slatCarving: slat, meshAggregation: mesh,
});

export const BENCH_METHODS: BenchMethod[] = [
  { label: 'off', method: 'off', group: 'reference' },
  { label: 'fast-sam3d', method: 'fast-sam3d', group: 'ours' },
  { label: 'balanced', method: 'balanced', group: 'ours' },
  { label: 'max', method: 'max', group: 'ours' },
  { label: 'SS only', method: 'fast-sam3d', params: modules(true, false, false), group: 'ablation' },
  { label: 'SLaT only', method: 'fast-sam3d', params: modules(false, true, false), group: 'ablation' },
  { label: 'mesh only', method: 'fast-sam3d', params: modules(false, false, true), group: 'ablation' },
  { label: 'SS+SLaT', method: 'fast-sam3d', params: modules(true, true, false), group: 'ablation' },
  { label: 'SS+mesh', method: 'fast-sam3d', params: modules(true, false, true), group: 'ablation' },
  { label: 'SLaT+mesh', method: 'fast-sam3d', params: modules(false, true, true), group: 'ablation' },
  { label: 'taylorseer', method: 'taylorseer', group: 'baseline' },
  { label: 'easycache', method: 'easycache', group: 'baseline' },
  { label: 'uniform-skip', method: 'uniform-skip', group: 'baseline' },
  { label: 'random-drop', method: 'random-drop', group: 'baseline' },
  { label: 'uniform-merge', method: 'uniform-merge', group: 'baseline' },
];

/** Quick smoke subset (CI): the reference, the paper's preset and one module per stage. */
export const QUICK_LABELS = ['off', 'fast-sam3d', 'SS only', 'SLaT only', 'mesh only'];

/**
 * The sweep (issue 8, item 3): the presets, one-parameter sweeps around fast-sam3d (k, β, carving ratio,
 * SLaT threshold, τ low/high), and a few combinations of the aggressive settings, since no single
 * parameter reaches the largest speed-ups alone. About 30 configurations: 4 objects × 1 repetition stay
 * within ~10 minutes on a 2-core CPU.
 */
export function sweepMethods(): BenchMethod[] {
  const rows: BenchMethod[] = BENCH_METHODS.filter((m) => ['fast-sam3d', 'balanced', 'max'].includes(m.label));
  const add = (label: string, params: Partial<AccelParams>) =>
    rows.push({ label, method: 'fast-sam3d', params, group: 'ours' });
  for (const k of [2, 4, 5, 6]) add(`k=${k}`, { ssCacheStride: k });
  for (const b of [0.3, 0.5, 0.7]) add(`β=${b} (paper)`, { ssLayoutMode: 'paper', ssMomentumBeta: b });
  for (const r of [0.05, 0.2, 0.3, 0.5]) add(`carve=${r}`, { slatCarvingRatio: r });
  for (const t of [0.5, 2.5, 4]) add(`thresh=${t}`, { slatThresh: t });
  for (const [lo, hi] of [[0.3, 0.5], [0.6, 0.8], [0.7, 0.9]]) add(`τ=${lo}/${hi}`, { meshTauLow: lo, meshTauHigh: hi });
  for (const k of [4, 6])
    for (const [t, r] of [[2.5, 0.2], [4, 0.3]])
      add(`k=${k} thresh=${t} carve=${r}`, { ssCacheStride: k, slatThresh: t, slatCarvingRatio: r });
  add('k=6 thresh=4 carve=0.5 τ=0.3/0.5', { ssCacheStride: 6, slatThresh: 4, slatCarvingRatio: 0.5, meshTauLow: 0.3, meshTauHigh: 0.5 });
  return rows;
}
