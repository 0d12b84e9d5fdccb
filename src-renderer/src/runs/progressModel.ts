/**
 * Folds the stream of job.progress events into what the run strip draws: one bar per pipeline stage and,
 * for the two samplers, one cell per step coloured full / cached / carved as the steps happen.
 */
import { STAGE_NAMES } from '../../../src-shared/report';
import type { JobProgressEvent } from '../../../src-shared/api/jobs';

export type StepKind = 'full' | 'cached' | 'carved';

export interface StageState {
  name: string;
  /** 0..1 within the stage. */
  fraction: number;
  done: boolean;
  steps: (StepKind | null)[];
  /** SLaT tokens evaluated / carved so far (sum over steps). */
  tokens?: { evaluated: number; carved: number };
}

export interface ProgressState {
  jobId: string | null;
  stages: StageState[];
  current: string | null;
  /** 0..1 over the whole job: every variant's share of it (Compare: the result, then its baseline). */
  overall: number;
  message: string | null;
  /**
   * The worker variant running (0-based) of `variants`: a Compare job runs the accelerated variant, then
   * the acceleration-off baseline, each streaming its own stages from 0 again.
   */
  variant: number;
  variants: number;
  /** The worker's last 0..1 estimate within the variant running (it never goes backwards within one). */
  variantFraction: number;
}

export const STAGE_LABELS: Record<string, string> = {
  condition: 'Condition', ssSampling: 'SS sampling', ssDecode: 'SS decode', aggregation: 'Aggregation',
  slatSampling: 'SLaT sampling', meshDecode: 'Mesh decode', surface: 'Surface',
};

/** `variants`: 2 for a Compare job (variantsOf in submitModel), else 1. */
export function initialProgress(jobId: string | null = null, variants = 1): ProgressState {
  return {
    jobId,
    stages: freshStages(),
    current: null,
    overall: 0,
    message: null,
    variant: 0,
    variants: Math.max(1, variants),
    variantFraction: 0,
  };
}

function freshStages(): StageState[] {
  return STAGE_NAMES.map((name) => ({ name, fraction: 0, done: false, steps: [] }));
}

/** What the run strip says of the variant running, for a job of several; null for a plain job. */
export function phaseLabel(state: ProgressState): string | null {
  if (state.variants < 2) return null;
  return state.variant === 0
    ? `Compare ${state.variant + 1}/${state.variants}: the accelerated result`
    : `Compare ${state.variant + 1}/${state.variants}: baseline (off)`;
}

/**
 * Pure reducer: events of other jobs are ignored; stages before the current one count as done. The
 * overall bar spans every variant of the job: (variant + fraction) / variants.
 */
export function reduceProgress(state: ProgressState, ev: JobProgressEvent): ProgressState {
  if (state.jobId !== null && ev.jobId !== state.jobId) return state;
  const variants = state.variants;
  let variant = state.variant;
  let stages = state.stages;
  let message = state.message;
  // The host names each event's variant (JobService.withVariant; the window ships with its host). A lower
  // estimate within one variant (a worker restarted after a crash) is not the next variant.
  if (ev.variant !== undefined && ev.variant > variant && variant < variants - 1) {
    // The next variant (Compare's baseline) started: its stages fill from empty again.
    variant = Math.min(ev.variant, variants - 1);
    stages = freshStages();
    message = null;
  }
  let idx = stages.findIndex((s) => s.name === ev.stage);
  if (idx < 0) {
    // A stage the window does not know yet (a newer pipeline): show it rather than drop it.
    stages = [...stages, { name: ev.stage, fraction: 0, done: false, steps: [] }];
    idx = stages.length - 1;
  }
  const knownIdx = STAGE_NAMES.indexOf(ev.stage as (typeof STAGE_NAMES)[number]);
  stages = stages.map((s, i) => {
    if (i === idx) {
      const steps = s.steps.slice();
      if (ev.steps !== undefined && steps.length !== ev.steps) {
        steps.length = ev.steps;
        for (let k = 0; k < steps.length; k++) steps[k] = steps[k] ?? null;
      }
      let fraction = s.fraction;
      if (ev.step !== undefined && ev.steps) {
        if (ev.stepKind) steps[ev.step] = ev.stepKind;
        fraction = Math.max(fraction, (ev.step + 1) / ev.steps);
      } else if (ev.step === undefined) {
        // Stage without steps: an event means it started; the next stage's first event finishes it.
        fraction = Math.max(fraction, 0.05);
      }
      const tokens = ev.tokens
        ? { evaluated: (s.tokens?.evaluated ?? 0) + ev.tokens.evaluated, carved: (s.tokens?.carved ?? 0) + ev.tokens.carved }
        : s.tokens;
      return { ...s, steps, fraction, done: fraction >= 1 || s.done, tokens };
    }
    const before = knownIdx >= 0 ? STAGE_NAMES.indexOf(s.name as (typeof STAGE_NAMES)[number]) < knownIdx && STAGE_NAMES.includes(s.name as (typeof STAGE_NAMES)[number]) : false;
    return before && !s.done ? { ...s, done: true, fraction: 1 } : s;
  });
  return {
    jobId: ev.jobId,
    stages,
    current: ev.stage,
    overall: Math.max(state.overall, (variant + ev.fraction) / variants),
    message: ev.message ?? message,
    variant,
    variants,
    variantFraction: variant === state.variant ? Math.max(state.variantFraction, ev.fraction) : ev.fraction,
  };
}

/**
 * When the job has finished: every stage full, and — when the result's schedules are known — the step
 * strips show the result's own schedule (a Compare job streams its baseline's steps last, which would
 * otherwise be what stays on screen).
 */
export function completeProgress(
  state: ProgressState,
  schedules?: { ss: string; slat: string; slatTokens?: { evaluated: number; carved: number } },
): ProgressState {
  return {
    ...state, overall: 1, current: null,
    stages: state.stages.map((s) => {
      const pattern = s.name === 'ssSampling' ? schedules?.ss : s.name === 'slatSampling' ? schedules?.slat : undefined;
      // The result's own token counts too: the streamed sum also holds the baseline's (and other objects').
      const tokens = s.name === 'slatSampling' && schedules?.slatTokens ? schedules.slatTokens : s.tokens;
      return { ...s, fraction: 1, done: true, steps: pattern !== undefined ? stepsFromPattern(pattern) : s.steps, tokens };
    }),
  };
}

/** Steps from a finished report's schedule pattern (F full, c cached, C full with carving). */
export function stepsFromPattern(pattern: string): StepKind[] {
  return [...pattern].map((ch) => (ch === 'c' ? 'cached' : ch === 'C' ? 'carved' : 'full'));
}
