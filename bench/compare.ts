/**
 * `fastsam3d bench --compare A/bench.json B/bench.json`: two object-benchmark results of the same objects
 * and seeds (typically two packs, each from `--full --methods off --seeds 3`) side by side, with the
 * difference per object and its standard error.
 *
 * Why paired: the 24 held-out objects differ from each other far more than two close checkpoints do, so
 * two means alone cannot say whether a change is larger than the noise. The per-object difference (each
 * object's mean over its seeds, B − A) and the standard error of its mean over objects can: a difference
 * of at least two standard errors is called better or worse, anything smaller "within noise". Seeds of
 * one object are not independent samples (same object, same pack), so the error is taken over objects.
 * The A and B columns are the results' own summaries (means over object × seed pairs, median rotation
 * over the pairs), exactly the numbers of their tables.
 */
import { readFileSync } from 'node:fs';
import type { Quality } from './evaluate';
import type { BenchResult, MethodRow } from './report';
import { seedText, table } from './report';
import { fmt, mean } from './stats';

type MetricKey = keyof Quality;
interface Metric { key: MetricKey; name: string; higherIsBetter: boolean; digits: number }

/** Ground-truth metrics in the order of the benchmark tables, then the layout errors. */
export const COMPARED_METRICS: Metric[] = [
  { key: 'f1', name: 'F1@0.05', higherIsBetter: true, digits: 1 },
  { key: 'cd', name: 'CD', higherIsBetter: false, digits: 4 },
  { key: 'viou', name: 'vIoU', higherIsBetter: true, digits: 3 },
  { key: 'iou3d', name: '3D-IoU', higherIsBetter: true, digits: 3 },
  { key: 'iou3dDepthAligned', name: '3D-IoU depth-aligned', higherIsBetter: true, digits: 3 },
  { key: 'rotationErrorDeg', name: 'rotation error (°; A, B: median)', higherIsBetter: false, digits: 1 },
  { key: 'translationError', name: 'translation error (relative)', higherIsBetter: false, digits: 3 },
  { key: 'scaleError', name: 'scale error (relative)', higherIsBetter: false, digits: 3 },
  { key: 'colorL1', name: 'colour L1', higherIsBetter: false, digits: 1 },
  { key: 'psnr', name: 'PSNR (dB)', higherIsBetter: true, digits: 1 },
  { key: 'ssim', name: 'SSIM', higherIsBetter: true, digits: 3 },
];

export type Verdict = 'better' | 'worse' | 'within noise' | 'identical' | '—';

export interface MetricComparison {
  key: MetricKey;
  name: string;
  /**
   * The results' own summaries (rotation: median over object × seed pairs; the rest: means); for a metric
   * the summary does not carry (translation, scale error), the mean of the per-object values.
   */
  a: number;
  b: number;
  /** Mean over objects of B − A (per-object means over seeds); NaN where no object has both. */
  diff: number;
  /** Standard error of that mean over objects (NaN with fewer than two objects). */
  se: number;
  /** Objects on which B is better / worse than A. */
  objectsBetter: number;
  objectsWorse: number;
  objects: number;
  verdict: Verdict;
}

export interface Comparison {
  a: BenchResult;
  b: BenchResult;
  label: string;
  metrics: MetricComparison[];
}

/** Reads a bench.json and says what is wrong with it if it is not one. */
export function loadBenchResult(file: string): BenchResult {
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} as a benchmark result (${(e as Error).message}); pass the bench.json of an object benchmark run (--out folder)`);
  }
  const rows = (r as BenchResult | null)?.rows;
  if (!Array.isArray(rows) || !Array.isArray((r as BenchResult).objects)) {
    throw new Error(`${file} is not an object benchmark result (no rows/objects): pass a bench.json, not a sweep or scene result`);
  }
  return r as BenchResult;
}

const rowOf = (r: BenchResult, label: string, file: string): MethodRow => {
  const row = r.rows.find((m) => m.label === label);
  if (!row) throw new Error(`${file} has no "${label}" row (rows: ${r.rows.map((m) => m.label).join(', ')}); choose one with --compare-method`);
  return row;
};

const objectValue = (vsGt: unknown, k: MetricKey): number => {
  const v = (vsGt as Partial<Quality> | null)?.[k];
  return typeof v === 'number' ? v : NaN;
};
const summaryValue = (row: MethodRow, k: MetricKey): number =>
  (row.gt as unknown as Record<string, number | undefined>)[k] ?? mean(row.perObject.map((o) => objectValue(o.vsGt, k)).filter(Number.isFinite));

export function compareResults(a: BenchResult, b: BenchResult, label = 'off', files: [string, string] = ['A', 'B']): Comparison {
  const ra = rowOf(a, label, files[0]);
  const rb = rowOf(b, label, files[1]);
  const same = a.objects.length === b.objects.length && a.objects.every((id, i) => id === b.objects[i]);
  if (!same) throw new Error(`the two results scored different objects (${a.objects.length} and ${b.objects.length}); run both with the same --objects/--full and --set`);
  if (a.seed !== b.seed || (a.seeds ?? 1) !== (b.seeds ?? 1)) {
    throw new Error(`the two results used different seeds (${seedText(a)} and ${seedText(b)}); run both with the same --seed and --seeds`);
  }
  const byId = new Map(rb.perObject.map((o) => [o.id, o.vsGt]));
  const metrics = COMPARED_METRICS.map((m): MetricComparison => {
    const diffs: number[] = [];
    for (const o of ra.perObject) {
      const d = objectValue(byId.get(o.id), m.key) - objectValue(o.vsGt, m.key);
      if (Number.isFinite(d)) diffs.push(d);
    }
    const diff = mean(diffs);
    const se = diffs.length > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - diff) ** 2, 0) / (diffs.length - 1) / diffs.length) : NaN;
    const good = (d: number) => (m.higherIsBetter ? d > 0 : d < 0);
    const bad = (d: number) => (m.higherIsBetter ? d < 0 : d > 0);
    const verdict: Verdict = !Number.isFinite(se) ? '—' : se === 0 && diff === 0 ? 'identical'
      : Math.abs(diff) < 2 * se ? 'within noise' : good(diff) ? 'better' : 'worse';
    return {
      key: m.key, name: m.name,
      a: summaryValue(ra, m.key), b: summaryValue(rb, m.key),
      diff, se,
      objectsBetter: diffs.filter(good).length, objectsWorse: diffs.filter(bad).length, objects: diffs.length,
      verdict,
    };
  });
  return { a, b, label, metrics };
}

export function renderComparisonMarkdown(c: Comparison): string {
  const digits = new Map(COMPARED_METRICS.map((m) => [m.key, m.digits]));
  const signed = (x: number, d: number) => (Number.isFinite(x) && x > 0 ? '+' : '') + fmt(x, d);
  const rows = c.metrics.map((m) => {
    const d = digits.get(m.key)!;
    return [m.name, fmt(m.a, d), fmt(m.b, d), signed(m.diff, d), fmt(m.se, d), `${m.objectsBetter} / ${m.objectsWorse}`, m.verdict];
  });
  const pack = (r: BenchResult) => `${r.pack.name} ${r.pack.version} (\`${r.pack.dir}\`)`;
  return [
    `## Comparison: B against A (\`${c.label}\` rows)`,
    '',
    `A: ${pack(c.a)}, ${c.a.date}. B: ${pack(c.b)}, ${c.b.date}. ${c.a.objects.length} objects, ${seedText(c.a)}, ${c.a.samples} / ${c.b.samples} surface samples.`,
    '',
    table(['metric (vs ground truth)', 'A', 'B', 'B − A (per object)', 'standard error', 'objects better / worse', 'verdict'], rows),
    '',
    'A and B: the results\' own summaries (means over object × seed pairs; rotation: median over the pairs; translation and scale: mean of the per-object means). ' +
      'B − A: mean over objects of the per-object difference (each object\'s mean over its seeds; rotation too), ' +
      'with its standard error over objects; "better" / "worse" when it is at least two standard errors.',
  ].join('\n');
}
