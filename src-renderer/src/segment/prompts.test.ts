import { describe, expect, it } from 'vitest';
import { EMPTY_HISTORY, hasPrompts, nextSegmentName, promptKey, pushPrompts, redoPrompts, undoPrompts } from './prompts';

const p = (x: number, positive = true) => ({ x, y: x, positive });

describe('segment prompt history', () => {
  it('undo takes back the last click or box, redo restores it; a new click drops the redo branch', () => {
    let h = pushPrompts(EMPTY_HISTORY, { points: [p(1)], box: null });
    h = pushPrompts(h, { points: [p(1), p(2, false)], box: null });
    h = pushPrompts(h, { points: [p(1), p(2, false)], box: { x0: 0, y0: 0, x1: 5, y1: 5 } });

    const u1 = undoPrompts(h)!;
    expect(u1.present).toEqual({ points: [p(1), p(2, false)], box: null });
    const u2 = undoPrompts(u1)!;
    expect(u2.present.points).toEqual([p(1)]);
    const u3 = undoPrompts(u2)!;
    expect(hasPrompts(u3.present)).toBe(false);
    // No prompts left: undo is not the tool's any more (Ctrl+Z goes to the mask history).
    expect(undoPrompts(u3)).toBeNull();

    const r1 = redoPrompts(u3)!;
    expect(r1.present.points).toEqual([p(1)]);
    const r2 = redoPrompts(r1)!;
    expect(r2.present.points).toEqual([p(1), p(2, false)]);
    expect(redoPrompts(redoPrompts(r2)!)).toBeNull();

    const branched = pushPrompts(u2, { points: [p(1), p(9)], box: null });
    expect(redoPrompts(branched)).toBeNull();
    expect(undoPrompts(branched)!.present.points).toEqual([p(1)]);
  });

  it('nothing to undo or redo at the start', () => {
    expect(undoPrompts(EMPTY_HISTORY)).toBeNull();
    expect(redoPrompts(EMPTY_HISTORY)).toBeNull();
  });

  it('keys prompt sets by their content', () => {
    expect(promptKey({ points: [p(1)], box: null })).toBe(promptKey({ points: [{ x: 1, y: 1, positive: true }], box: null }));
    expect(promptKey({ points: [p(1)], box: null })).not.toBe(promptKey({ points: [p(1, false)], box: null }));
    expect(promptKey({ points: [], box: { x0: 1, y0: 2, x1: 3, y1: 4 } })).not.toBe(promptKey({ points: [], box: null }));
  });
});

describe('names of accepted segments', () => {
  it('takes the next number after the highest, so a deleted one never makes a duplicate', () => {
    expect(nextSegmentName([])).toBe('segment 1');
    expect(nextSegmentName(['segment 1', 'segment 2'])).toBe('segment 3');
    // "segment 1" deleted: the next is 3, not a second "segment 2".
    expect(nextSegmentName(['segment 2'])).toBe('segment 3');
    expect(nextSegmentName(['mask 0', 'segment 7', 'segment 3', 'segmented chair', 'segment x'])).toBe('segment 8');
    expect(nextSegmentName(['mug', 'segment 10'])).toBe('segment 11');
  });
});
