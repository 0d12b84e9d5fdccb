/**
 * The object benchmark's Markdown (bench/report.ts renderMarkdown) on hand-made results: every table row
 * carries the CPU-time speed-up next to the wall-clock one, as the README says, and results recorded
 * before the CPU time was show "—" there rather than a made-up number.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown, times, type BenchResult, type MethodRow, type QualitySummary } from '../../bench/report';

const q: QualitySummary = { cd: 0.05, f1: 60, viou: 0.3, iou3d: 0.4, iou3dDepthAligned: 0.6, rotationErrorDeg: 10, colorL1: 40, psnr: 11, ssim: 0.5 };

function row(label: string, group: string, speedup: number, speedupCpu: number | undefined): MethodRow {
  return {
    label, method: label === 'off' ? 'off' : 'fast-sam3d', group, params: {}, objectMs: 1500 / speedup, speedup,
    speedupMedianPerObject: speedup, ...(speedupCpu === undefined ? {} : { speedupCpu }),
    stagesMs: { condition: 20, ssSampling: 400 }, ssPasses: label === 'off' ? 44 : 17, slatPasses: label === 'off' ? 38 : 7.3,
    gt: q, baseline: label === 'off' ? null : q, perObject: [],
  };
}

function result(rows: MethodRow[]): BenchResult {
  return {
    date: '2026-12-06T18:10:54.302Z', command: 'npm run bench -- --quick', machine: 'test', pack: { name: 'mini', version: '0.7.5', dir: 'models/mini' },
    executionProvider: 'cpu', objects: ['00-mug'], reps: 1, seed: 42, samples: 1000, peakRssMiB: 100, wallSeconds: 10, rows,
  };
}

/** The cells of the table row of `label` in the section under `heading`. */
function cells(md: string, heading: string, label: string): Record<string, string> {
  const section = md.slice(md.indexOf(heading));
  const lines = section.split('\n').filter((l) => l.startsWith('| '));
  const head = lines[0].slice(2, -2).split(' | ');
  const line = lines.find((l) => l.startsWith(`| ${label} |`))!;
  const values = line.slice(2, -2).split(' | ');
  expect(values).toHaveLength(head.length);
  return Object.fromEntries(head.map((h, i) => [h, values[i]]));
}

describe('object benchmark tables', () => {
  const md = renderMarkdown(result([row('off', 'reference', 1, 1), row('fast-sam3d', 'ours', 2.66, 2.41), row('SS only', 'ablation', 1.15, 1.12)]));

  it('every table row has the CPU-time speed-up next to the wall-clock one', () => {
    for (const heading of ['## Against ground truth', '## Fidelity to the un-accelerated output', '## Module ablation']) {
      const c = cells(md, heading, 'fast-sam3d');
      expect(c['speed-up'], heading).toBe('2.66×');
      expect(c['CPU-time speed-up'], heading).toBe('2.41×');
    }
    expect(cells(md, '## Module ablation', 'SS only')['CPU-time speed-up']).toBe('1.12×');
    expect(md).toContain('| speed-up | CPU-time speed-up | SS passes |');
    expect(md).toContain('"CPU-time speed-up" is the same ratio of process CPU time');
  });

  it('results recorded before the CPU time show "—" in that column', () => {
    const old = renderMarkdown(result([row('off', 'reference', 1, undefined), row('fast-sam3d', 'ours', 2.66, undefined)]));
    expect(cells(old, '## Against ground truth', 'fast-sam3d')).toMatchObject({ 'speed-up': '2.66×', 'CPU-time speed-up': '—' });
    expect(times(NaN)).toBe('—');
    expect(times(1.234)).toBe('1.23×');
  });
});
