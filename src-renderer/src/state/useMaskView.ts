/**
 * Zoom/pan of the mask panel (mask/viewport.ts does the math): the wheel and drags in the canvas, the
 * +/−/0 keys and the toolbar's buttons all go through these stable callbacks.
 */
import { useCallback, useRef, useState } from 'react';
import { clampView, FIT, panBy, zoomAt, type View } from '../mask/viewport';

export function useMaskView() {
  const [view, setView] = useState<View>(FIT);
  const current = useRef<View>(FIT);
  const panel = useRef<HTMLElement | null>(null);

  const size = (): [number, number] => {
    const r = panel.current?.getBoundingClientRect();
    return r && r.width > 0 && r.height > 0 ? [r.width, r.height] : [1, 1];
  };
  const set = useCallback((v: View) => { current.current = v; setView(v); }, []);

  /** Zoom by `factor` at a panel point (CSS px from its top-left); the panel centre when absent. */
  const zoomBy = useCallback((factor: number, px?: number, py?: number) => {
    const [w, h] = size();
    set(zoomAt(current.current, factor, px ?? w / 2, py ?? h / 2, w, h));
  }, [set]);

  /** Pan from a view captured at the start of a drag. */
  const panFrom = useCallback((start: View, dx: number, dy: number) => {
    const [w, h] = size();
    set(panBy(start, dx, dy, w, h));
  }, [set]);

  const fit = useCallback(() => set(FIT), [set]);

  /** The panel element (its untransformed box is the fitted image). */
  const attach = useCallback((el: HTMLElement | null) => {
    panel.current = el;
    if (el) { const [w, h] = size(); set(clampView(current.current, w, h)); }
  }, [set]);

  /** Keyboard focus to the panel (where Enter accepts and Esc clears the segment prompts). */
  const focus = useCallback(() => panel.current?.focus({ preventScroll: true }), []);

  return { view, zoomBy, panFrom, fit, attach, focus, get: () => current.current };
}

export type MaskView = ReturnType<typeof useMaskView>;
