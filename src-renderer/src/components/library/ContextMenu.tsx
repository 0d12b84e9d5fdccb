/**
 * The right-click menu of a Library card: the card's own actions (Open, Rename, Tags, Move to trash) at
 * the pointer, or under the card for the keyboard (the Menu key or Shift+F10). Arrow keys, Home and End
 * move, Enter runs, Esc or a click elsewhere closes it and gives the focus back to the card.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface MenuItem { label: string; run: () => void }

interface Props {
  label: string;
  items: MenuItem[];
  /** Viewport position of the pointer (or the card's corner for the keyboard). */
  at: { x: number; y: number };
  onClose: (refocus: boolean) => void;
}

/** Keep the menu inside the window: flip it left or up where it would leave the viewport. */
function placed(at: { x: number; y: number }, w: number, h: number): { left: number; top: number } {
  const left = at.x + w > window.innerWidth - 4 ? Math.max(4, at.x - w) : at.x;
  const top = at.y + h > window.innerHeight - 4 ? Math.max(4, at.y - h) : at.y;
  return { left, top };
}

export function ContextMenu({ label, items, at, onClose }: Props) {
  const menu = useRef<HTMLUListElement>(null);
  const [pos, setPos] = useState({ left: at.x, top: at.y });

  useLayoutEffect(() => {
    const el = menu.current;
    if (!el) return;
    setPos(placed(at, el.offsetWidth, el.offsetHeight));
    el.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [at]);

  // A press outside closes it (without stealing the focus from where the user clicked).
  useEffect(() => {
    const down = (e: PointerEvent) => { if (!menu.current?.contains(e.target as Node)) onClose(false); };
    document.addEventListener('pointerdown', down, true);
    return () => document.removeEventListener('pointerdown', down, true);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const buttons = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const go = (k: number) => { e.preventDefault(); buttons[(k + buttons.length) % buttons.length]?.focus(); };
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(buttons.length - 1);
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(true); }   // not the drawer
    else if (e.key === 'Tab') { e.preventDefault(); onClose(true); }
  };

  return (
    <ul ref={menu} className="context-menu" role="menu" aria-label={label} style={pos} onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}>
      {items.map((item) => (
        <li key={item.label} role="none">
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => { onClose(false); item.run(); }}>{item.label}</button>
        </li>
      ))}
    </ul>
  );
}
