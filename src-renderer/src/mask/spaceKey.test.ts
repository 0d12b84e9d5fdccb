import { describe, expect, it } from 'vitest';
import { spaceIsFree } from './spaceKey';

describe('spaceIsFree (Space pans the mask canvas only where nothing else wants it)', () => {
  it('is free on the body, the canvas panel and plain regions', () => {
    expect(spaceIsFree(null)).toBe(true);
    expect(spaceIsFree({ tagName: 'BODY' })).toBe(true);
    expect(spaceIsFree({ tagName: 'DIV' })).toBe(true);
    expect(spaceIsFree({ tagName: 'aside', role: null })).toBe(true);
    expect(spaceIsFree({ tagName: 'SPAN', role: 'status' })).toBe(true);
  });

  it('belongs to text fields, buttons, links, selects and widgets with an ARIA role', () => {
    for (const tagName of ['INPUT', 'textarea', 'SELECT', 'BUTTON', 'A', 'SUMMARY']) expect(spaceIsFree({ tagName }), tagName).toBe(false);
    expect(spaceIsFree({ tagName: 'DIV', isContentEditable: true })).toBe(false);
    expect(spaceIsFree({ tagName: 'DIV', role: 'button' })).toBe(false);
    expect(spaceIsFree({ tagName: 'LI', role: 'option' })).toBe(false);
    expect(spaceIsFree({ tagName: 'DIV', role: ' slider ' })).toBe(false);
  });
});
