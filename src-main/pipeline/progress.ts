/** Progress events (JobProgressEvent minus jobId) with an overall fraction from fixed stage weights. */
import type { JobProgressEvent } from '../../src-shared/api/jobs';
import { STAGE_NAMES, type StageName } from '../../src-shared/report';

export type ProgressEvent = Omit<JobProgressEvent, 'jobId'>;
export type ProgressCallback = (e: ProgressEvent) => void;

/** Rough share of an object's time per stage (CPU, mini pack), only for the progress bar. */
const WEIGHTS: Record<StageName, number> = {
  condition: 0.04,
  ssSampling: 0.33,
  ssDecode: 0.04,
  aggregation: 0.02,
  slatSampling: 0.37,
  meshDecode: 0.14,
  surface: 0.06,
};
const SHARED: StageName[] = ['condition', 'ssSampling', 'ssDecode'];
/** Stages in pipeline order: the report's own list, so the two can never disagree. */
const ORDER: readonly StageName[] = STAGE_NAMES;

const SHARED_WEIGHT = WEIGHTS.condition + WEIGHTS.ssSampling + WEIGHTS.ssDecode;

export class ProgressReporter {
  constructor(
    private readonly cb: ProgressCallback | undefined,
    private readonly objectIndex = 0,
    private readonly objectCount = 1,
  ) {}

  forObject(index: number): ProgressReporter {
    return new ProgressReporter(this.cb, index, this.objectCount);
  }

  /**
   * Shared stages (condition, SS sampling, SS decode) run once for all objects of a scene and fill the
   * first part of the bar; the per-object stages then split the rest evenly between the objects, so the
   * fraction never goes backwards.
   */
  emit(stage: StageName, within: number, extra: Omit<ProgressEvent, 'stage' | 'fraction'> = {}): void {
    if (!this.cb) return;
    let before = 0;
    for (const s of ORDER) {
      if (s === stage) break;
      before += WEIGHTS[s];
    }
    const x = before + WEIGHTS[stage] * Math.min(1, Math.max(0, within));
    let fraction: number;
    let message = extra.message;
    if (SHARED.includes(stage)) {
      fraction = x;
      if (this.objectCount > 1) message = `${this.objectCount} objects (batched)`;
    } else {
      fraction =
        SHARED_WEIGHT +
        ((1 - SHARED_WEIGHT) * (this.objectIndex + (x - SHARED_WEIGHT) / (1 - SHARED_WEIGHT))) / this.objectCount;
      if (this.objectCount > 1) message = `object ${this.objectIndex + 1}/${this.objectCount}`;
    }
    this.cb({ stage, fraction: Math.min(1, fraction), ...extra, ...(message ? { message } : {}) });
  }
}
