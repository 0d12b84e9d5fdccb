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
  /** 0..1 overall, as estimated by the worker. */
  overall: number;
  message: string | null;
}

export const STAGE_LABELS: Record<string, string> = {
  condition: 'Condition', ssSampling: 'SS sampling', ssDecode: 'SS decode', aggregation: 'Aggregation',
  slatSampling: 'SLaT sampling', meshDecode: 'Mesh decode', surface: 'Surface',
};

export function initialProgress(jobId: string | null = null): ProgressState {
  return {
    jobId,
    stages: STAGE_NAMES.map((name) => ({ name, fraction: 0, done: false, steps: [] })),
    current: null,
    overall: 0,
    message: null,
  };
}

/** Pure reducer: events of other jobs are ignored; stages before the current one count as done. */
export function reduceProgress(state: ProgressState, ev: JobProgressEvent): ProgressState {
  if (state.jobId !== null && ev.jobId !== state.jobId) return state;
  let stages = state.stages;
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
    overall: Math.max(state.overall, ev.fraction),
    message: ev.message ?? state.message,
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
