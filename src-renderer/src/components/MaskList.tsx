/**
 * The photo's masks: one row each with "use in the run", the mask's button (click or Enter edits it,
 * aria-current marks the one being edited; double-click or F2 renames it in place; Delete deletes it), its
 * area and ✕. Arrow keys, Home and End move between the masks, and Tab stops on one of them only (a
 * roving tabindex). When the focused control goes with its mask (✕, Delete, an undo), the focus moves to
 * the mask now in its place, else the one before, else "New mask".
 */
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DecodedRgba } from '../image/decode';
import { hasTransparency } from '../image/decode';
import { maskFromAlpha } from '../mask/bitmask';
import { checkMaskName } from '../state/maskSet';
import { MASK_COLOURS, type MaskEditor } from '../state/useMaskEditor';
import { focusIsLost } from './focus';

export function MaskList({ image, editor }: { image: DecodedRgba; editor: MaskEditor }) {
  const { masks, active } = editor.set;
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  const newMask = useRef<HTMLButtonElement>(null);
  /** The mask whose button Tab lands on (the last one focused, else the one being edited). */
  const [anchor, setAnchor] = useState<number | null>(null);
  const [renaming, setRenaming] = useState<number | null>(null);
  /** The element in the list that last had the focus, and its mask's row. */
  const lastFocus = useRef<{ el: Element; index: number } | null>(null);

  const focusItem = (i: number) => {
    const el = i >= 0 && i < masks.length ? items.current[i] : newMask.current;
    el?.focus();
  };

  // After every change: if the focused control left the page with its row (or the rename field closed),
  // the focus is on <body>; put it back in the list at the same place.
  useLayoutEffect(() => {
    const last = lastFocus.current;
    if (!last || last.el.isConnected || !focusIsLost()) return;
    lastFocus.current = null;
    focusItem(Math.min(last.index, masks.length - 1));
  });

  const tabStop = Math.min(anchor ?? Math.max(active, 0), masks.length - 1);

  const onItemKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? masks.length - 1 : null;
    if (to !== null) {
      e.preventDefault(); // the panel must not scroll
      items.current[Math.max(0, Math.min(masks.length - 1, to))]?.focus();
    } else if (e.key === 'F2') {
      e.preventDefault();
      setRenaming(i);
    } else if (e.key === 'Delete') {
      e.preventDefault();
      editor.removeMask(i);
    }
  };

  return (
    <div className="mask-list">
      <ul className="mask-items" aria-label="Masks (checked ones go into the next run; several = a scene)"
        onBlur={(e) => {
          // Focus leaving for another control, or for nothing while the control stays (a click on the page,
          // another window), is the user's choice: forget it. A control removed with its row is rescued above.
          const gone = e.target;
          if (e.relatedTarget) { if (!e.currentTarget.contains(e.relatedTarget)) lastFocus.current = null; return; }
          setTimeout(() => { if (gone.isConnected && lastFocus.current?.el === gone) lastFocus.current = null; });
        }}>
        {masks.map((m, i) => (
          <li key={m.key} className={`mask-row${i === active ? ' active' : ''}`}
            onFocus={(e) => { lastFocus.current = { el: e.target, index: i }; }}>
            <span className="swatch" style={{ background: MASK_COLOURS[i % MASK_COLOURS.length] }} />
            <input type="checkbox" checked={m.selected} onChange={() => editor.toggleSelected(i)} aria-label={`Use ${m.name} in the run`} />
            {renaming === i ? (
              <RenameField initial={m.name} onSave={(name) => { editor.renameMask(i, name); setRenaming(null); }} onCancel={() => setRenaming(null)} />
            ) : (
              <button ref={(el) => { items.current[i] = el; }} type="button" className="mask-item"
                aria-current={i === active ? 'true' : undefined} tabIndex={i === tabStop ? 0 : -1}
                title="Click to edit this mask · double-click or F2 renames · Delete deletes"
                aria-keyshortcuts="F2 Delete"
                onFocus={() => setAnchor(i)}
                onClick={() => editor.setActive(i)} onDoubleClick={() => setRenaming(i)} onKeyDown={(e) => onItemKey(e, i)}>
                {m.name}
              </button>
            )}
            <span className="muted" data-testid={`mask-area-${i}`} data-area={m.area}>{m.area.toLocaleString()} px</span>
            <button type="button" onClick={() => editor.removeMask(i)} aria-label={`Delete ${m.name}`} title={`Delete ${m.name}`}>✕</button>
          </li>
        ))}
      </ul>
      <div className="mask-actions">
        <button ref={newMask} type="button" onClick={() => editor.addMask(image.width, image.height)} aria-keyshortcuts="N">New mask</button>
        {hasTransparency(image.rgba) && (
          <button type="button" onClick={() => editor.addMask(image.width, image.height, maskFromAlpha(image.rgba, image.width, image.height), 'alpha')}>
            Mask from image alpha
          </button>
        )}
      </div>
    </div>
  );
}

/**
 * The mask's name as a text field: Enter saves (an empty name is refused, said under the field, which
 * stays open), Esc cancels without reaching the window (where it would cancel a running job), and leaving
 * the field saves a usable name.
 */
function RenameField({ initial, onSave, onCancel }: { initial: string; onSave: (name: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const closed = useRef(false);
  const close = (save: boolean) => {
    if (closed.current) return;
    const checked = checkMaskName(value);
    if (save && 'error' in checked) { setError(checked.error); return; }
    closed.current = true;
    if (save && 'name' in checked) onSave(checked.name);
    else onCancel();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(false); }
    else if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); close(true); }
  };
  return (
    <span className="inline-edit mask-rename">
      <input type="text" aria-label={`Rename mask ${initial}`} value={value} autoFocus maxLength={300}
        aria-invalid={error ? true : undefined} aria-describedby={error ? undefined : 'mask-rename-hint'}
        onFocus={(e) => e.target.select()} onChange={(e) => { setValue(e.target.value); setError(null); }} onKeyDown={onKeyDown}
        onBlur={() => close(!('error' in checkMaskName(value)))} />
      {error ? <span className="error" role="alert">{error}</span> : <span className="muted hint" id="mask-rename-hint">Enter saves · Esc cancels</span>}
    </span>
  );
}
