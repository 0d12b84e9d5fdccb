/** The sweep's Pareto front and preset recommendation, and the docs sections, on hand-made rows. */
import { describe, expect, it } from 'vitest';
import { upsertSection } from '../../bench/docs-sections';
import type { MethodRow, QualitySummary } from '../../bench/report';
import { recommend, sweepPoints } from '../../bench/sweep-front';
import { PRESETS } from '../../src-shared/params';

const q = (f1: number, iou3d: number): QualitySummary => ({
  cd: 0, f1, viou: 0, iou3d, rotationErrorDeg: 0, colorL1: 0, psnr: 30, ssim: 0.9,
});
/** A row: speed-up, F1 and 3D-IoU against ground truth, and against off. */
function row(label: string, speedup: number, gt: [number, number], vsOff: [number, number] | null, params = {}): MethodRow {
  return {
    label, method: label === 'off' ? 'off' : 'fast-sam3d', group: 'ours', params, objectMs: 1000 / speedup, speedup,
    speedupMedianPerObject: speedup, stagesMs: {}, ssPasses: 0, slatPasses: 0,
    gt: q(...gt), baseline: vsOff && q(...vsOff), perObject: [],
  };
}

describe('sweep front and presets', () => {
  const rows = [
    row('off', 1, [30, 0.5], null),
    row('a', 2.0, [30.2, 0.49], [90, 0.9], { ssCacheStride: 2 }),
    row('b', 2.9, [29.6, 0.485], [85, 0.85], { ssCacheStride: 4 }), // within bounds (−0.4 F1, −0.015 IoU)
    row('c', 3.2, [29.0, 0.49], [80, 0.8], { ssCacheStride: 5 }), // F1 1 point down: only the fallback
    row('d', 3.9, [27.0, 0.49], [70, 0.7], { ssCacheStride: 6 }), // too far off in F1
    row('e', 1.9, [29.9, 0.47], [84, 0.84]), // dominated by a (slower, worse on every count); IoU 0.03 down
  ];

  it('the front keeps exactly the configurations no other one beats on speed and all four fidelities', () => {
    const pts = sweepPoints(rows);
    expect(pts.filter((p) => p.onFront).map((p) => p.label)).toEqual(['off', 'a', 'b', 'c', 'd']);
    expect(pts.filter((p) => p.withinBounds).map((p) => p.label)).toEqual(['off', 'a', 'b']);
  });

  it('balanced = fastest within the bounds; max falls back to 2 F1 points when nothing reaches 3.5× within them, and says so', () => {
    const rec = recommend(sweepPoints(rows));
    expect(rec.balanced?.label).toBe('b');
    expect(rec.balanced?.preset).toEqual({ ...PRESETS['fast-sam3d'], ssCacheStride: 4 });
    expect(rec.max?.label).toBe('c');
    expect(rec.maxRule).toBe('fallback');
    expect(rec.lines.join('\n')).toMatch(/no configuration reaches 3\.5× within the bounds/);
    expect(rec.lines.join('\n')).toContain(`PRESETS.balanced = ${JSON.stringify({ ...PRESETS['fast-sam3d'], ssCacheStride: 4 })}`);
  });

  it('max = the fastest ≥ 3.5× within the bounds when there is one', () => {
    const rec = recommend(sweepPoints([...rows, row('f', 3.6, [29.8, 0.5], [88, 0.9], { slatThresh: 4 }), row('g', 4.2, [29.7, 0.495], [86, 0.88])]));
    expect(rec.balanced?.label).toBe('g');
    expect(rec.max?.label).toBe('g');
    expect(rec.maxRule).toBe('bounds');
  });

  it('no candidate within any bound: both none, with the reason', () => {
    const rec = recommend(sweepPoints([rows[0], rows[4]]));
    expect(rec.balanced).toBeNull();
    expect(rec.max).toBeNull();
    expect(rec.lines[0]).toMatch(/^balanced: none — no configuration but off meets/);
  });
});

describe('docs sections', () => {
  it('replaces only its own section and appends a new one at the end', () => {
    const doc = '# B\n\nintro\n\n<!-- bench:objects -->\nold\n<!-- /bench:objects -->\n\nnotes\n';
    const one = upsertSection(doc, 'objects', 'new tables\n');
    expect(one).toBe('# B\n\nintro\n\n<!-- bench:objects -->\nnew tables\n<!-- /bench:objects -->\n\nnotes\n');
    const two = upsertSection(one, 'sweep', '## Sweep');
    expect(two).toBe(one.trimEnd() + '\n\n<!-- bench:sweep -->\n## Sweep\n<!-- /bench:sweep -->\n');
    expect(() => upsertSection('<!-- /bench:scene -->', 'scene', 'x')).toThrow(/markers of section "scene" are broken/);
  });
});
