/**
 * Zoom and pan of the mask panel as pure math. The image fills the panel at zoom 1 ("Fit"); the view is
 * `translate(x, y) scale(zoom)` of that fitted stage, in CSS pixels of the panel. Tools keep working in
 * image pixels because they read positions through the transformed element's box.
 */
export interface View { zoom: number; x: number; y: number }

export const FIT: View = { zoom: 1, x: 0, y: 0 };
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 32;
/** Zoom factor of one keyboard step or button press. */
export const ZOOM_STEP = 1.25;

/** Keep the zoomed stage covering the panel (no empty margins when zoomed in). */
export function clampView(v: View, width: number, height: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.zoom));
  const clamp = (t: number, size: number) => Math.min(0, Math.max(size * (1 - zoom), t));
  return { zoom, x: clamp(v.x, width), y: clamp(v.y, height) };
}

/** Zoom by `factor` keeping the panel point (px, py) fixed (the cursor, or the centre for keys). */
export function zoomAt(v: View, factor: number, px: number, py: number, width: number, height: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.zoom * factor));
  const k = zoom / v.zoom;
  return clampView({ zoom, x: px - (px - v.x) * k, y: py - (py - v.y) * k }, width, height);
}

export function panBy(v: View, dx: number, dy: number, width: number, height: number): View {
  return clampView({ zoom: v.zoom, x: v.x + dx, y: v.y + dy }, width, height);
}

/** Wheel delta (pixels; lines and pages are scaled to pixels) → zoom factor: one notch ≈ ×1.16. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-px * 0.0015);
}

/** Panel point → image pixel coordinates (what a tool sees), for a panel of `width`×`height` CSS px. */
export function panelToImage(v: View, px: number, py: number, width: number, height: number, imageWidth: number, imageHeight: number): [number, number] {
  return [((px - v.x) / v.zoom / width) * imageWidth, ((py - v.y) / v.zoom / height) * imageHeight];
}
