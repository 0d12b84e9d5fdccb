import { describe, expect, it } from 'vitest';
import { actionFor } from './shortcuts';

describe('keyboard shortcuts', () => {
  it('maps the main flow keys', () => {
    expect(actionFor({ key: 'g' })).toBe('generate');
    expect(actionFor({ key: 'G', shiftKey: true })).toBe('generate');
    expect(actionFor({ key: 'Escape', targetTag: 'INPUT', targetType: 'text' })).toBe('cancel');
    expect(actionFor({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(actionFor({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    // In a field the user types in, Ctrl+Z / Ctrl+Y undo the typing, not the mask; elsewhere (a slider) the mask.
    expect(actionFor({ key: 'z', ctrlKey: true, targetTag: 'INPUT', targetType: 'text' })).toBeNull();
    expect(actionFor({ key: 'y', ctrlKey: true, targetTag: 'INPUT', targetType: 'number' })).toBeNull();
    expect(actionFor({ key: 'z', ctrlKey: true, targetTag: 'INPUT', targetType: 'range' })).toBe('undo');
    expect(actionFor({ key: 'o', ctrlKey: true, targetTag: 'INPUT', targetType: 'text' })).toBe('open');
    expect(actionFor({ key: 'e', metaKey: true })).toBe('export');
    expect(actionFor({ key: 'w' })).toBe('tool:wand');
    expect(actionFor({ key: 's' })).toBe('tool:segment');
    expect(actionFor({ key: 'f' })).toBe('frame');
    expect(actionFor({ key: 'p' })).toBe('posed');
    expect(actionFor({ key: 'p', targetTag: 'INPUT', targetType: 'text' })).toBeNull();
  });

  it('zooms the mask panel with +/−/0 and accepts a proposal with Enter, except on buttons', () => {
    expect(actionFor({ key: '+', shiftKey: true })).toBe('zoomIn');
    expect(actionFor({ key: '=' })).toBe('zoomIn');
    expect(actionFor({ key: '-' })).toBe('zoomOut');
    expect(actionFor({ key: '0' })).toBe('zoomFit');
    expect(actionFor({ key: '0', targetTag: 'INPUT', targetType: 'number' })).toBeNull();
    expect(actionFor({ key: 'Enter', targetTag: 'DIV' })).toBe('accept');
    expect(actionFor({ key: 'Enter', targetTag: 'BUTTON' })).toBeNull();
    expect(actionFor({ key: 'Enter', ctrlKey: true })).toBe('generate');
  });

  it('leaves letters to fields the user types in, but not to sliders and checkboxes', () => {
    expect(actionFor({ key: 'g', targetTag: 'INPUT', targetType: 'number' })).toBeNull();
    expect(actionFor({ key: 'c', targetTag: 'SELECT' })).toBeNull();
    expect(actionFor({ key: 'g', targetTag: 'INPUT', targetType: 'range' })).toBe('generate');
    expect(actionFor({ key: 'g', altKey: true })).toBeNull();
    expect(actionFor({ key: 'q' })).toBeNull();
  });
});
