import { describe, expect, it } from 'vitest';
import { progressMilestone } from './announce';
import { initialProgress, reduceProgress, type ProgressState } from './progressModel';

const at = (overall: number, current: string | null = 'ssSampling'): ProgressState => ({ ...initialProgress('j'), overall, current });

describe('progressMilestone', () => {
  it('says each quarter once, with the stage, and nothing in between', () => {
    const said: string[] = [];
    let prev = 0;
    for (let pct = 0; pct <= 100; pct++) {
      const next = at(pct / 100, pct < 60 ? 'ssSampling' : 'slatSampling');
      const s = progressMilestone(prev, next);
      if (s) said.push(s);
      prev = next.overall;
    }
    expect(said).toEqual([
      'Generating: 25% done (SS sampling).',
      'Generating: 50% done (SS sampling).',
      'Generating: 75% done (SLaT sampling).',
    ]);
  });

  it('announces only the latest milestone when progress jumps, and never the start or the end', () => {
    expect(progressMilestone(0.1, at(0.8))).toBe('Generating: 75% done (SS sampling).');
    expect(progressMilestone(0, at(0.2))).toBeNull();
    expect(progressMilestone(0.9, at(1))).toBeNull();
    expect(progressMilestone(0.5, at(0.3))).toBeNull();
  });

  it('spans a Compare job’s result and baseline: never near 100% before the baseline has run', () => {
    const said: string[] = [];
    let s = initialProgress('j', 2);
    let prev = 0;
    for (const [i, fraction] of [0, 0.3, 0.6, 0.99, 1, 0, 0.3, 0.6, 0.99, 1].entries()) {
      s = reduceProgress(s, { jobId: 'j', stage: 'ssSampling', fraction, variant: i < 5 ? 0 : 1, variants: 2 });
      const m = progressMilestone(prev, s);
      if (m) said.push(m);
      prev = s.overall;
    }
    expect(said).toEqual([
      'Generating: 25% done (the accelerated result, SS sampling).',
      'Generating: 50% done (the accelerated result, SS sampling).',   // the result is in: half the job
      'Generating: 75% done (baseline, acceleration off, SS sampling).',
    ]);
  });

  it('names a stage the window does not know by its id, and leaves it out when none is current', () => {
    expect(progressMilestone(0, at(0.3, 'newStage'))).toBe('Generating: 25% done (newStage).');
    expect(progressMilestone(0, at(0.3, null))).toBe('Generating: 25% done.');
  });
});
