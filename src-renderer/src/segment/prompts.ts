/**
 * Pure parts of the segment tool: the prompts' own undo/redo (Ctrl+Z takes back the last click or box
 * while there are prompts, as SAM-style tools do; the mask history is untouched until none are left),
 * and the name of the next accepted segment.
 */
import type { SegBox, SegPoint } from '../../../src-shared/api';

export interface Prompts { points: readonly SegPoint[]; box: SegBox | null }

export interface PromptHistory {
  /** Earlier prompt sets, oldest first (the first is always the empty one). */
  past: readonly Prompts[];
  present: Prompts;
  /** Prompt sets taken back by undo, the next to restore last. */
  future: readonly Prompts[];
}

export const NO_PROMPTS: Prompts = { points: [], box: null };
export const EMPTY_HISTORY: PromptHistory = { past: [], present: NO_PROMPTS, future: [] };

export const hasPrompts = (p: Prompts): boolean => p.points.length > 0 || p.box !== null;

/** A new prompt set (a click, a box): the old one goes into the past and the redo branch is dropped. */
export function pushPrompts(h: PromptHistory, next: Prompts): PromptHistory {
  return { past: [...h.past, h.present], present: next, future: [] };
}

/** The prompts before the last click or box; null when there are no prompts to take back. */
export function undoPrompts(h: PromptHistory): PromptHistory | null {
  if (!hasPrompts(h.present) || h.past.length === 0) return null;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [...h.future, h.present] };
}

/** The last prompt set taken back, again; null when nothing was taken back. */
export function redoPrompts(h: PromptHistory): PromptHistory | null {
  if (h.future.length === 0) return null;
  return { past: [...h.past, h.present], present: h.future[h.future.length - 1], future: h.future.slice(0, -1) };
}

/** Identity of a prompt set (a cache key for its proposal). */
export function promptKey(p: Prompts): string {
  return JSON.stringify([p.points.map((q) => [q.x, q.y, q.positive ? 1 : 0]), p.box && [p.box.x0, p.box.y0, p.box.x1, p.box.y1]]);
}

/**
 * "segment N" for the next accepted proposal: one more than the highest "segment N" among `names`, so a
 * deleted or renamed segment never makes two masks share a name.
 */
export function nextSegmentName(names: readonly string[]): string {
  let highest = 0;
  for (const name of names) {
    const m = /^segment (\d+)$/.exec(name.trim());
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return `segment ${highest + 1}`;
}
