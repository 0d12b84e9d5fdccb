/**
 * Whether Space may arm panning in the mask canvas, from what has the keyboard focus. Space presses a
 * focused button, ticks a checkbox, types in a field and opens a select: those keep it. The page's body,
 * the canvas itself or a plain focusable region (the drawer, a heading) give it up.
 */
export interface FocusLike {
  tagName: string;
  /** The element's ARIA role attribute, if any. */
  role?: string | null;
  isContentEditable?: boolean;
}

const OWN_SPACE_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY', 'OPTION', 'VIDEO', 'AUDIO']);
const OWN_SPACE_ROLES = new Set([
  'button', 'checkbox', 'radio', 'switch', 'link', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'tab',
  'textbox', 'searchbox', 'combobox', 'slider', 'spinbutton', 'treeitem', 'gridcell',
]);

export function spaceIsFree(focused: FocusLike | null): boolean {
  if (!focused) return true;
  if (focused.isContentEditable) return false;
  if (OWN_SPACE_TAGS.has(focused.tagName.toUpperCase())) return false;
  return !(focused.role && OWN_SPACE_ROLES.has(focused.role.trim().split(/\s+/)[0]));
}
