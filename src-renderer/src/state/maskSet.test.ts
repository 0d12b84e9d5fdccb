import { describe, expect, it } from 'vitest';
import { emptyMask } from '../mask/bitmask';
import { checkMaskName, MAX_MASK_NAME, removeMaskAt, renameMaskAt, unsentRenames, type MaskSet } from './maskSet';

const entry = (name: string, savedId?: string) => ({ key: name, name, mask: emptyMask(2, 2), area: 0, selected: false, savedId, savedName: savedId ? name : undefined });
const setOf = (names: string[], active: number): MaskSet => ({ masks: names.map((n) => entry(n)), active });
const editing = (s: MaskSet) => s.masks[s.active]?.name ?? null;

describe('removeMaskAt', () => {
  it('keeps editing the same mask when one above it is deleted', () => {
    const s = setOf(['a', 'b', 'c', 'd'], 2);
    const next = removeMaskAt(s, 0);
    expect(next.masks.map((m) => m.name)).toEqual(['b', 'c', 'd']);
    expect(editing(next)).toBe('c');
  });

  it('keeps the index when the deleted mask is below the edited one', () => {
    const next = removeMaskAt(setOf(['a', 'b', 'c'], 0), 2);
    expect(editing(next)).toBe('a');
  });

  it('moves editing to the next mask when the edited one is deleted, or the previous one at the end', () => {
    expect(editing(removeMaskAt(setOf(['a', 'b', 'c'], 1), 1))).toBe('c');
    expect(editing(removeMaskAt(setOf(['a', 'b', 'c'], 2), 2))).toBe('b');
  });

  it('edits nothing once the last mask is gone, and leaves the given set untouched', () => {
    const s = setOf(['a'], 0);
    expect(removeMaskAt(s, 0)).toEqual({ masks: [], active: -1 });
    expect(s.masks).toHaveLength(1);
    expect(removeMaskAt(s, 5)).toBe(s);
  });
});

describe('checkMaskName', () => {
  it('trims, and refuses an empty or too long name with a message', () => {
    expect(checkMaskName('  mug ')).toEqual({ name: 'mug' });
    expect(checkMaskName('   ')).toHaveProperty('error', expect.stringMatching(/needs a name/));
    expect(checkMaskName('')).toHaveProperty('error');
    expect(checkMaskName('x'.repeat(MAX_MASK_NAME + 1))).toHaveProperty('error', expect.stringMatching(/at most 255/));
    expect(checkMaskName('x'.repeat(MAX_MASK_NAME))).toEqual({ name: 'x'.repeat(MAX_MASK_NAME) });
  });
});

describe('renameMaskAt', () => {
  it('renames one mask and keeps its library id: the next run renames the saved mask, it does not save a copy', () => {
    const s: MaskSet = { masks: [entry('a', 'id-a'), entry('b', 'id-b'), entry('new')], active: 1 };
    const next = renameMaskAt(s, 0, 'mug');
    expect(next.masks.map((m) => [m.name, m.savedId])).toEqual([['mug', 'id-a'], ['b', 'id-b'], ['new', undefined]]);
    expect(unsentRenames(next.masks).map((m) => [m.savedId, m.name])).toEqual([['id-a', 'mug']]);
    expect(next.active).toBe(1);
    expect(s.masks[0].name).toBe('a');
    // Renamed back (or undone) to the library's name: nothing to send. An unsaved mask's name travels with its save.
    expect(unsentRenames(renameMaskAt(next, 0, 'a').masks)).toEqual([]);
    expect(unsentRenames(renameMaskAt(s, 2, 'cup').masks)).toEqual([]);
  });

  it('returns the same set for the same name or a missing index', () => {
    const s = setOf(['a'], 0);
    expect(renameMaskAt(s, 0, 'a')).toBe(s);
    expect(renameMaskAt(s, 3, 'x')).toBe(s);
  });
});
