/**
 * Options of the benchmark, shared by `npm run bench` and `fastsam3d bench` (both parse with the CLI's
 * `bench` subcommand). The mode flags pick defaults; explicit values override them.
 */
import type { OracleStage } from './oracle';

export type BenchMode = 'objects' | 'sweep' | 'scene';

export interface BenchOptions {
  mode: BenchMode;
  /** A few objects and methods, one repetition, fewer metric samples: the CI smoke run. */
  quick: boolean;
  /** Every object of the set. */
  full: boolean;
  pack: string;
  /** Held-out benchmark set (objects mode and sweep). */
  set: string;
  /** SAM 3D folder of the scene benchmark (image.png + 0.png, 1.png, …). */
  scene: string;
  objects?: number;
  reps?: number;
  /** Only these row labels (off is always kept: it is the reference). */
  methods?: string[];
  seed: number;
  /**
   * Quality over this many seeds (seed, seed + 1, …): repetition r runs seed + (r mod seeds), so reps is at
   * least seeds. One seed's median rotation over 24 objects moves by degrees from seed to seed; pooling
   * object × seed pairs is what a pack-to-pack comparison should rest on.
   */
  seeds: number;
  /** Shape samples averaged per run (sampler setting ssSamples) for every method; absent: 1, SAM 3D's. */
  ssSamples?: number;
  /** Fit to mask (sampler setting fitToMask) for every method; absent: off, SAM 3D's. */
  fitToMask?: boolean;
  /** With fitToMask: the objects in front are masked too (the items' occluder masks as other masks). */
  maskOccluders?: boolean;
  /** Colour from photo (sampler setting colourFromPhoto) for every method; absent: off, SAM 3D's. */
  colourFromPhoto?: boolean;
  samples?: number;
  /**
   * The oracle study (bench/oracle.ts): ground-truth outputs replace this stage and the ones before it,
   * read from `oracleDir` (tools' oracle_inputs). Absent: the real pipeline.
   */
  oracle?: OracleStage;
  oracleDir: string;
  out: string;
  writeDocs: boolean;
  /** docs/benchmarks.md by default. */
  docsFile: string;
  /** The command line recorded in the results. */
  commandLine: string;
}

/** The defaults that depend on the mode flags. */
export function resolveCounts(o: BenchOptions, setSize: number): { objects: number; reps: number; samples: number } {
  return {
    objects: Math.min(setSize, o.objects ?? (o.quick ? 2 : o.full ? setSize : 6)),
    reps: Math.max(o.seeds, o.reps ?? (o.quick ? 1 : 3)),
    samples: o.samples ?? (o.quick ? 5000 : 20_000),
  };
}

/**
 * What to tell the user when the repetitions asked for are fewer than the seeds: every seed needs a
 * repetition (repetition r runs seed + r mod seeds), so --reps is raised to --seeds. Null when nothing changed.
 */
export function repsNote(o: Pick<BenchOptions, 'reps' | 'seed' | 'seeds'>, reps: number): string | null {
  if (o.reps === undefined || o.reps >= reps) return null;
  return `bench: --reps ${o.reps} raised to ${reps}: with --seeds ${o.seeds} every object runs seeds ${o.seed}–${o.seed + o.seeds - 1}, one repetition per seed (repetition r runs seed ${o.seed} + r mod ${o.seeds})`;
}
