/**
 * Keyboard shortcuts of the window, as a pure mapping from a key event to an action so the table is
 * testable and shown in one place (the help line lists it). Single-letter keys do nothing while the
 * user types in a field; Escape always cancels.
 */
export type Action =
  | 'generate' | 'cancel' | 'compare' | 'export' | 'open' | 'library' | 'undo' | 'redo' | 'newMask' | 'frame' | 'posed'
  | 'tool:pick' | 'tool:brush' | 'tool:eraser' | 'tool:lasso' | 'tool:wand' | 'tool:segment'
  | 'accept' | 'zoomIn' | 'zoomOut' | 'zoomFit';

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
  /** Tag name of the focused element (INPUT, SELECT, TEXTAREA …). */
  targetTag?: string;
  targetType?: string;
}

const TYPING_TYPES = new Set(['text', 'search', 'number', 'email', 'password', 'url', 'tel']);

export function actionFor(e: KeyLike): Action | null {
  const mod = !!(e.ctrlKey || e.metaKey);
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (k === 'Escape') return 'cancel';
  const typing = e.targetTag === 'TEXTAREA' || e.targetTag === 'SELECT' || (e.targetTag === 'INPUT' && TYPING_TYPES.has(e.targetType ?? 'text'));
  if (mod) {
    // In a text or number field, undo and redo are the field's (its typing), not the mask's.
    if (k === 'z') return typing ? null : e.shiftKey ? 'redo' : 'undo';
    if (k === 'y') return typing ? null : 'redo';
    if (k === 'o') return 'open';
    if (k === 'e') return 'export';
    if (k === 'l') return 'library';
    if (k === 'Enter') return 'generate';
    return null;
  }
  if (typing || e.altKey) return null;
  // Enter on a button or link presses it; anywhere else it accepts the segment proposal.
  if (k === 'Enter') return e.targetTag === 'BUTTON' || e.targetTag === 'A' || e.targetTag === 'INPUT' ? null : 'accept';
  switch (k) {
    case 'g': return 'generate';
    case 'c': return 'compare';
    case 'n': return 'newMask';
    case 'f': return 'frame';
    case 'p': return 'posed';
    case 'v': return 'tool:pick';
    case 'b': return 'tool:brush';
    case 'e': return 'tool:eraser';
    case 'l': return 'tool:lasso';
    case 'w': return 'tool:wand';
    case 's': return 'tool:segment';
    case '+': case '=': return 'zoomIn';
    case '-': return 'zoomOut';
    case '0': return 'zoomFit';
    default: return null;
  }
}

export const SHORTCUT_HELP =
  'G generate · Ctrl+Enter generate · Esc cancel · C compare · Ctrl+E export · Ctrl+O open · Ctrl+L library · ' +
  'V pick · B brush · E eraser · L lasso · W wand · S segment (Enter accept) · +/−/0 zoom · N new mask · Ctrl+Z / Ctrl+Shift+Z undo/redo · F frame · P posed view';
