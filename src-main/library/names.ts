/**
 * Names of projects, images, masks and runs as the library stores them: well-formed UTF-16 (a lone
 * surrogate becomes one U+FFFD), trimmed, and never made only of characters that show nothing.
 */
import { LibraryError } from './errors';
import { TAG_SEP } from './records';

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Characters that draw nothing by themselves: white space, control and format characters (zero-width
 * space and joiners, bidi marks, BOM, soft hyphen, tag characters, …), every default-ignorable code
 * point (variation selectors, Hangul fillers, …) and the blank braille pattern.
 */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * Trimmed at both ends besides white space: controls and the zero-width spacers, which only hide a
 * name's real start or end. Joiners, variation selectors and tag characters are left alone: they can
 * end an emoji sequence.
 */
const EDGE = '[\\s\\p{Cc}\\u200B\\u2060\\uFEFF\\u180E]+';
const EDGES = new RegExp(`^${EDGE}|${EDGE}$`, 'gu');

/** `s` with every lone surrogate replaced by U+FFFD (what SQLite would otherwise store as broken UTF-8). */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** True when `s` has no character that draws anything (empty, spaces, zero-width or control characters only). */
export function isBlankName(s: string): boolean {
  return s.replace(INVISIBLE, '') === '';
}

/** Well-formed and trimmed; '' when nothing visible is left. Never throws. */
export function tidyName(raw: string): string {
  const s = wellFormed(raw).replace(EDGES, '');
  return isBlankName(s) ? '' : s;
}

/**
 * The name to store for `raw`, or BAD_INPUT with `emptyMessage` and the reason when it would look
 * empty. Example: `cleanName(name, 'A project name cannot be empty')`.
 */
export function cleanName(raw: string, emptyMessage: string): string {
  const s = wellFormed(raw);
  if (s.trim() === '') throw new LibraryError('BAD_INPUT', `${emptyMessage}.`);
  if (isBlankName(s)) {
    throw new LibraryError('BAD_INPUT', `${emptyMessage}: it has only invisible characters (spaces, zero-width, format or control characters).`);
  }
  return s.replace(EDGES, '');
}

/** Fallback name of a project made for an imported file whose name has nothing left without its extension. */
export const UNTITLED = 'Untitled';

/** A project name from an image file name: without its extension, or "Untitled" when that leaves nothing visible. */
export function projectNameFromFile(fileName: string): string {
  const stem = tidyName(tidyName(fileName).replace(/\.[a-z0-9]+$/i, ''));
  return stem || UNTITLED;
}

/**
 * A tag list as the library keeps it: each tidied, none empty, no case-insensitive duplicates (the first
 * spelling wins), and without the separator the list queries join tags with (a tag holding it would
 * come back as two).
 */
export function tidyTags(tags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of tags) {
    const tag = tidyName(t.split(TAG_SEP).join(' '));
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
  }
  return [...seen.values()];
}
