/**
 * Mask set of the current image with undo/redo. Every edit replaces the edited mask with a new object
 * (never mutates a snapshot), so the undo stack can hold plain references.
 */
import { useCallback, useRef, useState } from 'react';
import { cloneMask, combineInto, emptyMask, maskArea, type BitMask } from '../mask/bitmask';
import { UndoStack } from '../mask/undoStack';
import { removeMaskAt, renameMaskAt, type MaskEntry, type MaskSet } from './maskSet';

export type { MaskEntry, MaskSet } from './maskSet';

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
      masks: masks.map((m, i) => ({ key: nextKey(), name: m.name, mask: m.mask, area: maskArea(m.mask), savedId: m.savedId, savedName: m.savedId ? m.name : undefined, selected: runAll || i === 0 })),
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
    const entry: MaskEntry = { ...masks[active], mask: edited, area: maskArea(edited), savedId: undefined, savedName: undefined };
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
    const next = removeMaskAt(cur, index);
    if (next !== cur) commit(next);
  }, [commit]);

  /** A new name (checked by checkMaskName) for the mask at `index`: an undoable edit like any other. */
  const renameMask = useCallback((index: number, name: string) => {
    const cur = undo.current.current;
    const next = renameMaskAt(cur, index, name);
    if (next !== cur) commit(next);
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
    // Saving (or renaming the saved mask) does not change pixels: patch the present snapshot, keep the history.
    cur.masks = cur.masks.map((m) => (keyToId[m.key] ? { ...m, savedId: keyToId[m.key], savedName: m.name } : m));
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

  return { set, history, reset, applyStroke, addMask, removeMask, renameMask, setActive, toggleSelected, markSaved, undo: doUndo, redo: doRedo };
}

export type MaskEditor = ReturnType<typeof useMaskEditor>;
