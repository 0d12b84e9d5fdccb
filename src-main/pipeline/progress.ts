/** Progress events (JobProgressEvent minus jobId) with an overall fraction from fixed stage weights. */
import type { JobProgressEvent } from '../../src-shared/api/jobs';
import type { StageName } from '../../src-shared/report';

export type ProgressEvent = Omit<JobProgressEvent, 'jobId'>;
export type ProgressCallback = (e: ProgressEvent) => void;

/** Rough share of an object's time per stage (CPU, mini pack), only for the progress bar. */
const WEIGHTS: Record<StageName, number> = {
  condition: 0.04, ssSampling: 0.33, ssDecode: 0.04, aggregation: 0.02, slatSampling: 0.37, meshDecode: 0.14, surface: 0.06,
};
const ORDER: StageName[] = ['condition', 'ssSampling', 'ssDecode', 'aggregation', 'slatSampling', 'meshDecode', 'surface'];

export class ProgressReporter {
  constructor(
    private readonly cb: ProgressCallback | undefined,
    private readonly objectIndex = 0,
    private readonly objectCount = 1,
  ) {}

  forObject(index: number): ProgressReporter {
    return new ProgressReporter(this.cb, index, this.objectCount);
  }

  withCount(count: number): ProgressReporter {
    return new ProgressReporter(this.cb, this.objectIndex, count);
  }

  emit(stage: StageName, within: number, extra: Omit<ProgressEvent, 'stage' | 'fraction'> = {}): void {
    if (!this.cb) return;
    let before = 0;
    for (const s of ORDER) { if (s === stage) break; before += WEIGHTS[s]; }
    const objectFraction = before + WEIGHTS[stage] * Math.min(1, Math.max(0, within));
    const fraction = Math.min(1, (this.objectIndex + objectFraction) / this.objectCount);
    const message = this.objectCount > 1 ? `object ${this.objectIndex + 1}/${this.objectCount}` : extra.message;
    this.cb({ stage, fraction, ...extra, ...(message ? { message } : {}) });
  }
}
