/**
 * Pure edits of a mask set (the snapshots useMaskEditor keeps in its undo stack): each returns a new set
 * and never mutates the one it was given, so undo can hold plain references.
 */
import type { BitMask } from '../mask/bitmask';

export interface MaskEntry {
  key: string;
  name: string;
  mask: BitMask;
  area: number;
  /** Library id once saved; cleared by any edit of the pixels so the next run saves the new ones. */
  savedId?: string;
  /** The name the library holds for `savedId`: a rename is sent to it (masks.rename) by the next run. */
  savedName?: string;
  /** Included in the next Generate (several = a scene). */
  selected: boolean;
}

export interface MaskSet {
  masks: MaskEntry[];
  /** Index of the mask being edited, -1 when none. */
  active: number;
}

/** The library's limit on names (src-shared/api/library.ts `Name`: trimmed, 1 to 255 characters). */
export const MAX_MASK_NAME = 255;

/**
 * Without the mask at `index`. The mask being edited stays the one being edited: removing one above it
 * shifts its index down; removing the edited one moves editing to the mask that took its place (or the
 * new last one).
 */
export function removeMaskAt(set: MaskSet, index: number): MaskSet {
  if (index < 0 || index >= set.masks.length) return set;
  const masks = set.masks.filter((_, i) => i !== index);
  const active = index < set.active ? set.active - 1 : set.active;
  return { masks, active: Math.min(active, masks.length - 1) };
}

/** The name as the library will store it, or why it is refused (said under the field). */
export function checkMaskName(text: string): { name: string } | { error: string } {
  const name = text.trim();
  if (name === '') return { error: 'A mask needs a name: type one, or press Esc to keep the old one.' };
  if (name.length > MAX_MASK_NAME) return { error: `A mask name has at most ${MAX_MASK_NAME} characters.` };
  return { name };
}

/**
 * The mask at `index` under a new name. A saved mask keeps its library id: runs, their GLB nodes and the
 * exported files are named after the mask as the library holds it, so the next run renames the saved
 * mask first (`unsentRenames`) rather than saving a second copy. The same name changes nothing (no
 * history entry).
 */
export function renameMaskAt(set: MaskSet, index: number, name: string): MaskSet {
  const m = set.masks[index];
  if (!m || m.name === name) return set;
  return { ...set, masks: set.masks.map((x, i) => (i === index ? { ...x, name } : x)) };
}

/** Saved masks whose name differs from the library's (renamed, or renamed and undone to it: then none). */
export function unsentRenames(masks: readonly MaskEntry[]): MaskEntry[] {
  return masks.filter((m) => m.savedId !== undefined && m.savedName !== undefined && m.name !== m.savedName);
}
