/**
 * Keeping the keyboard focus on a control when the one that had it goes away. Chromium drops the focus to
 * the page's <body> when the focused button gets disabled (by its own action: Generate while the run
 * runs, Undo at the start of history) or is removed (a deleted mask's ✕); from there Tab starts over at
 * the top of the window.
 */
import { useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * When `from` holds the focus as it becomes disabled, focus the first enabled element `to` gives. Runs in
 * a layout effect: right after React set `disabled`, before the browser moves the focus to <body>.
 */
export function useFocusHandoff(from: RefObject<HTMLElement | null>, disabled: boolean, to: () => (HTMLElement | null | undefined)[]): void {
  const target = useRef(to);
  target.current = to;
  useLayoutEffect(() => {
    if (!disabled || !from.current || document.activeElement !== from.current) return;
    target.current().find((el) => el && !(el as HTMLButtonElement).disabled)?.focus();
  }, [disabled, from]);
}

/** Nothing holds the focus: the page's body has it (or no element at all). */
export const focusIsLost = (): boolean => !document.activeElement || document.activeElement === document.body;
