/**
 * Sparse-structure sampler: flow matching over the shape tokens and the four layout vectors, Euler on the
 * rescaled time grid, per-modality CFG inside the interval with a 1-token zero condition for the
 * unconditional branch, shortcut mode when the pack has one. Batched over B objects of one image; each
 * object has its own step policy (acceleration) and its own noise (drawn from Rng(seed, ss stream), so an
 * object of a scene starts from the same noise as the same object run alone).
 */
import type { SsModality, SsStepPolicy, SsVelocity } from '../accel/types';
import { SS_MODALITIES } from '../accel/types';
import { throwIfAborted } from '../errors';
import type { Pack } from '../pack';
import type { Manifest } from '../pack/manifest-schema';
import { RNG_STREAMS, Rng } from '../rng';
import { guidedSteps, timeGrid } from './time-grid';

export type SsState = SsVelocity;

/** Per-object element counts of each modality. */
export function ssSizes(m: Manifest): Record<SsModality, number> {
  const l = m.grid.ssLatentResolution;
  return { shape: l * l * l * m.grid.ssLatentChannels, rotation6d: 6, translation: 3, scale: 3, translationScale: 1 };
}

/** Network input / output names and dims per modality. */
const IO: Record<SsModality, { x: string; v: string }> = {
  shape: { x: 'x_shape', v: 'v_shape' },
  rotation6d: { x: 'x_rot6d', v: 'v_rot6d' },
  translation: { x: 'x_translation', v: 'v_translation' },
  scale: { x: 'x_scale', v: 'v_scale' },
  translationScale: { x: 'x_translation_scale', v: 'v_translation_scale' },
};

/**
 * Initial noise of one object, in the documented draw order. Shape sample `sample` ≥ 1 (sampler setting
 * ssSamples) draws from its own stream, so sample 0 stays the one-sample run's noise.
 */
export function ssNoise(m: Manifest, seed: number, sample = 0): SsState {
  const rng = new Rng(seed, sample === 0 ? RNG_STREAMS.ss : RNG_STREAMS.ssShapeSample + sample - 1);
  const sizes = ssSizes(m);
  const out = {} as SsState;
  for (const mod of SS_MODALITIES) out[mod] = rng.fillNormal(new Float32Array(sizes[mod]));
  return out;
}

export interface SsSchedule {
  steps: number;
  grid: Float64Array;
  guided: boolean[];
  /** Shortcut `d` fed to the network (0 in normal mode). */
  d: number;
  strength: number;
}

/** Effective schedule for the pack and the user's overrides. */
export function ssSchedule(m: Manifest, overrides: { ssSteps?: number; ssCfgStrength?: number }): SsSchedule {
  if (m.ss.shortcut) {
    const k = overrides.ssSteps ?? m.ss.shortcut.steps; // the user may pick K (SAM 3D: stage1_inference_steps)
    const grid = timeGrid(k, m.ss.rescaleT);
    return { steps: k, grid, guided: new Array<boolean>(k).fill(false), d: 1 / k, strength: 0 };
  }
  const steps = overrides.ssSteps ?? m.ss.steps;
  const strength = overrides.ssCfgStrength ?? m.ss.cfg.strength;
  const grid = timeGrid(steps, m.ss.rescaleT);
  return { steps, grid, guided: guidedSteps(grid, strength, m.ss.cfg.interval), d: 0, strength };
}

export interface SsStepEvent {
  object: number;
  step: number;
  steps: number;
  kind: 'full' | 'cached';
}

export interface SsSampleOptions {
  pack: Pack;
  schedule: SsSchedule;
  /** (B, Lc, D) conditions, B = number of objects. */
  cond: { data: Float32Array; tokens: number };
  /** Initial noise per object (injected for parity tests, else from the seed). */
  noise: SsState[];
  /** One policy per object; omitted = plain sampler (every step evaluated). */
  policies?: SsStepPolicy[];
  onStep?: (e: SsStepEvent) => void;
  signal?: AbortSignal;
}

export interface SsSampleResult {
  states: SsState[];
  /** ss_flow session runs (shared by the batch). */
  networkPasses: number;
  /** Per object: passes attributable to it (a batched run counts once for every object in it). */
  objectPasses: number[];
  patterns: string[];
}

export async function sampleSs(o: SsSampleOptions): Promise<SsSampleResult> {
  const m = o.pack.manifest;
  const b = o.noise.length;
  const sizes = ssSizes(m);
  const dim = m.condition.dim;
  const { grid, guided, steps, d, strength } = o.schedule;
  const x = o.noise.map((n) => Object.fromEntries(SS_MODALITIES.map((k) => [k, Float32Array.from(n[k])])) as SsState);
  const objectPasses = new Array<number>(b).fill(0);
  const patterns = new Array<string>(b).fill('');
  let networkPasses = 0;
  const condPer = o.cond.tokens * dim;
  // Condition feeds depend only on which objects are due (and the zero one on how many): build each once
  // per generation instead of once per network pass.
  const condFeeds = new Map<string, Float32Array>();
  const zeroFeeds = new Map<number, Float32Array>();
  const condFeed = (items: number[]): Float32Array => {
    const key = items.join(',');
    let c = condFeeds.get(key);
    if (!c) {
      c = new Float32Array(items.length * condPer);
      items.forEach((it, q) => c!.set(o.cond.data.subarray(it * condPer, (it + 1) * condPer), q * condPer));
      condFeeds.set(key, c);
    }
    return c;
  };
  const zeroFeed = (n: number): Float32Array => {
    let z = zeroFeeds.get(n);
    if (!z) zeroFeeds.set(n, (z = new Float32Array(n * dim)));
    return z;
  };

  /** Run ss_flow on the objects `items` with their conditions or the zero 1-token condition. */
  const evaluate = async (items: number[], step: number, zeroCond: boolean): Promise<SsVelocity[]> => {
    const n = items.length;
    const feeds: Parameters<Pack['run']>[1] = {};
    for (const mod of SS_MODALITIES) {
      const data = new Float32Array(n * sizes[mod]);
      items.forEach((it, q) => data.set(x[it][mod], q * sizes[mod]));
      const dims =
        mod === 'shape' ? [n, sizes.shape / m.grid.ssLatentChannels, m.grid.ssLatentChannels] : [n, 1, sizes[mod]];
      feeds[IO[mod].x] = { data, dims };
    }
    feeds.t = { data: new Float32Array(n).fill(1000 * grid[step]), dims: [n] };
    feeds.d = { data: new Float32Array(n).fill(1000 * d), dims: [n] };
    feeds.cond = zeroCond
      ? { data: zeroFeed(n), dims: [n, 1, dim] }
      : { data: condFeed(items), dims: [n, o.cond.tokens, dim] };
    throwIfAborted(o.signal);
    const out = await o.pack.run('ss_flow', feeds);
    networkPasses++;
    for (const it of items) objectPasses[it]++;
    return items.map(
      (_, q) =>
        Object.fromEntries(
          SS_MODALITIES.map((mod) => [mod, out[IO[mod].v].data.slice(q * sizes[mod], (q + 1) * sizes[mod])]),
        ) as SsVelocity,
    );
  };

  for (let i = 0; i < steps; i++) {
    const due: number[] = [];
    for (let it = 0; it < b; it++) if (!o.policies || o.policies[it].needsEvaluation(i)) due.push(it);
    const velocities = new Array<SsVelocity | null>(b).fill(null);
    if (due.length) {
      const vc = await evaluate(due, i, false);
      const vu = guided[i] ? await evaluate(due, i, true) : null;
      due.forEach((it, q) => {
        const v = vc[q];
        if (vu) {
          for (const mod of SS_MODALITIES) {
            const s = strength * m.ss.cfg.modalities[mod];
            const c = v[mod],
              u = vu[q][mod];
            for (let e = 0; e < c.length; e++) c[e] = (1 + s) * c[e] - s * u[e];
          }
        }
        velocities[it] = v;
        o.policies?.[it].record(i, v);
      });
    }
    const dt = grid[i + 1] - grid[i];
    for (let it = 0; it < b; it++) {
      const full = velocities[it] !== null;
      const v = velocities[it] ?? (o.policies as SsStepPolicy[])[it].predict(i);
      for (const mod of SS_MODALITIES) {
        const xs = x[it][mod],
          vs = v[mod];
        for (let e = 0; e < xs.length; e++) xs[e] += dt * vs[e];
      }
      patterns[it] += full ? 'F' : 'c';
      o.onStep?.({ object: it, step: i, steps, kind: full ? 'full' : 'cached' });
    }
  }
  return { states: x, networkPasses, objectPasses, patterns };
}
