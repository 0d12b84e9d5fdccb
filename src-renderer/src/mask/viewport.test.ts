import { describe, expect, it } from 'vitest';
import { clampView, FIT, MAX_ZOOM, panBy, panelToImage, wheelFactor, zoomAt } from './viewport';

const [W, H] = [400, 300];

describe('mask panel zoom/pan', () => {
  it('zooms at the cursor: the image point under it stays put', () => {
    const before = panelToImage(FIT, 100, 60, W, H, 800, 600);
    const v = zoomAt(FIT, 3, 100, 60, W, H);
    expect(v.zoom).toBe(3);
    const after = panelToImage(v, 100, 60, W, H, 800, 600);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
    // Zooming back out by the same factor at the same point returns to the fitted view.
    const back = zoomAt(v, 1 / 3, 100, 60, W, H);
    expect(back.zoom).toBeCloseTo(1, 12);
    expect(back.x).toBeCloseTo(0, 9);
    expect(back.y).toBeCloseTo(0, 9);
  });

  it('never zooms out past fit or in past the limit, and pans only within the image', () => {
    expect(zoomAt(FIT, 0.5, 10, 10, W, H)).toEqual(FIT);
    expect(zoomAt(FIT, 1000, 10, 10, W, H).zoom).toBe(MAX_ZOOM);
    const v = zoomAt(FIT, 2, 0, 0, W, H); // top-left corner stays put
    expect(v).toEqual({ zoom: 2, x: 0, y: 0 });
    expect(panBy(v, 50, 50, W, H)).toEqual(v); // nothing beyond the top-left edge
    expect(panBy(v, -1000, -1000, W, H)).toEqual({ zoom: 2, x: -W, y: -H }); // stops at the bottom-right edge
    expect(panBy(v, -30, -20, W, H)).toEqual({ zoom: 2, x: -30, y: -20 });
    expect(clampView({ zoom: 0.2, x: 5, y: 5 }, W, H)).toEqual(FIT);
  });

  it('maps wheel deltas to zoom factors (up = in), whatever the delta unit', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelFactor(100, 0)).toBeLessThan(1);
    expect(wheelFactor(-3, 1)).toBeCloseTo(wheelFactor(-48, 0), 12);
    expect(wheelFactor(100, 0) * wheelFactor(-100, 0)).toBeCloseTo(1, 12);
  });
});
