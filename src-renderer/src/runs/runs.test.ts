import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, type RunReport } from '../../../src-shared/report';
import { DEFAULT_PARAMS } from '../../../src-shared/params';
import { completeProgress, initialProgress, phaseLabel, reduceProgress, stepsFromPattern } from './progressModel';
import { compareReports, formatMs, parseReport, readMetrics, speedupFigures, speedupWords } from './compareModel';
import type { RunDetail, StudioApi } from '../../../src-shared/api';
import { keptResult, loadResult } from '../state/useRun';

const ev = (e: Partial<Parameters<typeof reduceProgress>[1]> & { stage: string }) => ({ jobId: 'j1', fraction: 0.1, ...e });

describe('run strip progress', () => {
  it('records step kinds live and marks earlier stages done', () => {
    let s = initialProgress('j1');
    s = reduceProgress(s, ev({ stage: 'condition' }));
    s = reduceProgress(s, ev({ stage: 'ssSampling', step: 0, steps: 4, stepKind: 'full', fraction: 0.2 }));
    s = reduceProgress(s, ev({ stage: 'ssSampling', step: 1, steps: 4, stepKind: 'cached', fraction: 0.25 }));
    const ss = s.stages.find((x) => x.name === 'ssSampling')!;
    expect(ss.steps).toEqual(['full', 'cached', null, null]);
    expect(ss.fraction).toBe(0.5);
    expect(s.stages.find((x) => x.name === 'condition')!.done).toBe(true);
    expect(s.current).toBe('ssSampling');
    s = reduceProgress(s, ev({ stage: 'slatSampling', step: 0, steps: 2, stepKind: 'carved', tokens: { evaluated: 90, carved: 10 }, fraction: 0.6 }));
    s = reduceProgress(s, ev({ stage: 'slatSampling', step: 1, steps: 2, stepKind: 'carved', tokens: { evaluated: 80, carved: 20 }, fraction: 0.7 }));
    const slat = s.stages.find((x) => x.name === 'slatSampling')!;
    expect(slat.tokens).toEqual({ evaluated: 170, carved: 30 });
    expect(slat.done).toBe(true);
    expect(s.stages.find((x) => x.name === 'ssDecode')!.done).toBe(true);
    expect(s.overall).toBe(0.7);
  });

  it('ignores other jobs, keeps unknown stages, never moves backwards, and completes', () => {
    let s = initialProgress('j1');
    s = reduceProgress(s, ev({ stage: 'ssSampling', step: 2, steps: 3, stepKind: 'full', fraction: 0.5 }));
    expect(reduceProgress(s, { ...ev({ stage: 'surface' }), jobId: 'other' })).toBe(s);
    s = reduceProgress(s, ev({ stage: 'upload', fraction: 0.1 }));
    expect(s.overall).toBe(0.5);
    expect(s.stages.at(-1)!.name).toBe('upload');
    const done = completeProgress(s, { ss: 'FcC', slat: 'FF' });
    expect(done.stages.every((x) => x.done && x.fraction === 1)).toBe(true);
    expect(done.stages.find((x) => x.name === 'ssSampling')!.steps).toEqual(['full', 'cached', 'carved']);
    expect(done.stages.find((x) => x.name === 'slatSampling')!.steps).toEqual(['full', 'full']);
    expect(completeProgress(s).stages.find((x) => x.name === 'ssSampling')!.steps).toEqual(s.stages.find((x) => x.name === 'ssSampling')!.steps);
    expect(stepsFromPattern('FFcC')).toEqual(['full', 'full', 'cached', 'carved']);
    // Streamed token counts (a Compare job's baseline included) give way to the result's own.
    let t = initialProgress('j2');
    t = reduceProgress(t, { ...ev({ stage: 'slatSampling', step: 0, steps: 2, stepKind: 'full', fraction: 0.6 }), jobId: 'j2', tokens: { evaluated: 100, carved: 0 } });
    t = reduceProgress(t, { ...ev({ stage: 'slatSampling', step: 0, steps: 2, stepKind: 'full', fraction: 0.9 }), jobId: 'j2', tokens: { evaluated: 400, carved: 0 } });
    expect(t.stages.find((x) => x.name === 'slatSampling')!.tokens).toEqual({ evaluated: 500, carved: 0 });
    const finished = completeProgress(t, { ss: 'F', slat: 'FF', slatTokens: { evaluated: 100, carved: 5 } });
    expect(finished.stages.find((x) => x.name === 'slatSampling')!.tokens).toEqual({ evaluated: 100, carved: 5 });
  });
});

describe('progress of a Compare job (the result, then its baseline)', () => {
  /** One variant's events as the host streams them: condition, SS steps, …, surface, fraction 0 → 1, tagged with the variant. */
  const variant = (s: ReturnType<typeof initialProgress>, seen: number[], v = s.variant) => {
    const tag = { variant: v, variants: 2 };
    const evs = [
      ev({ stage: 'condition', fraction: 0, ...tag }), ev({ stage: 'ssSampling', step: 0, steps: 2, stepKind: 'full', fraction: 0.2, ...tag }),
      ev({ stage: 'ssSampling', step: 1, steps: 2, stepKind: 'cached', fraction: 0.37, ...tag }),
      ev({ stage: 'slatSampling', step: 0, steps: 1, stepKind: 'full', fraction: 0.8, ...tag }), ev({ stage: 'surface', fraction: 1, ...tag }),
    ];
    for (const e of evs) { s = reduceProgress(s, e); seen.push(s.overall); }
    return s;
  };

  it('spans both variants on one scale, restarts the stages for the baseline and names the phase', () => {
    const seen: number[] = [];
    let s = initialProgress('j1', 2);
    expect(phaseLabel(s)).toBe('Compare 1/2: the accelerated result');
    s = variant(s, seen);
    expect(s.overall).toBe(0.5);   // the result is done: half the job, not all of it
    expect(s.stages.find((x) => x.name === 'ssSampling')!.steps).toEqual(['full', 'cached']);
    s = reduceProgress(s, ev({ stage: 'condition', fraction: 0, variant: 1, variants: 2 }));
    expect(s.variant).toBe(1);
    expect(phaseLabel(s)).toBe('Compare 2/2: baseline (off)');
    expect(s.stages.every((x) => !x.done || x.name === 'condition')).toBe(true);
    expect(s.stages.find((x) => x.name === 'ssSampling')!.steps).toEqual([]);
    s = variant(s, seen, 1);
    expect(seen.slice(0, 5)).toEqual([0, 0.1, 0.185, 0.4, 0.5]);
    expect(seen.slice(5)).toEqual([0.5, 0.6, 0.685, 0.9, 1]);
    expect(seen.every((x, i) => i === 0 || x >= seen[i - 1])).toBe(true);
    // A variant beyond the job's: the bar holds (never beyond the job's variants).
    s = reduceProgress(s, ev({ stage: 'condition', fraction: 0, variant: 2, variants: 2 }));
    expect([s.variant, s.overall]).toEqual([1, 1]);
    // An untagged drop is not the next variant.
    let u = variant(initialProgress('j1', 2), []);
    u = reduceProgress(u, ev({ stage: 'condition', fraction: 0 }));
    expect([u.variant, u.overall]).toEqual([0, 0.5]);
  });

  it('follows the variant the host names in each event, when it names one', () => {
    let s = initialProgress('j1', 2);
    s = reduceProgress(s, ev({ stage: 'slatSampling', fraction: 0.8, variant: 0, variants: 2 }));
    // A lower estimate of the same variant (a worker restarted after a crash) is not the baseline.
    s = reduceProgress(s, ev({ stage: 'condition', fraction: 0.1, variant: 0, variants: 2 }));
    expect([s.variant, phaseLabel(s)]).toEqual([0, 'Compare 1/2: the accelerated result']);
    s = reduceProgress(s, ev({ stage: 'condition', fraction: 0.05, variant: 1, variants: 2 }));
    expect([s.variant, phaseLabel(s), s.overall]).toEqual([1, 'Compare 2/2: baseline (off)', 0.525]);
  });

  it('leaves a plain job (one variant) on the worker’s own estimate, with no phase', () => {
    let s = initialProgress('j1');
    s = reduceProgress(s, ev({ stage: 'surface', fraction: 0.9 }));
    s = reduceProgress(s, ev({ stage: 'condition', fraction: 0.1 }));
    expect([s.variant, s.overall, phaseLabel(s)]).toEqual([0, 0.9, null]);
  });
});

function report(objectMs: number, passes: number, method: RunReport['method']): RunReport {
  const stages = Object.fromEntries(STAGE_NAMES.map((s) => [s, { ms: objectMs / STAGE_NAMES.length, networkPasses: passes }]));
  const sched = { pattern: 'FFc', full: 2, cached: 1, carved: 0, networkPasses: 4 };
  return {
    pack: { name: 'test-tiny', version: '1' }, executionProvider: 'cpu', method, params: { ...DEFAULT_PARAMS },
    objectMs, stages: stages as RunReport['stages'], schedules: { ss: sched, slat: sched },
    aggregation: { factor: 1.5, hfer2d: 0.4, hfer3d: 0.5, score: 0.45, voxelsBefore: 100, voxelsAfter: 40 },
    layout: { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], quaternion: [1, 0, 0, 0], translation: [0, 0, 2], scale: 1 },
    mesh: { vertices: 10, triangles: 12 }, warnings: [],
  };
}

describe('compare', () => {
  it('computes the speed-up, per-stage rows and network passes against the baseline', () => {
    const c = compareReports(report(500, 2, 'fast-sam3d'), report(1500, 5, 'off'));
    expect(c.speedup).toBeCloseTo(3);
    expect(c.passes).toBe(14);
    expect(c.baselinePasses).toBe(35);
    expect(c.rows.map((r) => r.stage)).toEqual([...STAGE_NAMES]);
    expect(compareReports(report(500, 2, 'max'), null).speedup).toBeNull();
  });

  it('shows the SS + SLaT pass ratio beside the wall-clock speed-up, which it labels as one timing', () => {
    const run = report(850, 2, 'fast-sam3d');
    run.stages.ssSampling.networkPasses = 17;
    run.stages.slatSampling.networkPasses = 15;
    const base = report(1530, 5, 'off');
    base.stages.ssSampling.networkPasses = 44;
    base.stages.slatSampling.networkPasses = 38;
    const c = compareReports(run, base);
    expect([c.samplerPasses, c.baselineSamplerPasses]).toEqual([32, 82]); // the other stages' passes do not count
    expect(c.passRatio).toBeCloseTo(82 / 32, 12);
    expect(speedupWords(2.5)).toBe('2.50× faster than its baseline (timed once)');
    expect(speedupWords(0.8)).toBe('1.25× slower than its baseline (timed once)');
    const [passes, time] = speedupFigures(c);
    expect(passes).toMatchObject({ key: 'passes', value: '2.56×', unit: 'sampler passes', tone: 'accent' });
    expect(passes.title).toMatch(/^SS \+ SLaT network passes: 82 for the baseline ÷ 32 for this run\. .*the same ratio on any machine/);
    expect(time).toMatchObject({ key: 'time', value: '1.8×', unit: 'timed once', tone: 'accent' });
    expect(time.title).toMatch(/^One measurement: the baseline's 1\.53 s ÷ this run's 850 ms, each timed once on this machine\./);
    // The pass ratio does not depend on the timings: a slower second timing of the same request changes only the other figure.
    const again = speedupFigures(compareReports({ ...run, objectMs: 2000 }, base));
    expect(again[0]).toEqual(passes);
    expect(again[1]).toMatchObject({ value: '0.8×', tone: 'slower' });
    expect(again[1].title).toMatch(/^Slower than its baseline in this run\. One measurement/);
    // No baseline: nothing to show.
    expect(speedupFigures(compareReports(run, null))).toEqual([]);
  });

  it('validates reports and names the bad field', () => {
    const ok = parseReport(JSON.parse(JSON.stringify(report(10, 1, 'off'))));
    expect('report' in ok).toBe(true);
    const bad = parseReport({ ...report(10, 1, 'off'), objectMs: 'fast' });
    expect('error' in bad && bad.error).toMatch(/objectMs/);
  });

  it('reads the metrics under the metric module’s names and formats times', () => {
    expect(readMetrics({ cd: 0.01, f1: 93.5, viou: 0.8, iou3d: 0.7, other: 'x' })).toEqual({ chamfer: 0.01, f1: 93.5, vIoU: 0.8, iou3d: 0.7 });
    expect(readMetrics(null)).toEqual({});
    expect(formatMs(1530)).toBe('1.53 s');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(null)).toBe('—');
  });
});

describe('a finished job\'s result', () => {
  const detail = (id: string, method: RunReport['method'], ms: number, maskIds: string[], baselineRunId: string | null): RunDetail => ({
    id, projectId: 'p', imageId: 'i', maskIds, name: `${maskIds[0]} · ${method}`, kind: 'object', status: 'succeeded',
    packId: 'mini', packName: 'mini', packVersion: '1', method, seed: 42, executionProvider: 'cpu', appVersion: '0', tuned: false,
    objectMs: ms, speedup: null, quality: null, baselineRunId, schedule: null, error: null,
    createdAt: '', startedAt: null, finishedAt: null, tags: [], trashed: false, thumbnailId: null,
    params: {}, report: report(ms, 1, method), metrics: null, artefacts: [],
  });
  const apiOf = (runs: RunDetail[]) => ({
    invoke: async (_: string, req: { runId: string }) => runs.find((r) => r.id === req.runId)!,
  }) as unknown as StudioApi;

  it('pairs each object of a Compare job with its own baseline and opens a lone run with its linked one', async () => {
    // As the job service records a Compare: each accelerated run linked to this job's baseline of its object.
    const runs = [
      detail('a0', 'max', 400, ['m0'], 'b0'), detail('a1', 'max', 300, ['m1'], 'b1'),
      detail('b0', 'off', 900, ['m0'], null), detail('b1', 'off', 800, ['m1'], null), detail('x', 'fast-sam3d', 700, ['m1'], 'b1'),
    ];
    const scene = await loadResult(apiOf(runs), ['a0', 'a1', 'b0', 'b1']);
    expect(scene.objects.map((o) => [o.run.runId, o.baseline?.runId])).toEqual([['a0', 'b0'], ['a1', 'b1']]);
    expect((await loadResult(apiOf(runs), ['x'])).objects[0].baseline?.runId).toBe('b1');
    expect((await loadResult(apiOf(runs), ['b0'])).objects.map((o) => o.run.runId)).toEqual(['b0']);   // an off run alone
  });

  it('keeps the accelerated result of a Compare cancelled during its baseline, without the baseline', async () => {
    const base = { ...detail('b0', 'off', 0, ['m0'], null), status: 'cancelled' as const, report: null as unknown as RunReport };
    const runs = [detail('a0', 'fast-sam3d', 400, ['m0'], 'b0'), base];
    const kept = await keptResult(apiOf(runs), ['a0', 'b0']);
    expect(kept?.objects.map((o) => [o.run.runId, o.baseline])).toEqual([['a0', null]]);
    expect(kept?.note).toBeNull();   // no "baseline not shown" complaint: the status says it was cancelled
    // Cancelled before the result finished: nothing kept.
    expect(await keptResult(apiOf([{ ...runs[0], status: 'cancelled' }, base]), ['a0', 'b0'])).toBeNull();
  });
});
