/**
 * Mask set of the current image with undo/redo. Every edit replaces the edited mask with a new object
 * (never mutates a snapshot), so the undo stack can hold plain references.
 */
import { useCallback, useRef, useState } from 'react';
import { cloneMask, combineInto, emptyMask, maskArea, type BitMask } from '../mask/bitmask';
import { UndoStack } from '../mask/undoStack';

export interface MaskEntry {
  key: string;
  name: string;
  mask: BitMask;
  area: number;
  /** Library id once saved; cleared by any edit so the next run saves the new pixels. */
  savedId?: string;
  /** Included in the next Generate (several = a scene). */
  selected: boolean;
}

export interface MaskSet {
  masks: MaskEntry[];
  active: number;
}

/** Overlay colours, one per mask, distinct on photos. */
export const MASK_COLOURS = ['#ff3b6b', '#2ec4ff', '#ffd23f', '#7bff5a', '#c77dff', '#ff8c42', '#00f5d4', '#f15bb5'];

let counter = 0;
const nextKey = () => `m${++counter}`;

export function useMaskEditor() {
  const undo = useRef(new UndoStack<MaskSet>({ masks: [], active: -1 }));
  const [set, setSet] = useState<MaskSet>(undo.current.current);
  const [history, setHistory] = useState({ canUndo: false, canRedo: false });

  const commit = useCallback((next: MaskSet) => {
    undo.current.push(next);
    setSet(next);
    setHistory({ canUndo: undo.current.canUndo, canRedo: undo.current.canRedo });
  }, []);

  /**
   * A new photo's masks. `runAll`: every one goes into the next run (a reopened scene result, a scene
   * example); otherwise only the first, the user ticks the others.
   */
  const reset = useCallback((masks: { name: string; mask: BitMask; savedId?: string }[], runAll = false) => {
    const next: MaskSet = {
      masks: masks.map((m, i) => ({ key: nextKey(), name: m.name, mask: m.mask, area: maskArea(m.mask), savedId: m.savedId, selected: runAll || i === 0 })),
      active: masks.length ? 0 : -1,
    };
    undo.current.reset(next);
    setSet(next);
    setHistory({ canUndo: false, canRedo: false });
  }, []);

  /** Apply a stroke (brush, eraser, lasso, wand) to the active mask, creating one when there is none. */
  const applyStroke = useCallback((width: number, height: number, stroke: Uint8Array, mode: 'add' | 'subtract') => {
    const cur = undo.current.current;
    let masks = cur.masks;
    let active = cur.active;
    if (active < 0) {
      if (mode === 'subtract') return;
      masks = [...masks, { key: nextKey(), name: `mask ${masks.length}`, mask: emptyMask(width, height), area: 0, selected: masks.length === 0 }];
      active = masks.length - 1;
    }
    const edited = cloneMask(masks[active].mask);
    combineInto(edited, stroke, mode);
    const entry: MaskEntry = { ...masks[active], mask: edited, area: maskArea(edited), savedId: undefined };
    commit({ masks: masks.map((m, i) => (i === active ? entry : m)), active });
  }, [commit]);

  const addMask = useCallback((width: number, height: number, mask?: BitMask, name?: string) => {
    const cur = undo.current.current;
    const m = mask ?? emptyMask(width, height);
    const masks = [...cur.masks, { key: nextKey(), name: name ?? `mask ${cur.masks.length}`, mask: m, area: maskArea(m), selected: cur.masks.length === 0 || !!mask }];
    commit({ masks, active: masks.length - 1 });
  }, [commit]);

  const removeMask = useCallback((index: number) => {
    const cur = undo.current.current;
    const masks = cur.masks.filter((_, i) => i !== index);
    // The mask being edited stays the one being edited: removing one above it shifts its index down.
    const active = index < cur.active ? cur.active - 1 : cur.active;
    commit({ masks, active: Math.min(active, masks.length - 1) });
  }, [commit]);

  const setActive = useCallback((index: number) => {
    // Choosing the mask to edit is not an edit: patch the present snapshot in place of a history entry,
    // so undo still walks back through pixel edits.
    const cur = undo.current.current;
    cur.active = index;
    setSet({ ...cur });
  }, []);

  const toggleSelected = useCallback((index: number, only = false) => {
    const cur = undo.current.current;
    const masks = cur.masks.map((m, i) => ({ ...m, selected: only ? i === index : i === index ? !m.selected : m.selected }));
    commit({ masks, active: index });
  }, [commit]);

  const markSaved = useCallback((keyToId: Record<string, string>) => {
    const cur = undo.current.current;
    // Saving does not change pixels: patch the present snapshot, keep the history.
    cur.masks = cur.masks.map((m) => (keyToId[m.key] ? { ...m, savedId: keyToId[m.key] } : m));
    setSet({ ...cur });
  }, []);

  const doUndo = useCallback(() => {
    const s = undo.current.undo();
    setSet(s);
    setHistory({ canUndo: undo.current.canUndo, canRedo: undo.current.canRedo });
  }, []);
  const doRedo = useCallback(() => {
    const s = undo.current.redo();
    setSet(s);
    setHistory({ canUndo: undo.current.canUndo, canRedo: undo.current.canRedo });
  }, []);

  return { set, history, reset, applyStroke, addMask, removeMask, setActive, toggleSelected, markSaved, undo: doUndo, redo: doRedo };
}

export type MaskEditor = ReturnType<typeof useMaskEditor>;
