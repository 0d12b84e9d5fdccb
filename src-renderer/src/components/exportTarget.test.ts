import { describe, expect, it } from 'vitest';
import { initialTarget, MIN_TARGET, targetCount } from './exportTarget';

describe('targetCount (the Export dialog’s Simplify field)', () => {
  it('refuses an empty, blank, non-numeric or under-100 target instead of exporting 100 triangles', () => {
    for (const text of ['', '   ', 'abc', '12x', 'NaN', 'Infinity', '-500', '0', '99', '99.4']) {
      expect(targetCount(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('takes whole numbers from 100 up, rounding decimals', () => {
    expect(targetCount(String(MIN_TARGET))).toBe(100);
    expect(targetCount('2500')).toBe(2500);
    expect(targetCount(' 2500 ')).toBe(2500);
    expect(targetCount('99.5')).toBe(100);
    expect(targetCount('1e4')).toBe(10000);
  });

  it('starts at half the mesh, never under the minimum', () => {
    expect(initialTarget(5000)).toBe('2500');
    expect(initialTarget(50)).toBe('100');
    expect(initialTarget(null)).toBe('10000');
  });
});
